import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { listHeaderValues, toNodemailer } from '../../src/mail/compose.js';
import { headerSafe, listFields, listId } from '../../src/mail/headers.js';
import { rawHeader } from '../helpers/http.js';

const cfg = { newsletterName: 'Engineering @ Scale', mailFrom: 'Digest <digest@news.example.com>', unsubscribeMailto: 'unsub@news.example.com' };

describe('mail headers', () => {
  it('builds List-Id from the name and the sender domain', () => {
    expect(listId(cfg)).toBe('engineering-scale.news.example.com');
  });

  it('one List-Unsubscribe header with the URL and the mailto, plus the one-click Post header', () => {
    const h = listHeaderValues(listFields(cfg, 'https://news.example.com/unsubscribe/u.1.x'));
    expect(h['List-Unsubscribe']).toBe('<https://news.example.com/unsubscribe/u.1.x>, <mailto:unsub@news.example.com?subject=unsubscribe>');
    expect(h['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(h['List-Id']).toBe('"Engineering @ Scale" <engineering-scale.news.example.com>');
    expect(listHeaderValues(listFields(cfg))).toEqual({ 'List-Id': '"Engineering @ Scale" <engineering-scale.news.example.com>' });
  });

  it('survives composition: one header each, non-ASCII names encoded, no injection through the subject', async () => {
    const t = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const info = await t.sendMail(
      toNodemailer({
        from: cfg.mailFrom,
        to: 'a@b.example',
        subject: headerSafe('Hello\r\nBcc: victim@evil.test'),
        html: '<p>x</p>',
        text: 'x',
        list: listFields({ ...cfg, newsletterName: 'Ingeniería Diaria' }, 'https://news.example.com/unsubscribe/u.1.x'),
      }),
    );
    const raw = info.message as Buffer;
    const head = raw.toString().split('\r\n\r\n')[0]!;
    expect(head.match(/^List-Unsubscribe:/gim)).toHaveLength(1);
    expect(head).not.toMatch(/^Bcc:/im);
    expect(rawHeader(raw, 'List-Id')).toMatch(/^=\?UTF-8\?B\?.+\?= <ingenier-a-diaria\.news\.example\.com>$/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Hello Bcc: victim@evil.test');
  });
});
