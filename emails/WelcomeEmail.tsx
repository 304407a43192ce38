import { Button, Hr, Link, Section, Text } from '@react-email/components';
import { Frame } from './Frame.js';
import { s } from './styles.js';

export interface WelcomeEmailProps {
  newsletterName: string;
  archiveUrl: string;
  unsubscribeUrl: string;
  /** The reader's preferences page (weekly, pause, plain text, companies). */
  preferencesUrl?: string;
  homeUrl: string;
  sendTime: string;
  postalAddress?: string;
}

/** Sent once after confirmation: what to expect, where the archive is, how to leave. */
export function WelcomeEmail(p: WelcomeEmailProps) {
  return (
    <Frame newsletterName={p.newsletterName} preview={`You're subscribed to ${p.newsletterName}`} homeUrl={p.homeUrl} postalAddress={p.postalAddress}>
      <Text style={s.h1}>{`You're in. Welcome to ${p.newsletterName}.`}</Text>
      <Text style={s.text}>
        {`Every day ${p.sendTime} you will get one email: a Signal of the Day, ranked deep dives with short summaries, and the patterns that show up across companies.`}
      </Text>
      <Text style={s.text}>Until the next issue arrives, the archive has every past one.</Text>
      <Section style={{ margin: '8px 0 24px' }}>
        <Button href={p.archiveUrl} style={s.button}>
          Read the archive
        </Button>
      </Section>
      <Hr style={s.hr} />
      {p.preferencesUrl ? (
        <Text style={s.fine}>
          {'Too much mail some weeks? '}
          <Link href={p.preferencesUrl} style={s.link}>
            Switch to the weekly edition, pause it, or choose plain text
          </Link>
          {' from your preferences.'}
        </Text>
      ) : null}
      <Text style={s.fine}>
        {'Changed your mind? '}
        <Link href={p.unsubscribeUrl} style={s.link}>
          Unsubscribe
        </Link>
        {' with one click, at any time.'}
      </Text>
    </Frame>
  );
}

WelcomeEmail.PreviewProps = {
  newsletterName: 'Engineering @ Scale',
  archiveUrl: 'http://localhost:3000/issues',
  unsubscribeUrl: 'http://localhost:3000/unsubscribe/u.1.abc',
  preferencesUrl: 'http://localhost:3000/preferences/p.1.abc',
  homeUrl: 'http://localhost:3000/',
  sendTime: 'at 06:00 (UTC)',
  postalAddress: '1 Example Street, Example City',
} satisfies WelcomeEmailProps;

export default WelcomeEmail;
