// The suppression log beside the database: a database restored from a backup taken before some unsubscribes,
// bounces and erasures never mails those people again, and nobody who consented again afterwards is touched.
import { appendFileSync, copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { closeContext, createContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { markBounced } from '../../src/deliveries/repo.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { manualClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/log.js';
import { confirmSubscriber, eraseSubscriber, recordSignup, unsubscribeSubscriber } from '../../src/subscribers/repo.js';
import { suppressionLogPath } from '../../src/subscribers/suppressions.js';
import { makeTestContext, sqliteOf, testEnv, type TestContext } from '../helpers/context.js';
import { addSubscribers, insertIssue } from '../helpers/deliver-fixtures.js';

let ctx: TestContext | undefined;
const extra: AppContext[] = [];
afterEach(async () => {
  for (const c of extra.splice(0)) await closeContext(c);
  await ctx?.cleanup();
  ctx = undefined;
});

const statusOf = (c: AppContext) =>
  Object.fromEntries((sqliteOf(c).sqlite.prepare('SELECT id, email, status FROM subscribers ORDER BY id').all() as { id: number; email: string | null; status: string }[]).map((s) => [s.id, `${s.status}:${s.email ?? '-'}`]));

describe('the suppression log', () => {
  it('replays unsubscribes, bounces and erasures onto a database restored from before them', async () => {
    // The fixtures confirm subscribers at the real time: the test clock starts there.
    const clock = manualClock(Date.now());
    ctx = await makeTestContext({ clock });
    const c = ctx;
    const [a, b, e, d, keep] = addSubscribers(c, 5) as [number, number, number, number, number];
    clock.advance(3_600_000);
    // d unsubscribes, then signs up and confirms again, all before the backup: the backup holds consent newer
    // than d's line in the log, and the replay must leave d alone.
    await unsubscribeSubscriber(c, d, clock.now(), {});
    clock.advance(60_000);
    const dEmail = (sqliteOf(c).sqlite.prepare('SELECT email FROM subscribers WHERE id = ?').get(d) as { email: string }).email;
    await recordSignup(c, dEmail, null, clock.now(), {});
    await confirmSubscriber(c, d, clock.now(), clock.now() + 1, {});
    clock.advance(3_600_000);

    // The backup, taken while a, b, e, d and keep are all confirmed.
    const dbPath = c.sqlite.name;
    const backup = `${dbPath}.backup`;
    await c.sqlite.backup(backup);

    clock.advance(3_600_000);
    await unsubscribeSubscriber(c, a, clock.now(), { page: 'test' });
    const issueId = insertIssue(c);
    c.sqlite.prepare(`INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, next_attempt_at, lease_owner, lease_until) VALUES (?, ?, 'sending', ?, ?, 0, 'me', ?)`).run(issueId, b, clock.now(), clock.now(), clock.now() + 60_000);
    const deliveryId = (sqliteOf(c).sqlite.prepare('SELECT id FROM deliveries WHERE subscriber_id = ?').get(b) as { id: number }).id;
    await markBounced(c, deliveryId, 'me', b, '550 5.1.1 no such user', clock.now());
    await eraseSubscriber(c, e, clock.now());
    const after = statusOf(c);
    expect(after[a]).toMatch(/^unsubscribed:/);
    expect(after[b]).toMatch(/^bounced:/);
    expect(after[e]).toBe('unsubscribed:-');
    expect(after[d]).toMatch(/^confirmed:/);
    const logText = readFileSync(suppressionLogPath(dbPath)!, 'utf8');
    expect(logText.trim().split('\n')).toHaveLength(4);
    expect(logText).not.toContain('@'); // addresses are hashed, an erased one too

    // Restore the backup over the database, as an operator would, and start again.
    const config = c.config;
    await closeContext(c);
    for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
    copyFileSync(backup, dbPath);
    // A write cut short by a crash leaves a torn last line: it is skipped, the rest still counts.
    appendFileSync(suppressionLogPath(dbPath)!, '{"at":17,"ev');
    const restarted = await createContext(config, { log: silentLogger(), clock });
    extra.push(restarted);
    const restored = statusOf(restarted);
    expect(restored[a]).toMatch(/^unsubscribed:/);
    expect(restored[b]).toMatch(/^bounced:/);
    expect(restored[e]).toBe('unsubscribed:-');
    expect(restored[d]).toMatch(/^confirmed:/);
    expect(restored[keep]).toMatch(/^confirmed:/);
    // Sending from the restored database reaches only those still subscribed.
    const issue = insertIssue(sqliteOf(restarted), { date: '2026-11-02' });
    expect(await sendIssue(restarted, issue)).toMatchObject({ queued: 2 });
    // And a second start changes nothing more.
    await closeContext(restarted);
    extra.pop();
    const again = await createContext(config, { log: silentLogger(), clock });
    extra.push(again);
    expect(statusOf(again)).toEqual(restored);
    ctx = { ...ctx!, cleanup: async () => rmSync(ctx!.dir, { recursive: true, force: true }) };
  });

  it('a start without a suppression log changes nobody', async () => {
    ctx = await makeTestContext();
    const c = ctx;
    const [a] = addSubscribers(c, 1);
    expect(existsSync(suppressionLogPath(c.sqlite.name)!)).toBe(false);
    const restarted = await createContext(loadConfig(testEnv(c.dir), c.dir), { log: silentLogger() });
    extra.push(restarted);
    expect(statusOf(restarted)[a!]).toMatch(/^confirmed:/);
    expect(suppressionLogPath(':memory:')).toBeNull();
  });
});
