import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollMailbox, PROCESSED } from '../../src/bounces/imap.js';
import { listReports } from '../../src/deliveries/repo.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { reportFixture } from '../helpers/reports.js';

// The bounce mailbox read over IMAP from a real Dovecot the test starts: reports are applied and moved to
// Processed; other mail stays in the inbox as it was.

let dovecot: Dovecot | null = null;
beforeAll(async () => {
  dovecot = await startDovecot();
  if (!dovecot) console.warn('IMAP test skipped: Dovecot is not installed here (.ci/run installs dovecot-imapd)');
});
afterAll(() => dovecot?.stop());

async function imap(d: Dovecot) {
  const c = new ImapFlow({ host: '127.0.0.1', port: d.port, secure: false, auth: { user: d.user, pass: d.pass }, logger: false });
  await c.connect();
  return c;
}

async function contents(d: Dovecot, box: string): Promise<{ subject: string; seen: boolean }[]> {
  const c = await imap(d);
  try {
    const lock = await c.getMailboxLock(box);
    try {
      const out: { subject: string; seen: boolean }[] = [];
      const st = await c.status(box, { messages: true });
      if (st.messages) for await (const m of c.fetch('1:*', { envelope: true, flags: true })) out.push({ subject: m.envelope?.subject ?? '', seen: m.flags?.has('\\Seen') ?? false });
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await c.logout();
  }
}

describe('the bounce mailbox over IMAP (Dovecot)', () => {
  it('applies the reports in it, moves them to Processed, and leaves other mail untouched', async (t) => {
    if (!dovecot) return t.skip();
    const d = dovecot;
    const sink = await sinkForTest();
    const ctx = await contextForTest({ env: { SMTP_URL: sink.url, BOUNCE_ADDRESS: 'bounces@news.example', MAIL_FROM: 'digest@news.example' } });
    const ids = addSubscribers(ctx, 3);
    const issueId = insertIssue(ctx);
    await sendIssue(ctx, issueId);
    senderForTest(ctx, { maintenanceMs: 100, idlePollMs: 20 });
    await sink.waitFor(3);
    await until(() => deliveryRows(ctx, issueId).every((r) => r.status === 'sent'), 10_000, 'sent');
    const rows = deliveryRows(ctx, issueId);
    const verp = (i: number) => sink.received.find((m) => m.envelopeTo[0] === rows[i]!.email)!.envelopeFrom;
    const msgid = (i: number) => `issue-${issueId}.sub-${rows[i]!.subscriberId}@news.example`;

    const c = await imap(d);
    await c.append('INBOX', reportFixture('postfix-hard.eml', { verp: verp(0), msgid: msgid(0), rcpt: rows[0]!.email }));
    await c.append('INBOX', reportFixture('yahoo-arf.eml', { verp: verp(1), msgid: msgid(1), rcpt: rows[1]!.email }));
    await c.append('INBOX', Buffer.from('From: a.person@example.org\r\nTo: bounces@news.example\r\nSubject: A question for the editor\r\n\r\nHello, who writes this digest?\r\n'));
    await c.append('INBOX', reportFixture('gmail-hard.eml', { verp: 'bounces@news.example', msgid: 'CAF@mail.gmail.example', rcpt: rows[2]!.email }));
    await c.logout();

    const url = `imap://${d.user}:${d.pass}@127.0.0.1:${d.port}/INBOX`;
    const first = await pollMailbox(ctx, url);
    expect(first).toEqual({ seen: 4, processed: 3, leftAlone: 1 });
    const status = (i: number) => (ctx.sqlite.prepare('SELECT status FROM subscribers WHERE id = ?').get(ids[i]) as { status: string }).status;
    expect([status(0), status(1), status(2)]).toEqual(['bounced', 'unsubscribed', 'confirmed']);
    expect((await listReports(ctx, {})).map((r) => r.channel)).toEqual(['imap', 'imap', 'imap', 'imap']);

    expect(await contents(d, 'INBOX')).toEqual([{ subject: 'A question for the editor', seen: false }]);
    expect((await contents(d, PROCESSED)).map((m) => m.subject).sort()).toEqual(['Delivery Status Notification (Failure)', 'FW: Today\'s digest', 'Undelivered Mail Returned to Sender']);

    // Read again: nothing new is applied; the personal mail is still there, still unread.
    expect(await pollMailbox(ctx, url)).toEqual({ seen: 1, processed: 0, leftAlone: 1 });
    expect((await listReports(ctx, {})).length).toBe(4);
    expect(await contents(d, 'INBOX')).toEqual([{ subject: 'A question for the editor', seen: false }]);
  }, 60_000);

  it('a wrong password is a clear error, and nothing changes', async (t) => {
    if (!dovecot) return t.skip();
    const ctx = await contextForTest({ env: { BOUNCE_ADDRESS: 'bounces@news.example' } });
    await expect(pollMailbox(ctx, `imap://${dovecot.user}:wrong@127.0.0.1:${dovecot.port}/INBOX`)).rejects.toThrow();
    expect(await listReports(ctx, {})).toEqual([]);
  });
});
