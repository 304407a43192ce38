import { randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { MailMessage } from './mailer.js';

/** The domain part of an address such as `Name <a@b.example>`, for Message-IDs and List-Id. */
export function addressDomain(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return (m?.[1] ?? 'localhost').toLowerCase();
}

/** A unique Message-ID (without brackets) on the sender's domain. */
export function newMessageId(from: string): string {
  return `${randomUUID()}@${addressDomain(from)}`;
}

/** Maps a MailMessage to nodemailer options: one RFC 8058 List-Unsubscribe header, List-Id, extra headers. */
export function toNodemailer(m: MailMessage): SendMailOptions {
  const headers: Record<string, string> = { ...(m.headers ?? {}) };
  const opts: SendMailOptions = {
    from: m.from,
    to: m.to,
    subject: m.subject,
    html: m.html,
    text: m.text,
    messageId: `<${m.messageId ?? newMessageId(m.from)}>`,
    headers,
  };
  if (m.list) {
    const list: NonNullable<SendMailOptions['list']> = { id: { url: m.list.id, comment: m.list.name } };
    if (m.list.unsubscribeUrl) {
      // A nested array yields one header with both URIs, as RFC 8058 expects.
      list.unsubscribe = [
        m.list.unsubscribeMailto ? [m.list.unsubscribeUrl, `mailto:${m.list.unsubscribeMailto}?subject=unsubscribe`] : [m.list.unsubscribeUrl],
      ] as unknown as string[];
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    opts.list = list;
  }
  return opts;
}
