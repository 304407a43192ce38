// Benchmark: importing 100,000 subscribers from CSV (confirmed), against a bare prepared INSERT of the
// same rows in one transaction on a fresh database in the same process. Prints times and the ratio.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createContext, closeContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/lib/log.js';
import { importSubscribersCsv } from '../src/subscribers/csv.js';
import type { SqliteStore } from '../src/db/sqlite/index.js';

/** The SQLite connection behind a bench context, for seeding fast and reading the ledger. */
const rawSqlite = (c: { store: unknown }) => (c.store as SqliteStore).handle.sqlite;

const N = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = 3;

async function freshContext() {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-'));
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'b.sqlite')}`, SECRET_KEY: 'x'.repeat(40), ADMIN_TOKEN: 'y'.repeat(20), LOG_LEVEL: 'silent' }, dir);
  const ctx = await createContext(config, { log: silentLogger() });
  return { ctx, done: async () => { await closeContext(ctx); rmSync(dir, { recursive: true, force: true }); } };
}

function* csvChunks(): Generator<string> {
  yield 'email,name\n';
  let buf = '';
  for (let i = 0; i < N; i++) {
    buf += `user${i}@example${i % 97}.com,User ${i}\n`;
    if (buf.length > 64 * 1024) { yield buf; buf = ''; }
  }
  if (buf) yield buf;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bare: number[] = [];
const full: number[] = [];
for (let r = 0; r < RUNS; r++) {
  {
    const { ctx, done } = await freshContext();
    const t = performance.now();
    const ins = rawSqlite(ctx).prepare("INSERT INTO subscribers (email, name, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)");
    rawSqlite(ctx).transaction(() => { for (let i = 0; i < N; i++) ins.run(`user${i}@example${i % 97}.com`, `User ${i}`, 1, 1); })();
    bare.push(performance.now() - t);
    await done();
  }
  {
    const { ctx, done } = await freshContext();
    const rssBefore = process.memoryUsage().rss;
    const t = performance.now();
    const res = await importSubscribersCsv(ctx, Readable.from(csvChunks()), { confirmed: true });
    full.push(performance.now() - t);
    if (res.imported !== N) throw new Error(`imported ${res.imported} of ${N}`);
    console.log(`run ${r + 1}: import ${full[r]!.toFixed(0)} ms, bare insert ${bare[r]!.toFixed(0)} ms, rss +${((process.memoryUsage().rss - rssBefore) / 1e6).toFixed(0)} MB`);
    await done();
  }
}
console.log(`\n${N} rows: CSV import median ${median(full).toFixed(0)} ms (${Math.round(N / (median(full) / 1000))} rows/s); bare INSERT median ${median(bare).toFixed(0)} ms`);
console.log(`ratio import / bare insert: ${(median(full) / median(bare)).toFixed(2)}x (validation, CSV parsing and a consent event per row)`);
