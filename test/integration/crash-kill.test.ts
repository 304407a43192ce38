import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { deliveryCounts } from '../../src/deliveries/repo.js';
import { makeTestContext, testEnv, type TestContext } from '../helpers/context.js';
import { startRawSmtp, type RawSmtp } from '../helpers/raw-smtp.js';
import { addSubscribers, insertIssue, until } from '../helpers/deliver-fixtures.js';

let ctx: TestContext | undefined;
let sink: RawSmtp | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await ctx?.cleanup();
  await sink?.close();
  ctx = sink = undefined;
});

const POOL = 4;
/** Accepted copies whose marks are written together: with the pool, what a kill can duplicate. */
const MARKS = 10;
const BOUND = POOL + MARKS;
const received = () => sink!.messages.filter((m) => m.reply.startsWith('250')).length;
const uniqueRecipients = () => new Set(sink!.messages.filter((m) => m.reply.startsWith('250')).map((m) => m.to[0])).size;

function startChild(env: Record<string, string>): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null }>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/sender-process.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => err };
}

async function setupRun() {
  // The raw responder: a peer vanishing mid-session is normal for it (smtp-server would throw ECONNRESET here).
  sink = await startRawSmtp();
  ctx = await makeTestContext({ env: { SMTP_URL: sink.url } });
  addSubscribers(ctx, 300);
  const issueId = insertIssue(ctx);
  await sendIssue(ctx, issueId);
  const env = {
    ...testEnv(ctx.dir, { SMTP_URL: sink.url, SMTP_POOL_SIZE: String(POOL), SEND_MARK_BATCH: String(MARKS), SEND_RATE: '150', LEASE_MS: '1500', LOG_LEVEL: 'warn' }),
    EXIT_WHEN_SENT: String(issueId),
  };
  return { issueId, env };
}

function checkInvariants(issueId: number) {
  const byRcpt = new Map<string, number>();
  for (const m of sink!.messages) if (m.reply.startsWith('250')) byRcpt.set(m.to[0]!, (byRcpt.get(m.to[0]!) ?? 0) + 1);
  expect(byRcpt.size).toBe(300);
  const duplicates = received() - 300;
  return { duplicates, byRcpt, issueId };
}

describe('a kill at any moment, then a restart', () => {
  it('SIGKILL after about a quarter of 300 messages: every subscriber gets the issue, duplicates only for copies in flight or awaiting their mark (at most pool + mark batch)', async () => {
    const { issueId, env } = await setupRun();
    const first = startChild(env);
    await until(() => received() >= 75, 30_000, 'a quarter sent');
    first.child.kill('SIGKILL');
    const e1 = await first.exited;
    expect(e1.signal).toBe('SIGKILL');
    const before = received();
    expect(before).toBeLessThan(300);

    const second = startChild(env);
    const e2 = await second.exited;
    expect(e2.code, second.stderr()).toBe(0);
    const { duplicates } = checkInvariants(issueId);
    expect(duplicates).toBeLessThanOrEqual(BOUND);
    const counts = await deliveryCounts(ctx!, issueId);
    expect(counts).toMatchObject({ sent: 300, queued: 0, sending: 0, failed: 0 });
    // Every copy that may have gone twice is counted as uncertain.
    expect(counts.uncertain).toBeGreaterThanOrEqual(duplicates);
    expect(second.stderr()).toContain('queued again');
  }, 90_000);

  it('killed with a full batch of accepted copies awaiting their marks: those are resent, and no more than pool + mark batch', async () => {
    const { issueId, env } = await setupRun();
    // Marks written only when a batch is full: at the 3rd batch's last acceptance, about MARKS copies are accepted but unrecorded.
    // Paced (SEND_RATE 150), so each batch is written as it fills, with no copy accepted in between.
    const first = startChild({ ...env, MARK_FLUSH_MS: '60000', CRASH_AT: 'after_smtp_ok', CRASH_AFTER: String(3 * MARKS) });
    expect((await first.exited).code).toBe(137);
    const before = received();
    expect(before).toBeGreaterThanOrEqual(3 * MARKS);
    const second = startChild(env);
    expect((await second.exited).code, second.stderr()).toBe(0);
    const { duplicates } = checkInvariants(issueId);
    // More than the pool alone could explain (the batch is real: a flush may have taken a copy or two more than the
    // batch, so the last one holds a few less), never more than the documented bound.
    expect(duplicates).toBeGreaterThan(POOL);
    expect(duplicates).toBeLessThanOrEqual(BOUND);
    const counts = await deliveryCounts(ctx!, issueId);
    expect(counts).toMatchObject({ sent: 300, queued: 0, sending: 0, failed: 0 });
    expect(counts.uncertain).toBeGreaterThanOrEqual(duplicates);
  }, 90_000);

  it('a restart on the same host takes back the dead process\'s claims at once: the send finishes within 5 s, not after the 30 s lease', async () => {
    const { issueId, env } = await setupRun();
    const slowLease = { ...env, LEASE_MS: '30000' };
    const first = startChild(slowLease);
    await until(() => received() >= 100, 30_000, 'a third sent');
    first.child.kill('SIGKILL');
    await first.exited;
    const held = (ctx!.sqlite.prepare(`SELECT count(*) AS n FROM deliveries WHERE status = 'sending'`).get() as { n: number }).n;
    expect(held).toBeGreaterThan(0); // the killed process left claims that a plain lease would hold for 30 s
    const second = startChild(slowLease);
    await new Promise<void>((resolve) => second.child.stdout!.on('data', (d) => String(d).includes('ready') && resolve()));
    const readyAt = Date.now();
    await until(() => uniqueRecipients() === 300, 5000, 'every subscriber within 5 s of the restart');
    expect(Date.now() - readyAt).toBeLessThan(5000);
    expect((await second.exited).code, second.stderr()).toBe(0);
    expect(second.stderr()).toContain('process that died');
    expect(checkInvariants(issueId).duplicates).toBeLessThanOrEqual(BOUND);
  }, 90_000);

  it('killed between the server\'s 250 and the ledger write: that copy is resent once and counted as uncertain', async () => {
    const { issueId, env } = await setupRun();
    const first = startChild({ ...env, CRASH_AT: 'after_smtp_ok', CRASH_AFTER: '40' });
    const e1 = await first.exited;
    expect(e1.code).toBe(137);
    const second = startChild(env);
    expect((await second.exited).code, second.stderr()).toBe(0);
    const { duplicates } = checkInvariants(issueId);
    expect(duplicates).toBeGreaterThanOrEqual(1);
    expect(duplicates).toBeLessThanOrEqual(BOUND);
    const counts = await deliveryCounts(ctx!, issueId);
    expect(counts).toMatchObject({ sent: 300, queued: 0, sending: 0 });
    expect(counts.uncertain).toBeGreaterThanOrEqual(duplicates);
  }, 90_000);

  it('SIGTERM while the relay hangs after the final dot: the process exits within the 10 s drain cap; the lease brings those rows back', async () => {
    sink = await startRawSmtp((stage) => (stage === 'dot' ? 'HANG' : null));
    ctx = await makeTestContext({ env: { SMTP_URL: sink.url } });
    addSubscribers(ctx, 20);
    const issueId = insertIssue(ctx);
    await sendIssue(ctx, issueId);
    const child = startChild(testEnv(ctx.dir, { SMTP_URL: sink.url, SMTP_POOL_SIZE: '2', LOG_LEVEL: 'warn' }));
    await until(() => sink!.messages.length >= 2, 15_000, 'two messages hanging after their dot');
    const t0 = Date.now();
    child.child.kill('SIGTERM');
    const e = await child.exited;
    const took = Date.now() - t0;
    expect(e.code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(9000);
    expect(took).toBeLessThan(20_000);
    expect(child.stderr()).toContain('abandoned to their lease');
    // Nothing marked sent that the relay never confirmed; those two stay claimed until their lease runs out.
    const counts = await deliveryCounts(ctx, issueId);
    expect(counts.sent).toBe(0);
    expect(counts.sending).toBe(2);
    expect(counts.queued).toBe(18);
  }, 60_000);

  it('SIGTERM mid-run: no new claims, in-flight messages finish and are marked, nothing left sending; a restart finishes without duplicates', async () => {
    const { issueId, env } = await setupRun();
    const first = startChild(env);
    await until(() => received() >= 60, 30_000, 'some sent');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const mid = await deliveryCounts(ctx!, issueId);
    expect(mid.sending).toBe(0);
    expect(mid.sent).toBe(received());
    const second = startChild(env);
    expect((await second.exited).code, second.stderr()).toBe(0);
    const { duplicates } = checkInvariants(issueId);
    expect(duplicates).toBe(0);
    expect((await deliveryCounts(ctx!, issueId)).uncertain).toBe(0);
  }, 90_000);
});
