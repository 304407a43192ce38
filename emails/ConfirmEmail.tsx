import { Button, Hr, Link, Section, Text } from '@react-email/components';
import { Frame } from './Frame.js';
import { s } from './styles.js';

export interface ConfirmEmailProps {
  newsletterName: string;
  confirmUrl: string;
  homeUrl: string;
  postalAddress?: string;
}

/** The double opt-in mail. It never shows the signup's name field: that text came from a stranger. */
export function ConfirmEmail(p: ConfirmEmailProps) {
  return (
    <Frame newsletterName={p.newsletterName} preview={`Confirm your subscription to ${p.newsletterName}`} homeUrl={p.homeUrl} postalAddress={p.postalAddress}>
      <Text style={s.h1}>Please confirm your subscription</Text>
      <Text style={s.text}>
        {`Someone, hopefully you, asked to receive ${p.newsletterName}: one email a day with the best new writing from engineering blogs.`}
      </Text>
      <Section style={{ margin: '8px 0 24px' }}>
        <Button href={p.confirmUrl} style={s.button}>
          Confirm subscription
        </Button>
      </Section>
      <Text style={s.fine}>Or paste this link into your browser:</Text>
      <Text style={s.fine}>
        <Link href={p.confirmUrl} style={s.link}>
          {p.confirmUrl}
        </Link>
      </Text>
      <Hr style={s.hr} />
      <Text style={s.fine}>
        If you did not ask for this, ignore this email: you will not be subscribed and will hear nothing more. The link works for 7 days.
      </Text>
    </Frame>
  );
}

ConfirmEmail.PreviewProps = {
  newsletterName: 'Engineering @ Scale',
  confirmUrl: 'http://localhost:3000/confirm/c.1.abc.def',
  homeUrl: 'http://localhost:3000/',
  postalAddress: '1 Example Street, Example City',
} satisfies ConfirmEmailProps;

export default ConfirmEmail;
