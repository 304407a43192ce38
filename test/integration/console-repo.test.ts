import { afterEach, expect, test } from 'vitest';
import { resendReach, subscriberTrend } from '../../src/http/console/repo.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { addSubscribers, insertIssue } from '../helpers/deliver-fixtures.js';

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 27, 12, 0);

test('the 30-day trend counts who was confirmed at each day’s end', async () => {
  ctx = await makeTestContext();
  const ins = ctx.sqlite.prepare(
    `INSERT INTO subscribers (email, status, created_at, updated_at, confirmed_at, unsubscribed_at, bounced_at) VALUES (?, ?, 0, 0, ?, ?, ?)`,
  );
  ins.run('old@example.com', 'confirmed', NOW - 100 * DAY, null, null); // there all along
  ins.run('new@example.com', 'confirmed', NOW - 10 * DAY - 1000, null, null); // joined 10 days ago
  ins.run('left@example.com', 'unsubscribed', NOW - 40 * DAY, NOW - 5 * DAY - 1000, null); // left 5 days ago
  ins.run('bounced@example.com', 'bounced', NOW - 40 * DAY, null, NOW - 2 * DAY - 1000); // bounced 2 days ago
  ins.run('pending@example.com', 'pending', null, null, null); // never counted
  const { points } = await subscriberTrend(ctx, NOW);
  expect(points).toHaveLength(30);
  expect(points.at(-1)!.at).toBe(NOW);
  const at = (daysAgo: number) => points[29 - daysAgo]!.confirmed;
  expect(at(29)).toBe(3); // old, left, bounced
  expect(at(10)).toBe(4); // new joined just before this day's end
  expect(at(5)).toBe(3); // left is gone
  expect(at(2)).toBe(2); // bounced is gone
  expect(at(0)).toBe(2);
});

test('resend reach counts confirmed people only', async () => {
  ctx = await makeTestContext();
  const ids = addSubscribers(ctx, 3);
  addSubscribers(ctx, 2, { status: 'unsubscribed', prefix: 'gone' });
  const issueId = insertIssue(ctx);
  const now = Date.now();
  ctx.sqlite.prepare(`INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at) VALUES (?, ?, 'failed', ?, ?)`).run(issueId, ids[0], now, now);
  expect(await resendReach(ctx, issueId, { kind: 'failed' })).toBe(1);
  expect(await resendReach(ctx, issueId, { kind: 'missing' })).toBe(2);
  expect(await resendReach(ctx, issueId, { kind: 'email', email: 'user1@example.test' })).toBe(1);
  expect(await resendReach(ctx, issueId, { kind: 'email', email: 'gone0@example.test' })).toBe(0);
  ctx.sqlite.prepare(`UPDATE subscribers SET status = 'bounced' WHERE id = ?`).run(ids[0]);
  expect(await resendReach(ctx, issueId, { kind: 'failed' })).toBe(0);
});

test('failing sources are grouped by their error, the largest outage first', async () => {
  const { groupFailures } = await import('../../src/http/console/today.js');
  const src = (name: string, lastError: string, consecutiveFailures = 1) =>
    ({ name, lastError, consecutiveFailures }) as Parameters<typeof groupFailures>[0][number];
  const groups = groupFailures([src('A', 'HTTP 500', 7), src('B', 'ENOTFOUND'), src('C', 'ENOTFOUND', 3), src('D', 'ENOTFOUND')]);
  expect(groups).toEqual([
    { error: 'ENOTFOUND', names: ['B', 'C', 'D'], worst: 3 },
    { error: 'HTTP 500', names: ['A'], worst: 7 },
  ]);
});
