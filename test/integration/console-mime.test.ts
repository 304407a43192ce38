import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, test } from 'vitest';
import { decodeQuotedPrintable, decodeWords, parseMail } from '../../src/http/console/mime.js';

// The console's small MIME reader must show what a real mail parser (mailparser) shows.

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

async function compose(opts: SendMailOptions): Promise<Buffer> {
  const info = await composer.sendMail({ from: 'Engineering @ Scale <digest@example.com>', to: 'reader@example.com', ...opts });
  return info.message as Buffer;
}

describe('the console MIME reader', () => {
  test('decodes encoded words, quoted-printable and base64', () => {
    expect(decodeWords('=?UTF-8?Q?Caf=C3=A9_=E2=98=95?= news')).toBe('Café ☕ news');
    expect(decodeWords('=?UTF-8?B?Q2Fmw6k=?= =?UTF-8?B?IOKYlQ==?=')).toBe('Café ☕');
    expect(decodeWords('=?ISO-8859-1?Q?Caf=E9?=')).toBe('Café');
    expect(decodeQuotedPrintable('a=3Db=\r\nc=C3=A9').toString('utf8')).toBe('a=bcé');
  });

  test('reads a multipart/alternative mail with an attachment like mailparser does', async () => {
    const raw = await compose({
      subject: 'Café ☕ — a subject long enough that nodemailer folds and encodes it over more than one line of header',
      text: 'Plain café text\nsecond line\n.leading dot',
      html: `<p style="color:#123">${'Long HTML line with café '.repeat(20)}</p>`,
      attachments: [{ filename: 'notes.txt', content: 'attached' }],
    });
    const mine = parseMail(raw);
    const theirs = await simpleParser(raw);
    expect(mine.subject).toBe(theirs.subject);
    expect(mine.text).toBe(theirs.text);
    expect(mine.html).toBe(theirs.html);
    expect(mine.attachments).toBe(1);
    expect(mine.to).toBe('reader@example.com');
  });

  test('any subject, text and HTML round-trip as mailparser reads them', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(text, text, text, fc.constantFrom('quoted-printable', 'base64'), async (subject, body, html, encoding) => {
        const raw = await compose({ subject, text: `${body}.`, html: `<div>${html}</div>`, textEncoding: encoding as 'base64' });
        const mine = parseMail(raw);
        const theirs = await simpleParser(raw);
        expect(mine.subject).toBe(theirs.subject ?? '');
        expect(mine.text ?? '').toBe(theirs.text ?? '');
        expect(mine.html).toBe(theirs.html === false ? null : theirs.html);
      }),
      { numRuns: 60 },
    );
  });
});
