// Many instances: send throughput of 1, 2 and 4 `newsdesk serve` sender processes on one PostgreSQL database against
// one SMTP sink, beside 1 process on SQLite, in the same run; then queueing 1,000,000 deliveries on PostgreSQL.
// The sink answers each message after SINK_DELAY_MS (a relay across a network), so the sink is not the limit and each
// sender is bound by its own connections, as in production. Needs TEST_DATABASE_URL (or BENCH_DATABASE_URL).
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/instances.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { closeContext, createContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import type { PgStore } from '../src/db/postgres/index.js';
import { sendIssue } from '../src/deliveries/send.js';
import { silentLogger } from '../src/lib/log.js';
import { createTestDatabase } from '../test/contract/backends.js';

const N = Number(process.env.BENCH_N ?? 4000);
const POOL = Number(process.env.BENCH_POOL ?? 2);
const DELAY = Number(process.env.SINK_DELAY_MS ?? 10);
const BIN = join(process.cwd(), 'bin', 'newsdesk.js');

if (!process.env.TEST_DATABASE_URL) {
  console.error('bench/instances.ts needs a PostgreSQL server: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test');
  process.exit(2);
}

/** A sink that accepts everything after a fixed delay and records when each message arrived. */
async function sink() {
  const times: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', () => {});
      stream.on('end', () => setTimeout(() => (times.push(Date.now()), cb()), DELAY));
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as { port: number }).port, times, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function envFor(dir: string, databaseUrl: string, smtpPort: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl,
    SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    PUBLIC_URL: 'https://news.example.com',
    POSTAL_ADDRESS: '1 Bench Street, Benchville',
    LOG_LEVEL: 'warn',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_POOL_SIZE: String(POOL),
    SERVICES: 'sender',
  };
}

async function seed(ctx: AppContext, n: number): Promise<number> {
  const rows = Array.from({ length: n }, (_, i) => ({
    line: i + 1,
    email: `reader${i}@bench.example`,
    name: null,
    status: 'confirmed' as const,
    createdAt: 1,
    confirmedAt: 1,
    unsubscribedAt: null,
    bouncedAt: null,
    consentSource: 'import',
    statedConsentAt: 1,
  }));
  for (let i = 0; i < rows.length; i += 2000) await ctx.store.subscribers.importSubscriberBatch(rows.slice(i, i + 2000), new Map(), 1);
  const r = await ctx.store.issues.insertIssue({ date: '2026-11-02', windowStart: 0, cutoffAt: 1, subject: 'Bench', preheader: '', html: `<p>${'x'.repeat(20_000)}</p>`, text: 'x'.repeat(5000), signalArticleId: null, patternsJson: '[]', digestJson: '{}', now: Date.now(), articles: [] });
  if (!('created' in r)) throw new Error('no issue');
  await sendIssue(ctx, r.created.id);
  return r.created.id;
}

/** Messages per second between the 5th and the 95th percentile of arrivals, with `procs` sender processes. */
async function run(kind: 'sqlite' | 'postgres', procs: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'nd-bench-inst-'));
  const db = kind === 'postgres' ? await createTestDatabase('nd_bench') : null;
  const url = db ? db.url : `file:${join(dir, 'bench.sqlite')}`;
  const s = await sink();
  const ctx = await createContext(loadConfig(envFor(dir, url, s.port), dir), { log: silentLogger() });
  try {
    const id = await seed(ctx, N);
    const children = Array.from({ length: procs }, () => spawn(process.execPath, [BIN, 'serve'], { env: envFor(dir, url, s.port), stdio: 'ignore' }));
    const deadline = Date.now() + 300_000;
    while ((await ctx.store.issues.getIssue(id))?.status !== 'sent') {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(children.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));
    const t = [...s.times].sort((a, b) => a - b);
    const lo = t[Math.floor(t.length * 0.05)]!;
    const hi = t[Math.floor(t.length * 0.95)]!;
    return (t.length * 0.9) / ((hi - lo) / 1000);
  } finally {
    await closeContext(ctx);
    await s.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds to queue 1,000,000 deliveries (one INSERT … SELECT) on PostgreSQL. */
async function queueMillion(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'nd-bench-q-'));
  const db = await createTestDatabase('nd_bench_q');
  const ctx = await createContext(loadConfig(envFor(dir, db.url, 1), dir), { log: silentLogger() });
  try {
    const h = (ctx.store as PgStore).handle;
    await h.query(
      `INSERT INTO subscribers (email, status, created_at, updated_at, confirmed_at) SELECT 'r' || g || '@bench.example', 'confirmed', 1, 1, 1 FROM generate_series(1, 1000000) g`,
    );
    const r = await ctx.store.issues.insertIssue({ date: '2026-11-03', windowStart: 0, cutoffAt: 1, subject: 'Q', preheader: '', html: '', text: '', signalArticleId: null, patternsJson: '[]', digestJson: '{}', now: 1, articles: [] });
    if (!('created' in r)) throw new Error('no issue');
    const t0 = performance.now();
    const q = await ctx.store.deliveries.queueIssue(r.created.id, 2);
    const secs = (performance.now() - t0) / 1000;
    if (q.queued !== 1_000_000) throw new Error(`queued ${q.queued}`);
    return secs;
  } finally {
    await closeContext(ctx);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${N} copies per run, ${POOL} SMTP connections per process, sink answers after ${DELAY} ms`);
const sqlite1 = await run('sqlite', 1);
console.log(`sqlite   1 sender : ${sqlite1.toFixed(0)} msg/s`);
const pg: Record<number, number> = {};
for (const p of [1, 2, 4]) {
  pg[p] = await run('postgres', p);
  console.log(`postgres ${p} sender${p > 1 ? 's' : ' '}: ${pg[p]!.toFixed(0)} msg/s  (${(pg[p]! / pg[1]!).toFixed(2)}× one PostgreSQL sender, ${(pg[p]! / sqlite1).toFixed(2)}× one SQLite sender)`);
}
console.log(`queueing 1,000,000 deliveries on PostgreSQL: ${(await queueMillion()).toFixed(1)} s`);
