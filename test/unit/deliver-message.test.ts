import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { createIssueTemplate, deliveryMessageId } from '../../src/deliveries/message.js';
import { UNSUBSCRIBE_PLACEHOLDER } from '../../src/issues/personalize.js';

const src = {
  issueId: 7,
  subject: 'Engineering @ Scale \u2014 2026-04-06\r\nBcc: victim@example.com',
  html: `<p>${'Long paragraph with caf\u00e9 and = signs. '.repeat(40)}</p><a href="${UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a><p>end</p>`,
  text: `Hello\n.dot at line start\n${'word '.repeat(100)}\nUnsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}\n`,
  from: 'Engineering @ Scale <digest@news.example>',
  listId: 'engineering-scale.news.example',
  listName: 'Engineering @ Scale',
  unsubscribeMailto: 'leave@news.example',
};

describe('the per-issue message template', () => {
  const tpl = createIssueTemplate(src);
  const url = 'https://news.example/unsubscribe/u.9.abc_DEF-123';
  const { raw, messageId } = tpl.build({ subscriberId: 9, email: 'ann@example.org', unsubscribeUrl: url });

  it('keeps every line within the limits of quoted-printable and SMTP', () => {
    const lines = raw.toString('utf8').split('\r\n');
    const body = lines.slice(lines.indexOf(''));
    expect(Math.max(...body.map((l) => l.length))).toBeLessThanOrEqual(76);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(998);
    expect(raw.toString('utf8')).not.toMatch(/[^\r]\n/);
  });

  it('parses back to the same text, HTML, URL and headers', async () => {
    const m = await simpleParser(raw);
    expect(m.text).toContain(`Unsubscribe: ${url}`);
    expect(m.text).toContain('\n.dot at line start\n');
    expect(String(m.html)).toContain(`href="${url}"`);
    expect(String(m.html)).toContain('caf\u00e9 and = signs');
    expect(m.messageId).toBe(`<${messageId}>`);
    expect(messageId).toBe('issue-7.sub-9@news.example');
    expect(m.to && !Array.isArray(m.to) ? m.to.value[0]!.address : null).toBe('ann@example.org');
    const lu = m.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    expect(lu.replace(/\r\n\s+/g, ' ')).toBe(`List-Unsubscribe: <${url}>, <mailto:leave@news.example?subject=unsubscribe>`);
    expect(m.headerLines.find((h) => h.key === 'list-unsubscribe-post')!.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(m.headers.get('precedence')).toBe('bulk');
  });

  it('cannot be given an extra header through the subject', async () => {
    const m = await simpleParser(raw);
    expect(m.headers.has('bcc')).toBe(false);
    expect(m.subject).toBe('Engineering @ Scale \u2014 2026-04-06 Bcc: victim@example.com');
  });

  it('derives Message-IDs from issue and subscriber; resends get their own', () => {
    expect(deliveryMessageId(7, 9, src.from)).toBe('issue-7.sub-9@news.example');
    expect(deliveryMessageId(7, 9, src.from, 2)).toBe('issue-7.sub-9.r2@news.example');
    expect(tpl.build({ subscriberId: 9, email: 'a@b.c', unsubscribeUrl: url, resend: 1 }).messageId).toBe('issue-7.sub-9.r1@news.example');
  });

  it('only the recipient parts differ between two recipients', () => {
    const date = new Date('2026-04-06T06:00:00Z');
    const a = tpl.build({ subscriberId: 1, email: 'a@x.org', unsubscribeUrl: 'https://n/u/1' }, date).raw.toString();
    const b = tpl.build({ subscriberId: 2, email: 'b@x.org', unsubscribeUrl: 'https://n/u/2' }, date).raw.toString();
    const diff = a.split('\r\n').filter((l, i) => l !== b.split('\r\n')[i]);
    expect(diff.length).toBeLessThanOrEqual(6);
  });
});

describe('the sender\'s unsubscribe link', () => {
  it('is exactly the one the subscriber lifecycle issues', async () => {
    const { recipientUnsubscribeUrl } = await import('../../src/deliveries/links.js');
    const { unsubscribeUrlFor } = await import('../../src/subscribers/lifecycle.js');
    const { loadConfig } = await import('../../src/config.js');
    const { createUrls } = await import('../../src/lib/urls.js');
    const config = loadConfig({ SECRET_KEY: 'k'.repeat(40), ADMIN_TOKEN: 'a'.repeat(20), PUBLIC_URL: 'https://news.example' }, '/tmp');
    const c = { config, urls: createUrls(config.publicUrl) };
    for (const id of [1, 42, 123456]) expect(recipientUnsubscribeUrl(c, id)).toBe(unsubscribeUrlFor(c, id));
  });
});

describe('SMTP readiness of built messages', () => {
  it('writes a leading dot as =2E and marks the message SMTP-ready (no dot-stuffing needed)', async () => {
    const { isSmtpReady } = await import('../../src/mail/mailer.js');
    const tpl = createIssueTemplate(src);
    const { raw } = tpl.build({ subscriberId: 1, email: 'a@x.org', unsubscribeUrl: 'https://n.example/u/1' });
    const text = raw.toString('latin1');
    expect(text).not.toMatch(/\n\./);
    expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    expect(isSmtpReady(raw)).toBe(true);
    expect((await simpleParser(raw)).text).toContain('\n.dot at line start\n');
  });
});
