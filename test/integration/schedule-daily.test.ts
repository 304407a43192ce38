import { afterEach, describe, expect, it } from 'vitest';
import { closeContext, createContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { runDaily } from '../../src/jobs/daily.js';
import { acquireLease, getJobRun, listJobRuns } from '../../src/jobs/repo.js';
import { createScheduler, FAILED_RETRY_MIN_MS, type Scheduler } from '../../src/jobs/scheduler.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { manualClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/log.js';
import { makeTestContext, sqliteOf, testEnv, type TestContext } from '../helpers/context.js';
import { addSubscribers } from '../helpers/deliver-fixtures.js';

// Real ingest needs the internet: the daily job's first step is replaced by a no-op; assembling and
// queueing are the real ones, over articles stored directly.
const noIngest = { ingest: async () => ({}) };

let ctx: TestContext | undefined;
const extra: AppContext[] = [];
const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  for (const c of extra.splice(0)) await closeContext(c);
  await ctx?.cleanup();
  ctx = undefined;
});

function addArticles(c: Pick<TestContext, 'sqlite'>, at: number, n = 3) {
  const src = c.sqlite
    .prepare(`INSERT INTO sources (feed_url, name, created_at) VALUES (?, ?, ?) ON CONFLICT (feed_url) DO UPDATE SET name = excluded.name RETURNING id`)
    .get('https://blog.example.test/feed.xml', 'Example Engineering', at) as { id: number };
  const ins = c.sqlite.prepare(
    `INSERT INTO articles (source_id, guid, url, canonical_url, title, published_at, date_source, first_seen_at, content_html, content_text, summary, content_hash)
     VALUES (?, ?, ?, ?, ?, ?, 'feed', ?, '<p>x</p>', 'Scaling queues with care.', 'Scaling queues with care.', ?)`,
  );
  for (let i = 0; i < n; i++) {
    const url = `https://blog.example.test/${at}/${i}`;
    ins.run(src.id, url, url, url, `Scaling queues part ${i}`, at - (i + 1) * 60_000, at, `h${at}${i}`);
  }
}

const clockAt = (iso: string) => manualClock(new Date(iso));

/** A database whose schedule has run for a while (catch-up applies), unless `fresh`: a brand-new installation. */
async function setup(iso: string, env: Record<string, string> = {}, o: { fresh?: boolean } = {}) {
  const clock = clockAt(iso);
  ctx = await makeTestContext({ env: { DIGEST_CRON: '0 6 * * *', DIGEST_TIMEZONE: 'UTC', ...env }, clock });
  if (!o.fresh) ctx.sqlite.prepare(`INSERT INTO settings (key, value) VALUES ('schedule_started_at', ?)`).run(String(Date.parse(iso) - 30 * 86_400_000));
  addSubscribers(ctx, 5);
  return { c: ctx, clock };
}

const issues = (c: AppContext) => sqliteOf(c).sqlite.prepare('SELECT id, date, status FROM issues ORDER BY date').all() as { id: number; date: string; status: string }[];
const deliveriesOf = (c: AppContext) => (sqliteOf(c).sqlite.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }).n;

describe('the daily schedule', () => {
  it('a cron firing twice runs the date once: one issue, one delivery per subscriber', async () => {
    const { c } = await setup('2026-04-06T06:00:02Z');
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const s = createScheduler(c, { steps: noIngest });
    const first = await s.fireDaily('cron');
    const second = await s.fireDaily('cron');
    expect(first).toMatchObject({ status: 'queued', date: '2026-04-06' });
    expect(second).toMatchObject({ status: 'already_done', previous: 'queued' });
    expect(issues(c)).toHaveLength(1);
    expect(issues(c)[0]).toMatchObject({ date: '2026-04-06', status: 'sending' });
    expect(deliveriesOf(c)).toBe(5);
  });

  it('two processes on the same database file: one runs the date, the other idles', async () => {
    const { c, clock } = await setup('2026-04-06T06:00:02Z');
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const other = await createContext(loadConfig(testEnv(c.dir, { DIGEST_CRON: '0 6 * * *' }), c.dir), { log: silentLogger(), clock });
    extra.push(other);
    const a = createScheduler(c, { steps: noIngest });
    const b = createScheduler(other, { steps: noIngest });
    const results = await Promise.all([a.fireDaily('cron'), b.fireDaily('cron'), a.catchUp(), b.catchUp()]);
    const statuses = results.map((r) => (r && 'status' in r ? r.status : r && 'action' in r ? r.action : null));
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(1);
    expect(issues(c)).toHaveLength(1);
    expect(deliveriesOf(c)).toBe(5);
    // The lease row itself: a live holder keeps it; once expired another owner takes it.
    const now = clock.now();
    expect(await acquireLease(c, 'test-lease', 'A', 1000, now)).toBe(true);
    expect(await acquireLease(other, 'test-lease', 'B', 1000, now + 500)).toBe(false);
    expect(await acquireLease(other, 'test-lease', 'B', 1000, now + 1500)).toBe(true);
  });

  it('a start 3 hours after a missed cron time catches the date up, once', async () => {
    const { c, clock } = await setup('2026-04-06T09:00:00Z');
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const s = createScheduler(c, { steps: noIngest });
    const r = await s.catchUp();
    expect(r).toMatchObject({ action: 'ran', date: '2026-04-06', outcome: { status: 'queued' } });
    clock.advance(60_000);
    expect(await s.catchUp()).toMatchObject({ action: 'none' });
    expect(await s.fireDaily('cron')).toMatchObject({ status: 'already_done' });
    expect(issues(c)).toHaveLength(1);
  });

  it('a brand-new installation started after the send time sends nothing by itself; the next day runs on schedule, and is caught up if missed', async () => {
    const { c, clock } = await setup('2026-04-06T09:00:00Z', {}, { fresh: true });
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const s = createScheduler(c, { steps: noIngest, watchdogMs: 3_600_000 });
    schedulers.push(s);
    await s.start();
    expect(await s.catchUp()).toMatchObject({ action: 'none', reason: expect.stringContaining('before this installation') });
    expect(issues(c)).toEqual([]);
    expect(deliveriesOf(c)).toBe(0);
    expect(await listJobRuns(c, 'daily')).toEqual([]);
    // A restart the same day still waits; the date is not used up or marked skipped.
    clock.advance(3_600_000);
    expect(await createScheduler(c, { steps: noIngest }).catchUp()).toMatchObject({ action: 'none' });
    // The next day's send time was missed (down at 06:00, back at 08:00): this schedule ran before, so it catches up.
    clock.set(Date.parse('2026-04-07T08:00:00Z'));
    addArticles(c, Date.parse('2026-04-07T05:00:00Z'));
    expect(await s.catchUp()).toMatchObject({ action: 'ran', date: '2026-04-07', outcome: { status: 'queued' } });
    expect(issues(c).map((i) => i.date)).toEqual(['2026-04-07']);
  });

  it('a database that ran issues before the start date was recorded counts from its first run', async () => {
    const { c } = await setup('2026-04-06T09:00:00Z', {}, { fresh: true });
    sqliteOf(c).sqlite.prepare(`INSERT INTO job_runs (job, date, status, started_at, finished_at) VALUES ('daily', '2026-04-01', 'queued', ?, ?)`).run(Date.parse('2026-04-01T06:00:00Z'), Date.parse('2026-04-01T06:01:00Z'));
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    expect(await createScheduler(c, { steps: noIngest }).catchUp()).toMatchObject({ action: 'ran', date: '2026-04-06' });
  });

  it('a failed run is tried again inside the catch-up window, waiting longer after each failure', async () => {
    const { c, clock } = await setup('2026-04-06T06:00:02Z');
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    let failures = 2;
    const flaky = {
      ...noIngest,
      assemble: async (cx: AppContext, date: string) => {
        if (failures-- > 0) throw new Error('database is locked');
        return assembleIssue(cx, date);
      },
    };
    const s = createScheduler(c, { steps: flaky });
    expect(await s.fireDaily('cron')).toMatchObject({ status: 'failed', error: 'database is locked' });
    clock.advance(60_000);
    expect(await s.catchUp()).toMatchObject({ action: 'none', reason: expect.stringContaining('next try') });
    // Two hours late, the second try fails too; the next waits half of that lateness (an hour), not five minutes.
    clock.set(new Date('2026-04-06T08:00:00Z'));
    expect(await s.catchUp()).toMatchObject({ action: 'ran', outcome: { status: 'failed' } });
    clock.set(new Date('2026-04-06T08:00:00Z').getTime() + FAILED_RETRY_MIN_MS + 60_000);
    expect(await s.catchUp()).toMatchObject({ action: 'none' });
    clock.set(new Date('2026-04-06T09:00:01Z'));
    expect(await s.catchUp()).toMatchObject({ action: 'ran', outcome: { status: 'queued' } });
    expect(issues(c)).toHaveLength(1);
    expect(deliveriesOf(c)).toBe(5);
    clock.advance(FAILED_RETRY_MIN_MS * 10);
    expect(await s.catchUp()).toMatchObject({ action: 'none', reason: expect.stringContaining('already queued') });
  });

  it('a failed run is not tried again past DIGEST_CATCHUP_HOURS: it waits for the operator', async () => {
    const { c, clock } = await setup('2026-04-06T06:00:02Z', { DIGEST_CATCHUP_HOURS: '2' });
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const broken = { ...noIngest, assemble: async () => Promise.reject(new Error('disk I/O error')) };
    const s = createScheduler(c, { steps: broken });
    expect(await s.fireDaily('cron')).toMatchObject({ status: 'failed' });
    clock.set(new Date('2026-04-06T08:00:03Z'));
    expect(await s.catchUp()).toMatchObject({ action: 'none', reason: expect.stringContaining('run it by hand') });
    expect(await getJobRun(c, 'daily', '2026-04-06')).toMatchObject({ status: 'failed', detail: 'disk I/O error' });
  });

  it('a miss older than DIGEST_CATCHUP_HOURS is logged as skipped and never sent late', async () => {
    const { c } = await setup('2026-04-06T13:00:00Z', { DIGEST_CATCHUP_HOURS: '6' });
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const s = createScheduler(c, { steps: noIngest });
    expect(await s.catchUp()).toMatchObject({ action: 'skipped', date: '2026-04-06' });
    expect(await getJobRun(c, 'daily', '2026-04-06')).toMatchObject({ status: 'skipped' });
    expect(issues(c)).toHaveLength(0);
    // Not even a second look later.
    expect(await s.catchUp()).toMatchObject({ action: 'none' });
  });

  it('DIGEST_CATCHUP_HOURS=0 turns catch-up off', async () => {
    const { c } = await setup('2026-04-06T06:30:00Z', { DIGEST_CATCHUP_HOURS: '0' });
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const s = createScheduler(c, { steps: noIngest });
    expect(await s.catchUp()).toMatchObject({ action: 'skipped' });
    expect(issues(c)).toHaveLength(0);
  });

  it('spring forward in Europe/Berlin: a 02:30 send time that does not exist still gets its issue (just after the gap)', async () => {
    // 2026-03-29: clocks jump from 02:00 to 03:00 local; node-cron never fires 02:30 that day.
    const { c, clock } = await setup('2026-03-29T00:59:00Z', { DIGEST_CRON: '30 2 * * *', DIGEST_TIMEZONE: 'Europe/Berlin' });
    addArticles(c, Date.parse('2026-03-28T22:00:00Z'));
    const s = createScheduler(c, { steps: noIngest });
    // 01:59 local, just before the gap: the latest send time is yesterday's, long past.
    expect(await s.catchUp()).toMatchObject({ action: 'skipped', date: '2026-03-28' });
    clock.set(new Date('2026-03-29T01:32:00Z')); // 03:32 local, the watchdog's next look
    const r = await s.catchUp();
    expect(r).toMatchObject({ action: 'ran', date: '2026-03-29', outcome: { status: 'queued' } });
    expect(issues(c).map((i) => i.date)).toEqual(['2026-03-29']);
  });

  it('fall back in Europe/Berlin: 02:30 happens twice, the date gets one issue', async () => {
    // 2026-10-25: 02:30 local is 00:30Z and again 01:30Z.
    const { c, clock } = await setup('2026-10-25T00:30:01Z', { DIGEST_CRON: '30 2 * * *', DIGEST_TIMEZONE: 'Europe/Berlin' });
    addArticles(c, Date.parse('2026-10-24T22:00:00Z'));
    const s = createScheduler(c, { steps: noIngest });
    expect(await s.fireDaily('cron')).toMatchObject({ status: 'queued', date: '2026-10-25' });
    clock.set(new Date('2026-10-25T01:30:01Z'));
    expect(await s.fireDaily('cron')).toMatchObject({ status: 'already_done', date: '2026-10-25' });
    expect(issues(c)).toHaveLength(1);
    expect(deliveriesOf(c)).toBe(5);
  });

  it('DIGEST_REVIEW assembles and waits for the operator; an empty window sends nothing and says why', async () => {
    const { c, clock } = await setup('2026-04-06T06:00:02Z', { DIGEST_REVIEW: 'true' });
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const r = await runDaily(c, '2026-04-06', { steps: noIngest });
    expect(r).toMatchObject({ status: 'review' });
    expect(issues(c)[0]).toMatchObject({ status: 'draft' });
    expect(deliveriesOf(c)).toBe(0);
    clock.set(new Date('2026-04-07T06:00:02Z'));
    const empty = await runDaily(c, '2026-04-07', { steps: noIngest });
    expect(empty.status).toBe('empty');
    expect((await listJobRuns(c, 'daily')).map((j) => [j.date, j.status])).toEqual([
      ['2026-04-07', 'empty'],
      ['2026-04-06', 'review'],
    ]);
  });

  it('a run left "running" by a crashed process is taken over once its lease expires', async () => {
    const { c, clock } = await setup('2026-04-06T06:00:02Z');
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    // What a process killed mid-run leaves: a running row and a held lease.
    sqliteOf(c).sqlite.prepare(`INSERT INTO job_runs (job, date, status, started_at) VALUES ('daily', '2026-04-06', 'running', ?)`).run(clock.now());
    await acquireLease(c, 'daily:2026-04-06', 'dead-process', 30 * 60_000, clock.now());
    expect(await runDaily(c, '2026-04-06', { steps: noIngest })).toMatchObject({ status: 'busy' });
    clock.advance(31 * 60_000);
    const s = createScheduler(c, { steps: noIngest });
    expect(await s.catchUp()).toMatchObject({ action: 'ran', outcome: { status: 'queued' } });
    expect(issues(c)).toHaveLength(1);
  });

  it('a clock that went back before the newest issue, or jumped a year past it, is refused for scheduled runs', async () => {
    const { c, clock } = await setup('2026-04-06T06:00:02Z');
    addArticles(c, Date.parse('2026-04-06T05:00:00Z'));
    const s = createScheduler(c, { steps: noIngest });
    expect(await s.fireDaily()).toMatchObject({ status: 'queued', date: '2026-04-06' });
    // NTP or a bad RTC puts the clock two days back: nothing assembled, nothing queued, a reason given.
    clock.set(new Date('2026-04-04T06:00:02Z'));
    addArticles(c, Date.parse('2026-04-04T05:30:00Z'));
    expect(await s.fireDaily()).toMatchObject({ status: 'refused', date: '2026-04-04', reason: expect.stringContaining('2026-04-06') });
    clock.set(new Date('2099-01-01T06:00:02Z'));
    expect(await s.fireDaily()).toMatchObject({ status: 'refused', reason: expect.stringContaining('more than a year') });
    expect(issues(c).map((i) => i.date)).toEqual(['2026-04-06']);
    expect(deliveriesOf(c)).toBe(5);
    // The operator can still run an older date by hand.
    expect(await runDaily(c, '2026-04-05', { steps: noIngest, trigger: 'cli' })).not.toMatchObject({ status: 'refused' });
  });
});
