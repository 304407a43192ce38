import { Button, Hr, Section, Text } from '@react-email/components';
import { Frame } from './Frame.js';
import { s } from './styles.js';

export interface PreferencesLinkEmailProps {
  newsletterName: string;
  preferencesUrl: string;
  homeUrl: string;
  postalAddress?: string;
}

/** Sent when a reader asks for their preferences link on the landing page. */
export function PreferencesLinkEmail(p: PreferencesLinkEmailProps) {
  return (
    <Frame newsletterName={p.newsletterName} preview={`Your ${p.newsletterName} preferences`} homeUrl={p.homeUrl} postalAddress={p.postalAddress}>
      <Text style={s.h1}>Your preferences</Text>
      <Text style={s.text}>Here is the link you asked for. On that page you can switch to the weekly edition, pause the digest for 1 to 8 weeks, have it in plain text, or leave out companies.</Text>
      <Section style={{ margin: '8px 0 24px' }}>
        <Button href={p.preferencesUrl} style={s.button}>
          Open my preferences
        </Button>
      </Section>
      <Hr style={s.hr} />
      <Text style={s.fine}>If you did not ask for this, ignore this email: nothing changes.</Text>
    </Frame>
  );
}

PreferencesLinkEmail.PreviewProps = {
  newsletterName: 'Engineering @ Scale',
  preferencesUrl: 'http://localhost:3000/preferences/p.1.abc',
  homeUrl: 'http://localhost:3000/',
  postalAddress: '1 Example Street, Sample Town',
} satisfies PreferencesLinkEmailProps;
