import type { Config } from '../config.js';
import { addressDomain } from './compose.js';
import type { MailMessage } from './mailer.js';

/** The List-Id value for this newsletter: a slug of its name on the sender's domain. */
export function listId(config: Pick<Config, 'newsletterName' | 'mailFrom'>): string {
  const slug = config.newsletterName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'digest';
  return `${slug}.${addressDomain(config.mailFrom)}`;
}

/** The List-* part of a mail: List-Id always, List-Unsubscribe (+ one-click Post) when a URL is given. */
export function listFields(
  config: Pick<Config, 'newsletterName' | 'mailFrom' | 'unsubscribeMailto'>,
  unsubscribeUrl?: string,
): NonNullable<MailMessage['list']> {
  return {
    id: listId(config),
    name: config.newsletterName,
    unsubscribeUrl,
    unsubscribeMailto: unsubscribeUrl ? config.unsubscribeMailto : undefined,
  };
}

/** Removes characters that could end a header line or hide text, and caps the length (subjects, names). */
export function headerSafe(value: string, max = 250): string {
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}
