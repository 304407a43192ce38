import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A report from test/fixtures/reports with its placeholders filled in, CRLF line ends as on the wire. */
export function reportFixture(name: string, v: { verp?: string; msgid?: string; rcpt?: string } = {}): Buffer {
  const text = readFileSync(join(import.meta.dirname, '../fixtures/reports', name), 'utf8')
    .replace(/\{\{VERP\}\}/g, v.verp ?? 'bounces@news.example.com')
    .replace(/\{\{MSGID\}\}/g, v.msgid ?? 'issue-7.sub-42@news.example.com')
    .replace(/\{\{RCPT\}\}/g, v.rcpt ?? 'ann@example.org');
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'));
}
