// HTTP under load: the landing page, the archive, an issue page, the Atom feed and one-click unsubscribe of a real
// `newsdesk serve` (SERVICES=http, compiled dist/), each beside a bare Hono server answering the same bytes, driven
// by autocannon in this process; prints requests per second, the ratio to the baseline and p99, and the server's
// memory before and after the load.
//   npm run build && npx tsx bench/http.ts          (BENCH_SECONDS=10 per route, BENCH_CONNECTIONS=50)
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { closeContext, createContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { recipientUnsubscribeUrl } from '../src/deliveries/links.js';
import { sendIssue } from '../src/deliveries/send.js';
import { assembleIssue } from '../src/issues/assemble.js';
import { manualClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/log.js';
import { scheduledInstant } from '../src/lib/cron-time.js';
import { seedFixtureDay } from '../test/fixtures/digest-seed.js';
import { addConfirmed } from '../test/helpers/context.js';
import { freePort } from '../test/helpers/server.js';
import { startProcess } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
// Enough readers that every unsubscribe of the run is a first click (a real write), as after a big send.
const READERS = 30_000;
const dir = mkdtempSync(join(tmpdir(), 'nd-bench-http-'));
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  DATA_DIR: dir,
  DATABASE_URL: `file:${join(dir, 'bench.sqlite')}`,
  SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
  ADMIN_TOKEN: 'bench-admin-token-0123456789',
  POSTAL_ADDRESS: '1 Bench Street, Benchville',
  LOG_LEVEL: 'warn',
  SERVICES: 'http',
  HOST: '127.0.0.1',
  // The load comes from one address: the per-address limits of a public site would (rightly) turn it away.
  SIGNUP_LIMIT_PER_MINUTE: '100000',
};

/** Seeds one published issue of the fixture day and READERS confirmed subscribers; returns their unsubscribe paths. */
async function seed(port: number): Promise<{ date: string; unsubscribe: string[] }> {
  const date = '2026-04-06';
  const cutoff = scheduledInstant(date, '0 6 * * *', 'UTC')!;
  const ctx = await createContext(loadConfig({ ...env, PUBLIC_URL: `http://127.0.0.1:${port}` }, dir), { log: silentLogger(), clock: manualClock(cutoff + 60_000) });
  try {
    seedFixtureDay(ctx, cutoff);
    const issue = (await assembleIssue(ctx, date)).issue!;
    const people = await addConfirmed(ctx, Array.from({ length: READERS }, (_, i) => ({ email: `reader${i}@bench.example` })));
    await sendIssue(ctx, issue.id);
    return { date, unsubscribe: people.map((p) => new URL(recipientUnsubscribeUrl(ctx, p.id)).pathname) };
  } finally {
    await closeContext(ctx);
  }
}

const start = (args: string[], extra: Record<string, string>): ChildProcess => startProcess(args, { ...env, ...extra });

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up`);
}

const rss = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);

async function load(url: string, opts: { method?: 'POST'; paths?: string[] } = {}): Promise<{ rps: number; p99: number; errors: number }> {
  let i = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: opts.method ?? 'GET',
        ...(opts.method ? { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        ...(opts.paths ? { setupRequest: (req: autocannon.Request) => ({ ...req, path: opts.paths![i++ % opts.paths!.length]! }) } : {}),
      },
    ],
  });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const port = await freePort();
const basePort = await freePort();
const base = `http://127.0.0.1:${port}`;
const { date, unsubscribe } = await seed(port);
// As `npm start` runs it: the shebang's V8 flags too (spawned with node, the shebang is not read).
const server = start(['--max-semi-space-size=2', '--max-old-space-size=128', ...(process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/newsdesk.js', 'serve'], { PORT: String(port), PUBLIC_URL: base, ...(process.env.SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SERVER_NODE_OPTIONS } : {}) });
await ready(`${base}/healthz`);

// The baseline answers each route with the very bytes newsdesk sent for it.
const routes = ['/', '/issues', `/issues/${date}`, '/issues/feed.xml'];
const bodies: Record<string, { body: string; type: string; headers: Record<string, string> }> = {};
for (const r of routes) {
  const res = await fetch(base + r);
  // BENCH_SAME_HEADERS=1: the baseline also sends every header newsdesk sent (security headers, ETag, caching).
  const headers = process.env.BENCH_SAME_HEADERS ? Object.fromEntries([...res.headers].filter(([k]) => !['date', 'content-length', 'connection', 'keep-alive'].includes(k))) : {};
  bodies[r] = { body: await res.text(), type: res.headers.get('content-type') ?? 'text/html', headers };
}
const bodiesFile = join(dir, 'bodies.json');
writeFileSync(bodiesFile, JSON.stringify(bodies));
const baseline = start(['--import', 'tsx', 'bench/http-baseline.ts', bodiesFile], { PORT: String(basePort) });
await ready(`http://127.0.0.1:${basePort}/`);

await new Promise((r) => setTimeout(r, 2000));
const idle = rss(server.pid!);
console.log(`${SECONDS} s per route, ${CONNECTIONS} connections; newsdesk serve (SERVICES=http) RSS at idle: ${idle} MB`);
// BENCH_ONLY=unsubscribe skips the pages (for profiling the write path alone); BENCH_ONLY=/issues runs that page only.
const only = process.env.BENCH_ONLY;
for (const r of only === 'unsubscribe' ? [] : only ? routes.filter((x) => x === only) : routes) {
  const a = await load(`http://127.0.0.1:${basePort}${r}`);
  const b = await load(base + r);
  console.log(
    `${r.padEnd(20)} ${String(bodies[r]!.body.length).padStart(6)} B  newsdesk ${b.rps.toFixed(0).padStart(6)} req/s p99 ${String(b.p99).padStart(3)} ms${b.errors ? ` (${b.errors} errors)` : ''}` +
      `  bare Hono ${a.rps.toFixed(0).padStart(6)} req/s  ratio ${((b.rps / a.rps) * 100).toFixed(0)} %  RSS ${rss(server.pid!)} MB`,
  );
}
if (only && only !== 'unsubscribe') {
  console.log(`RSS after the load: ${rss(server.pid!)} MB (idle ${idle} MB)`);
  server.kill('SIGTERM');
  baseline.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const ua = await load(`http://127.0.0.1:${basePort}/unsubscribe`, { method: 'POST' });
const ub = await load(base, { method: 'POST', paths: unsubscribe });
console.log(
  `one-click unsubscribe           newsdesk ${ub.rps.toFixed(0).padStart(6)} req/s p99 ${String(ub.p99).padStart(3)} ms${ub.errors ? ` (${ub.errors} errors)` : ''}  bare Hono ${ua.rps.toFixed(0).padStart(6)} req/s  ratio ${((ub.rps / ua.rps) * 100).toFixed(0)} %`,
);
console.log(`RSS after the load: ${rss(server.pid!)} MB (idle ${idle} MB)`);
if (process.env.BENCH_SMAPS) {
  console.log(readFileSync(`/proc/${server.pid}/smaps_rollup`, 'utf8'));
}
server.kill('SIGTERM');
baseline.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 500));
rmSync(dir, { recursive: true, force: true });
