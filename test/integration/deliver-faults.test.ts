import { Writable } from 'node:stream';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSender, type Sender, type SenderOptions } from '../../src/deliveries/sender.js';
import { resendIssue, sendIssue } from '../../src/deliveries/send.js';
import { deliveryCounts } from '../../src/deliveries/repo.js';
import { createLogger } from '../../src/lib/log.js';
import { unsubscribeSubscriber } from '../../src/subscribers/repo.js';
import { AppError } from '../../src/lib/errors.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';
import { startRawSmtp, type RawSmtp } from '../helpers/raw-smtp.js';
import { addSubscribers, deliveryRows, insertIssue, until } from '../helpers/deliver-fixtures.js';

let ctx: TestContext | undefined;
let sink: SmtpSink | undefined;
let raw: RawSmtp | undefined;
let sender: Sender | undefined;
afterEach(async () => {
  await sender?.stop();
  await ctx?.cleanup();
  await sink?.close();
  await raw?.close();
  ctx = sink = sender = raw = undefined;
});

const FAST: SenderOptions = { maintenanceMs: 50, idlePollMs: 20, relayBackoffMs: [100, 400] };
const issueRow = (c: TestContext, id: number) =>
  c.sqlite.prepare('SELECT status, paused_reason AS pausedReason FROM issues WHERE id = ?').get(id) as { status: string; pausedReason: string | null };
const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

async function setup(url: string, env: Record<string, string> = {}, logLines?: string[]) {
  const log = logLines
    ? createLogger(
        'info',
        new Writable({
          write(chunk, _e, cb) {
            logLines.push(String(chunk));
            cb();
          },
        }),
      )
    : undefined;
  ctx = await makeTestContext({ env: { SMTP_URL: url, SMTP_POOL_SIZE: '2', SEND_RETRY_SCHEDULE: '1s,1s', ...env }, log });
  return ctx;
}

async function run(c: TestContext, n: number, opts: SenderOptions = {}) {
  addSubscribers(c, n);
  const issueId = insertIssue(c);
  await sendIssue(c, issueId);
  sender = createSender(c, { ...FAST, ...opts });
  sender.start();
  return issueId;
}

describe('SMTP faults', () => {
  it('451 for some recipients: retried on the schedule, then delivered', async () => {
    const seen = new Map<string, number>();
    sink = await startSmtpSink({
      onRcpt: (addr) => {
        const n = (seen.get(addr) ?? 0) + 1;
        seen.set(addr, n);
        return /^user[12]@/.test(addr) && n === 1 ? smtpError(451, '4.3.0 try again later') : null;
      },
    });
    const c = await setup(sink.url);
    const issueId = await run(c, 6);
    await until(() => issueRow(c, issueId).status === 'sent', 15_000, 'issue sent');
    const rows = deliveryRows(c, issueId);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(rows.filter((r) => r.attempts === 2).map((r) => r.email).sort()).toEqual(['user1@example.test', 'user2@example.test']);
    expect(sink.received.map((m) => m.envelopeTo[0]).sort()).toHaveLength(6);
  });

  it('a temporary failure that never clears ends failed after the last retry, and `resend failed` sends it', async () => {
    let refuse = true;
    sink = await startSmtpSink({ onRcpt: (addr) => (refuse && addr.startsWith('user0@') ? smtpError(452, '4.2.2 mailbox full') : null) });
    const c = await setup(sink.url, { SEND_RETRY_SCHEDULE: '1s' });
    const issueId = await run(c, 3);
    await until(() => issueRow(c, issueId).status === 'sent', 15_000, 'issue finished');
    const row = deliveryRows(c, issueId).find((r) => r.email === 'user0@example.test')!;
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });
    expect(row.lastError).toContain('452');
    // FAULTS 54: the mailbox-full refusal is a soft bounce of this issue, counted once however often it is retried.
    const soft = c.sqlite.prepare("SELECT kind, status, action FROM delivery_reports WHERE subscriber_id = ?").all(row.subscriberId);
    expect(soft).toEqual([{ kind: 'soft', status: '4.2.2', action: 'counted: 1 of 3 issues in a row' }]);
    expect((c.sqlite.prepare('SELECT soft_bounce_streak AS n FROM subscribers WHERE id = ?').get(row.subscriberId) as { n: number }).n).toBe(1);
    refuse = false;
    const res = await resendIssue(c, issueId, { failed: true }, 'ops');
    expect(res.queued).toBe(1);
    await until(() => deliveryRows(c, issueId).every((r) => r.status === 'sent'), 10_000, 'resent');
    expect(sink.received.filter((m) => m.envelopeTo[0] === 'user0@example.test')).toHaveLength(1);
  });

  it('550 for one recipient: that delivery bounces, the subscriber is bounced and gets nothing more', async () => {
    sink = await startSmtpSink({ onRcpt: (addr) => (addr.startsWith('user4@') ? smtpError(550, '5.1.1 no such user') : null) });
    const c = await setup(sink.url);
    const issueId = await run(c, 6);
    await until(() => issueRow(c, issueId).status === 'sent', 10_000, 'issue sent');
    const rows = deliveryRows(c, issueId);
    const bounced = rows.find((r) => r.email === 'user4@example.test')!;
    expect(bounced).toMatchObject({ status: 'bounced', attempts: 1 });
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(5);
    const sub = c.sqlite.prepare('SELECT status, bounced_at AS b FROM subscribers WHERE id = ?').get(bounced.subscriberId) as { status: string; b: number };
    expect(sub.status).toBe('bounced');
    expect(sub.b).toBeGreaterThan(0);
    expect(c.sqlite.prepare(`SELECT count(*) AS n FROM consent_events WHERE subscriber_id = ? AND type = 'bounce'`).get(bounced.subscriberId)).toEqual({ n: 1 });
    // The next issue does not reach them, and neither does a resend.
    const next = insertIssue(c, { date: '2026-04-07' });
    await sendIssue(c, next);
    await until(() => issueRow(c, next).status === 'sent', 10_000, 'next issue sent');
    expect(deliveryRows(c, next).some((r) => r.email === 'user4@example.test')).toBe(false);
    await expect(resendIssue(c, next, { email: 'user4@example.test' }, 'ops')).rejects.toMatchObject({ status: 409, code: 'NOT_CONFIRMED' });
  });

  it('a connection dropped mid-DATA is retried and the message arrives once', async () => {
    raw = await startRawSmtp((stage, n) => (stage === 'data' && n === 1 ? 'DROP_IN_DATA' : null));
    const c = await setup(raw.url);
    addSubscribers(c, 3);
    const issueId = insertIssue(c, { html: `<p>${'x'.repeat(200_000)}</p><a href="__NEWSDESK_UNSUBSCRIBE_URL__">u</a>` });
    await sendIssue(c, issueId);
    sender = createSender(c, FAST);
    sender.start();
    await until(() => issueRow(c, issueId).status === 'sent', 15_000, 'issue sent');
    const rows = deliveryRows(c, issueId);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(rows.map((r) => r.attempts).sort()).toEqual([1, 1, 2]);
    // Whether the client had finished writing when the socket died decides "uncertain"; either way it is retried.
    expect(rows.reduce((a, r) => a + r.uncertain, 0)).toBeLessThanOrEqual(1);
    expect(raw.messages.map((m) => m.to[0]).sort()).toEqual(rows.map((r) => r.email).sort());
    expect(raw.messages.filter((m) => m.reply.startsWith('250'))).toHaveLength(3);
  });

  it('a connection dropped after the final dot: retried with the same Message-ID and counted as uncertain', async () => {
    raw = await startRawSmtp((stage, n) => (stage === 'dot' && n === 2 ? 'DROP' : null));
    const c = await setup(raw.url, { SMTP_POOL_SIZE: '1' });
    const issueId = await run(c, 4, { concurrency: 1 });
    await until(() => issueRow(c, issueId).status === 'sent', 15_000, 'issue sent');
    const rows = deliveryRows(c, issueId);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const twice = rows.filter((r) => r.uncertain === 1);
    expect(twice).toHaveLength(1);
    expect(twice[0]!.attempts).toBe(2);
    const copies = raw.messages.filter((m) => m.to[0] === twice[0]!.email);
    expect(copies).toHaveLength(2);
    const ids = copies.map((m) => /^Message-ID: (.*)$/m.exec(m.data)![1]!.trim());
    expect(ids[0]).toBe(ids[1]);
    expect((await deliveryCounts(c, issueId)).uncertain).toBe(1);
  });

  it('a copy lost after the final dot on every try is sent at most twice and ends uncertain, not failed (FAULTS 59)', async () => {
    // Every message to user1 is lost after its final dot; the others are accepted.
    let lastRcpt = '';
    raw = await startRawSmtp((stage, _n, line) => {
      if (stage === 'rcpt') lastRcpt = line;
      if (stage === 'dot' && lastRcpt.includes('user1@')) return 'DROP';
      return null;
    });
    const c = await setup(raw.url, { SMTP_POOL_SIZE: '1', SEND_RETRY_SCHEDULE: '1s,1s,1s,1s' });
    const issueId = await run(c, 3, { concurrency: 1 });
    await until(() => deliveryRows(c, issueId).every((r) => r.status !== 'queued' && r.status !== 'sending'), 20_000, 'every delivery final');
    const rows = deliveryRows(c, issueId);
    const lost = rows.find((r) => r.email === 'user1@example.test')!;
    expect(lost.status).toBe('uncertain');
    expect(lost.uncertain).toBe(2);
    expect(lost.lastError).toMatch(/^uncertain:/);
    expect(raw.messages.filter((m) => m.to[0] === 'user1@example.test')).toHaveLength(2);
    await until(() => issueRow(c, issueId).status === 'sent', 5000, 'issue sent');
    const counts = await deliveryCounts(c, issueId);
    expect(counts).toMatchObject({ sent: 2, failed: 0, unconfirmed: 1 });
    // A failed-resend does not reach it either: it may well have arrived.
    expect((await resendIssue(c, issueId, { failed: true }, 'test')).queued).toBe(0);
  });

  it('a 421 greeting pauses sending for everyone without costing anyone a try, then resumes by itself', async () => {
    const lines: string[] = [];
    raw = await startRawSmtp((stage, n) => (stage === 'greeting' && n <= 3 ? '421 4.3.2 service not available' : null));
    const c = await setup(raw.url, {}, lines);
    const issueId = await run(c, 5);
    await until(() => issueRow(c, issueId).status === 'sent', 15_000, 'issue sent');
    const rows = deliveryRows(c, issueId);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect(issueRow(c, issueId).pausedReason).toBeNull();
    expect(lines.some((l) => l.includes('SMTP relay unavailable'))).toBe(true);
    expect(lines.some((l) => l.includes('sending resumed'))).toBe(true);
  });

  it('the relay down at the start and back later: nothing is marked failed, everything arrives', async () => {
    // A port with nobody listening yet.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = await setup(`smtp://127.0.0.1:${port}`, { SEND_RETRY_SCHEDULE: '1s' });
    const issueId = await run(c, 5);
    await until(() => (issueRow(c, issueId).pausedReason ?? '').startsWith('relay:'), 10_000, 'relay pause');
    // Longer than the whole retry schedule: a relay outage must not use up anyone's retries.
    await new Promise((r) => setTimeout(r, 1500));
    const during = deliveryRows(c, issueId);
    // Queued, or claimed for a moment by a reconnect attempt; never failed, no try used up.
    expect(during.every((r) => (r.status === 'queued' || r.status === 'sending') && r.attempts === 0)).toBe(true);
    raw = await startRawSmtp(() => null, port);
    await until(() => issueRow(c, issueId).status === 'sent', 15_000, 'issue sent');
    expect(deliveryRows(c, issueId).every((r) => r.status === 'sent')).toBe(true);
    expect(issueRow(c, issueId).pausedReason).toBeNull();
    expect(raw.messages).toHaveLength(5);
  });

  it('535 authentication failure stops the run at once with one alert; nobody is marked failed', async () => {
    const lines: string[] = [];
    raw = await startRawSmtp((stage) => (stage === 'auth' ? '535 5.7.8 authentication credentials invalid' : null));
    const u = new URL(raw.url);
    u.username = 'news';
    u.password = 'wrong';
    const c = await setup(u.toString(), {}, lines);
    const issueId = await run(c, 8);
    await until(() => (issueRow(c, issueId).pausedReason ?? '').startsWith('auth:'), 10_000, 'auth pause');
    await new Promise((r) => setTimeout(r, 300));
    const rows = deliveryRows(c, issueId);
    expect(rows.every((r) => r.status === 'queued' && r.attempts === 0)).toBe(true);
    expect(raw.messages).toHaveLength(0);
    expect(lines.filter((l) => l.includes('SMTP authentication failed'))).toHaveLength(1);
  });

  it('the circuit breaker pauses an issue when most recent attempts fail', async () => {
    raw = await startRawSmtp((stage) => (stage === 'dot' ? '554 5.7.1 message refused as spam' : null));
    const c = await setup(raw.url);
    const issueId = await run(c, 40, { breaker: { window: 20, min: 10, ratio: 0.5 } });
    await until(() => (issueRow(c, issueId).pausedReason ?? '').startsWith('breaker:'), 10_000, 'breaker');
    await new Promise((r) => setTimeout(r, 200));
    const counts = await deliveryCounts(c, issueId);
    expect(counts.failed).toBeGreaterThanOrEqual(10);
    expect(counts.queued).toBeGreaterThan(0);
    expect(counts.bounced).toBe(0);
    expect(issueRow(c, issueId).status).toBe('sending');
    // Sending the issue again is the operator's resume.
    await sendIssue(c, issueId);
    expect(issueRow(c, issueId).pausedReason).toBeNull();
  });

  it('a short list whose every copy is refused pauses instead of being marked sent, and is not published', async () => {
    raw = await startRawSmtp((stage) => (stage === 'dot' ? '554 5.7.1 message refused as spam' : null));
    const c = await setup(raw.url);
    const issueId = await run(c, 4);
    await until(() => (issueRow(c, issueId).pausedReason ?? '') !== '' && deliveryRows(c, issueId).every((r) => r.status === 'failed' || r.status === 'queued'), 10_000, 'paused');
    await until(() => deliveryRows(c, issueId).filter((r) => r.status === 'failed').length >= 4 || /^breaker:/.test(issueRow(c, issueId).pausedReason ?? ''), 10_000, 'failures');
    await sender!.maintain();
    expect(issueRow(c, issueId).status).toBe('sending');
    expect(issueRow(c, issueId).pausedReason).toMatch(/^(breaker|refused):/);
    const { listArchiveIssues } = await import('../../src/issues/repo.js');
    expect(await listArchiveIssues(c, { limit: 10, offset: 0 })).toEqual([]);
  });

  it('an unsubscribe while the message waits for its turn (claimed, paced) stops it: checked again just before SMTP (FAULTS 18)', async () => {
    sink = await startSmtpSink();
    const c = await setup(sink.url, { SEND_RATE: '4', SMTP_POOL_SIZE: '1' });
    const ids = addSubscribers(c, 6);
    const issueId = insertIssue(c);
    await sendIssue(c, issueId);
    sender = createSender(c, { ...FAST, concurrency: 4, batchSize: 6 });
    sender.start();
    await sink.waitFor(1, 5000);
    // All six are claimed by now (one batch), and pacing holds the rest back: the last leaves mid-send.
    expect(deliveryRows(c, issueId).find((r) => r.subscriberId === ids[5])!.status).toBe('sending');
    await unsubscribeSubscriber(c, ids[5]!, Date.now(), {});
    await until(() => issueRow(c, issueId).status === 'sent', 15_000, 'issue sent');
    expect(sink.received.map((m) => m.envelopeTo[0])).not.toContain('user5@example.test');
    expect(deliveryRows(c, issueId).find((r) => r.subscriberId === ids[5])).toMatchObject({ status: 'skipped', lastError: 'subscriber unsubscribed' });
  });

  it('someone who unsubscribes while an issue is sending, before their turn, does not get it', async () => {
    sink = await startSmtpSink();
    const c = await setup(sink.url);
    const ids = addSubscribers(c, 6);
    const issueId = insertIssue(c);
    await sendIssue(c, issueId);
    await unsubscribeSubscriber(c, ids[5]!, Date.now(), {});
    // Also a status change that did not go through the repository: caught at claim time.
    c.sqlite.prepare(`UPDATE subscribers SET status = 'unsubscribed' WHERE id = ?`).run(ids[4]);
    sender = createSender(c, FAST);
    sender.start();
    await until(() => issueRow(c, issueId).status === 'sent', 10_000, 'issue sent');
    expect(sink.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['user0@example.test', 'user1@example.test', 'user2@example.test', 'user3@example.test']);
    const counts = await deliveryCounts(c, issueId);
    expect(counts).toMatchObject({ sent: 4, skipped: 2 });
  });

  it('resends: 409 while sending, never to an unsubscribed address, missing reaches late subscribers only', async () => {
    sink = await startSmtpSink();
    const c = await setup(sink.url);
    addSubscribers(c, 3);
    const issueId = insertIssue(c);
    await expect(resendIssue(c, issueId, { missing: true }, 'ops')).rejects.toMatchObject({ status: 409, code: 'NOT_SENT' });
    await sendIssue(c, issueId);
    const err = await resendIssue(c, issueId, { missing: true }, 'ops').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 409, code: 'SEND_IN_PROGRESS' });
    sender = createSender(c, FAST);
    sender.start();
    await until(() => issueRow(c, issueId).status === 'sent', 10_000, 'issue sent');
    addSubscribers(c, 2, { prefix: 'late' });
    addSubscribers(c, 1, { prefix: 'quit', status: 'unsubscribed' });
    await expect(resendIssue(c, issueId, { email: 'quit0@example.test' }, 'ops')).rejects.toMatchObject({ status: 409, code: 'NOT_CONFIRMED' });
    const res = await resendIssue(c, issueId, { missing: true }, 'ops');
    expect(res.queued).toBe(2);
    await until(() => issueRow(c, issueId).status === 'sent' && sink!.received.length === 5, 10_000, 'late copies');
    expect(sink.received.map((m) => m.envelopeTo[0]).filter((a) => a!.startsWith('late'))).toHaveLength(2);
    expect(sink.received.some((m) => m.envelopeTo[0]!.startsWith('quit'))).toBe(false);
    const again = await resendIssue(c, issueId, { missing: true }, 'ops');
    expect(again.queued).toBe(0);
    const log = c.sqlite.prepare('SELECT kind, queued FROM resend_requests ORDER BY id').all();
    expect(log).toEqual([
      { kind: 'missing', queued: 2 },
      { kind: 'missing', queued: 0 },
    ]);
  });
});
