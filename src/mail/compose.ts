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

/** The List-* header values of a message (set as plain headers so every composer path keeps them). */
export function listHeaderValues(list: NonNullable<MailMessage['list']>): Record<string, string> {
  const name = list.name.replace(/["\\\r\n]/g, '');
  const phrase = /^[\x20-\x7e]*$/.test(name) ? `"${name}"` : `=?UTF-8?B?${Buffer.from(name).toString('base64')}?=`;
  const out: Record<string, string> = { 'List-Id': `${phrase} <${list.id}>` };
  if (list.unsubscribeUrl) {
    const uris = [`<${list.unsubscribeUrl}>`];
    if (list.unsubscribeMailto) uris.push(`<mailto:${list.unsubscribeMailto}?subject=unsubscribe>`);
    out['List-Unsubscribe'] = uris.join(', ');
    out['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return out;
}

/** Maps a MailMessage to nodemailer options: List-Id, one RFC 8058 List-Unsubscribe header, extra headers. */
export function toNodemailer(m: MailMessage): SendMailOptions {
  return {
    from: m.from,
    to: m.to,
    subject: m.subject,
    html: m.html,
    text: m.text,
    messageId: `<${m.messageId ?? newMessageId(m.from)}>`,
    // Prepared values are written as given: nodemailer would otherwise Q-encode the whole List-Id.
    headers: {
      ...(m.headers ?? {}),
      ...Object.fromEntries(Object.entries(m.list ? listHeaderValues(m.list) : {}).map(([k, v]) => [k, { prepared: true, value: v }])),
    },
  };
}
