// Several `newsdesk serve` processes on one PostgreSQL database and one SMTP sink: every subscriber gets one copy,
// a killed sender costs at most its own in-flight copies, a date runs once, and SEND_RATE is one budget for all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeContext, createContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { PgStore } from '../../src/db/postgres/index.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { silentLogger } from '../../src/lib/log.js';
import { spawnCli } from '../helpers/cli.js';
import { addConfirmed, testEnv } from '../helpers/context.js';
import { until } from '../helpers/deliver-fixtures.js';
import { freePort } from '../helpers/server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';
import { TEST_DATABASE_URL, createTestDatabase } from '../contract/backends.js';

const skip = !TEST_DATABASE_URL;
if (skip) console.warn('multi-process tests skipped: no PostgreSQL server (set TEST_DATABASE_URL; .ci/run does)');

interface Proc {
  kill(signal: NodeJS.Signals): void;
  pid: number;
  url: string;
  log(): string;
  stop(): Promise<void>;
}

describe.skipIf(skip)('many instances on one PostgreSQL database', () => {
  let db: { url: string; drop(): Promise<void> };
  let dir: string;
  let ctx: AppContext;
  let sink: SmtpSink;
  const procs: Proc[] = [];

  beforeEach(async () => {
    db = await createTestDatabase('nd_multi');
    dir = mkdtempSync(join(tmpdir(), 'newsdesk-multi-'));
    sink = await startSmtpSink();
    ctx = await createContext(loadConfig(env(), dir), { log: silentLogger() });
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    await closeContext(ctx);
    await sink.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return { ...testEnv(dir, { LOG_LEVEL: 'info' }), DATABASE_URL: db.url, SMTP_URL: sink?.url ?? 'smtp://127.0.0.1:1', SMTP_POOL_SIZE: '4', SEND_MARK_BATCH: '8', HOST: '127.0.0.1', ...extra };
  }

  async function serve(extra: Record<string, string>): Promise<Proc> {
    const port = await freePort();
    const child = spawnCli(['serve'], env({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...extra }));
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const p: Proc = {
      pid: child.pid!,
      url: `http://127.0.0.1:${port}`,
      kill: (s) => child.kill(s),
      log: () => log,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
    procs.push(p);
    return p;
  }

  async function queuedIssue(n: number): Promise<number> {
    await addConfirmed(ctx, Array.from({ length: n }, (_, i) => ({ email: `reader${i}@example.com` })));
    const r = await ctx.store.issues.insertIssue({
      date: '2026-11-02',
      windowStart: 0,
      cutoffAt: 1,
      subject: 'Multi',
      preheader: '',
      html: '<p>Hello</p>',
      text: 'Hello',
      signalArticleId: null,
      patternsJson: '[]',
      digestJson: '{}',
      now: Date.now(),
      articles: [],
    });
    if (!('created' in r)) throw new Error('no issue');
    await sendIssue(ctx, r.created.id);
    return r.created.id;
  }

  const copiesPerRecipient = () => {
    const m = new Map<string, number>();
    for (const mail of sink.received) for (const to of mail.envelopeTo) m.set(to, (m.get(to) ?? 0) + 1);
    return m;
  };
  const issueStatus = async (id: number) => (await ctx.store.issues.getIssue(id))?.status;

  it('three processes send one issue to 3,000 subscribers: each gets exactly one copy, and all three took part', async () => {
    const id = await queuedIssue(3000);
    const ps = await Promise.all([1, 2, 3].map(() => serve({ SERVICES: 'http,sender' })));
    await until(async () => (await issueStatus(id)) === 'sent', 90_000, 'the issue to be sent');
    for (const p of ps) expect(await fetch(`${p.url}/healthz`).then((r) => r.json())).toEqual({ ok: true, db: 'postgres' });
    const copies = copiesPerRecipient();
    expect(copies.size).toBe(3000);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    // Each process sent its share of the one queue (it says how many when it stops).
    await Promise.all(ps.map((p) => p.stop()));
    const shares = ps.map((p) => Number(/"sent":(\d+)[^\n]*sender stopped/.exec(p.log())?.[1] ?? -1));
    expect(shares.reduce((a, b) => a + b, 0)).toBe(3000);
    for (const n of shares) expect(n).toBeGreaterThan(0);
    const counts = await ctx.store.deliveries.deliveryCounts(id);
    expect(counts).toMatchObject({ sent: 3000, queued: 0, sending: 0, uncertain: 0 });
  }, 150_000);

  it('SIGKILL of one sender at a third: every copy arrives, duplicates only among the killed process\'s in-flight or unrecorded messages', async () => {
    const id = await queuedIssue(3000);
    const ps = await Promise.all([1, 2, 3].map(() => serve({ SERVICES: 'sender' })));
    await until(() => sink.received.length >= 1000, 60_000, 'a third of the copies');
    ps[0]!.kill('SIGKILL');
    await until(async () => (await issueStatus(id)) === 'sent', 90_000, 'the others to finish the issue');
    const copies = copiesPerRecipient();
    expect(copies.size).toBe(3000);
    const twice = [...copies].filter(([, n]) => n > 1).map(([to]) => to);
    // At most what the killed process had handed to SMTP and not yet recorded: its pool of 4 connections and its
    // batch of 8 accepted copies awaiting their marks.
    expect(twice.length).toBeLessThanOrEqual(4 + 8);
    expect([...copies.values()].every((n) => n <= 2)).toBe(true);
    // Each duplicate is a delivery the ledger counts as uncertain (taken back from the dead process), none else.
    const h = (ctx.store as PgStore).handle;
    const uncertain = (await h.query<{ email: string }>(`SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.issue_id = ? AND d.uncertain > 0`, [id])).rows.map((r) => r.email);
    for (const to of twice) expect(uncertain).toContain(to);
  }, 180_000);

  it('two schedulers at the cron time: one issue, sent once', async () => {
    // A feed with fresh articles, and a schedule that has run here before, whose send time passed a minute ago.
    const items = [1, 2, 3]
      .map((h) => `<item><title>Story ${h}</title><link>https://blog.example/${h}</link><guid>s${h}</guid><pubDate>${new Date(Date.now() - h * 3_600_000).toUTCString()}</pubDate><description>We cut p99 latency by ${h}0 ms with a new queue.</description></item>`)
      .join('');
    const feeds = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>https://blog.example/</link>${items}</channel></rss>`);
    });
    await new Promise<void>((r) => feeds.listen(0, '127.0.0.1', r));
    try {
      const sources = join(dir, 'sources.opml');
      writeFileSync(sources, `<?xml version="1.0"?><opml version="2.0"><body><outline text="Blog" xmlUrl="http://127.0.0.1:${(feeds.address() as AddressInfo).port}/feed.xml"/></body></opml>`);
      await addConfirmed(ctx, Array.from({ length: 50 }, (_, i) => ({ email: `daily${i}@example.com` })));
      await ctx.store.jobs.scheduleStartedAt(Date.now() - 2 * 24 * 3_600_000);
      const past = new Date(Date.now() - 60_000);
      const schedule = {
        SERVICES: 'scheduler,sender',
        SOURCES_FILE: sources,
        DIGEST_CRON: `${past.getUTCMinutes()} ${past.getUTCHours()} * * *`,
        DIGEST_TIMEZONE: 'UTC',
        DIGEST_CATCHUP_HOURS: '2',
      };
      await Promise.all([serve(schedule), serve(schedule)]);
      await until(() => sink.received.length >= 50, 90_000, 'the daily issue to reach everyone');
      await until(async () => (await ctx.store.issues.listAllIssues({ limit: 5, offset: 0 }))[0]?.status === 'sent', 30_000, 'the issue to be sent');
      await new Promise((r) => setTimeout(r, 1500)); // a second run, had there been one, would show by now
      const issues = await ctx.store.issues.listAllIssues({ limit: 5, offset: 0 });
      expect(issues).toHaveLength(1);
      expect(issues[0]!.date).toBe(past.toISOString().slice(0, 10));
      const copies = copiesPerRecipient();
      expect(copies.size).toBe(50);
      expect([...copies.values()].every((n) => n === 1)).toBe(true);
      const runs = await ctx.store.jobs.listJobRuns('daily');
      expect(runs.map((r) => [r.date, r.status])).toEqual([[issues[0]!.date, 'queued']]);
    } finally {
      await new Promise<void>((r) => feeds.close(() => r()));
    }
  }, 150_000);

  it('SEND_RATE=200 across three senders holds at 200 messages a second in all, not 600', async () => {
    const id = await queuedIssue(1500);
    await Promise.all([1, 2, 3].map(() => serve({ SERVICES: 'sender', SEND_RATE: '200' })));
    await until(async () => (await issueStatus(id)) === 'sent', 60_000, 'the issue to be sent');
    // The pace between the 10th and the 90th percentile of arrivals (start-up and the tail left out).
    const times = sink.received.map((m) => m.receivedAt).sort((a, b) => a - b);
    const lo = times[Math.floor(times.length * 0.1)]!;
    const hi = times[Math.floor(times.length * 0.9)]!;
    const rate = (times.length * 0.8) / ((hi - lo) / 1000);
    expect(rate).toBeGreaterThan(180);
    expect(rate).toBeLessThan(220);
    expect(copiesPerRecipient().size).toBe(1500);
  }, 120_000);
});
