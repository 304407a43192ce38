import { describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { manualClock } from '../../src/lib/clock.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

// SEND_WARMUP caps each issue's recipients by the day since the first send; a 421 from one receiving domain slows
// that domain only, while every other domain keeps receiving.

const DAY = 86_400_000;

describe('sending gently', () => {
  it('SEND_WARMUP: day 1 reaches the first cap, day 2 the next, and past the list everyone', async () => {
    const clock = manualClock(Date.UTC(2026, 3, 6, 6));
    const ctx = await contextForTest({ clock, env: { SEND_WARMUP: '3,5' } });
    addSubscribers(ctx, 8);
    const counts = (issueId: number) => {
      const rows = deliveryRows(ctx, issueId);
      return { queued: rows.filter((r) => r.status === 'queued').length, held: rows.filter((r) => r.status === 'skipped' && /^warm-up: /.test(r.lastError ?? '')).length };
    };
    const d1 = insertIssue(ctx, { date: '2026-04-06' });
    expect((await sendIssue(ctx, d1)).queued).toBe(3);
    expect(counts(d1)).toEqual({ queued: 3, held: 5 });
    expect(deliveryRows(ctx, d1).find((r) => r.status === 'skipped')!.lastError).toBe('warm-up: day 1 of SEND_WARMUP allows 3 recipients per issue');
    // Queueing again (a new subscriber confirmed meanwhile) never passes the day's cap.
    addSubscribers(ctx, 1, { prefix: 'late' });
    await sendIssue(ctx, d1);
    expect(counts(d1)).toEqual({ queued: 3, held: 6 });
    // The longest-standing subscribers are the ones reached.
    expect(deliveryRows(ctx, d1).filter((r) => r.status === 'queued').map((r) => r.email)).toEqual(['user0@example.test', 'user1@example.test', 'user2@example.test']);

    clock.advance(DAY);
    const d2 = insertIssue(ctx, { date: '2026-04-07' });
    await sendIssue(ctx, d2);
    expect(counts(d2)).toEqual({ queued: 5, held: 4 });
    clock.advance(DAY);
    const d3 = insertIssue(ctx, { date: '2026-04-08' });
    await sendIssue(ctx, d3);
    expect(counts(d3)).toEqual({ queued: 9, held: 0 });
  });

  it('no SEND_WARMUP: no cap', async () => {
    const ctx = await contextForTest();
    addSubscribers(ctx, 4);
    expect((await sendIssue(ctx, insertIssue(ctx))).queued).toBe(4);
  });

  it('a 421 from one receiving domain slows that domain only; the rest are delivered, and it follows once it accepts', async () => {
    let deferring = true;
    const sink = await sinkForTest({
      onRcpt: (address) => (deferring && address.endsWith('@slow.test') ? Object.assign(new Error('4.7.0 Temporarily deferred, try again later'), { responseCode: 421 }) : null),
    });
    const ctx = await contextForTest({ env: { SMTP_URL: sink.url, SMTP_POOL_SIZE: '2' } });
    addSubscribers(ctx, 6, { domain: 'ok.test' });
    addSubscribers(ctx, 2, { prefix: 'slow', domain: 'slow.test' });
    const issueId = insertIssue(ctx);
    await sendIssue(ctx, issueId);
    senderForTest(ctx, { maintenanceMs: 50, idlePollMs: 20, domainBackoffMs: [400, 2000] });
    await sink.waitFor(6);
    await until(() => deliveryRows(ctx, issueId).filter((r) => r.status === 'sent').length === 6, 10_000, 'the other domain delivered');
    const slow = deliveryRows(ctx, issueId).filter((r) => r.email.endsWith('@slow.test'));
    // Waiting, not failed, and no attempt spent; the issue is not paused.
    for (const r of slow) expect(r).toMatchObject({ status: 'queued', attempts: 0 });
    expect((ctx.sqlite.prepare('SELECT paused_reason FROM issues WHERE id = ?').get(issueId) as { paused_reason: string | null }).paused_reason).toBeNull();
    deferring = false;
    await until(() => deliveryRows(ctx, issueId).every((r) => r.status === 'sent'), 15_000, 'the slow domain delivered once it accepts');
    expect(sink.received.filter((m) => m.envelopeTo[0]!.endsWith('@slow.test'))).toHaveLength(2);
  }, 30_000);
});
