// The tracked-link redirect under load: GET /r/<token> of a real `newsdesk serve` (SERVICES=http, TRACKING=subscriber)
// beside a bare Hono server answering every /r/ path with a fixed 302, both driven by autocannon from this process.
// Every newsdesk request is a first click of another reader from another address (a real insert, no rate limit
// reached), so the number measured is the whole path: token check, link lookup, click write, redirect.
// The two are measured in turn, ROUNDS times, and the median of the rounds' ratios is printed: this machine's
// speed drifts between runs far more than between the two servers of one round.
//   npx tsx bench/redirect.ts          (BENCH_SECONDS=10, BENCH_CONNECTIONS=50, BENCH_ROUNDS=3; `npm run build` first for dist/)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { closeContext, createContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { ensureLinks } from '../src/feedback/repo.js';
import { linkToken, recipientToken } from '../src/feedback/tokens.js';
import { assembleIssue } from '../src/issues/assemble.js';
import { getIssueArticles } from '../src/issues/repo.js';
import { manualClock } from '../src/lib/clock.js';
import { scheduledInstant } from '../src/lib/cron-time.js';
import { silentLogger } from '../src/lib/log.js';
import { seedFixtureDay } from '../test/fixtures/digest-seed.js';
import { freePort } from '../test/helpers/server.js';
import { ready, startProcess } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const READERS = 200_000 * ROUNDS + 20_000;
const dir = mkdtempSync(join(tmpdir(), 'nd-bench-redirect-'));
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  DATA_DIR: dir,
  DATABASE_URL: `file:${join(dir, 'bench.sqlite')}`,
  SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
  ADMIN_TOKEN: 'bench-admin-token-0123456789',
  LOG_LEVEL: 'warn',
  SERVICES: 'http',
  HOST: '127.0.0.1',
  TRACKING: process.env.BENCH_TRACKING ?? 'subscriber',
  // Each request comes "from" its own address, as readers do: the per-address flood guard stays out of the way.
  TRUST_PROXY: 'true',
};

const port = await freePort();
const basePort = await freePort();
const base = `http://127.0.0.1:${port}`;

/** One issue of the fixture day with its tracked links; returns READERS (path, address) pairs of first clicks. */
async function seed(): Promise<{ path: string; ip: string }[]> {
  const date = '2026-04-06';
  const cutoff = scheduledInstant(date, '0 6 * * *', 'UTC')!;
  const ctx = await createContext(loadConfig({ ...env, PUBLIC_URL: base }, dir), { log: silentLogger(), clock: manualClock(cutoff + 60_000) });
  try {
    seedFixtureDay(ctx, cutoff);
    const issue = (await assembleIssue(ctx, date)).issue!;
    const links = [...(await ensureLinks(ctx, issue.id, (await getIssueArticles(ctx, issue.id)).map((a) => ({ articleId: a.id, url: a.canonicalUrl })))).values()];
    const out: { path: string; ip: string }[] = [];
    for (let i = 0; i < READERS; i++) {
      const l = links[i % links.length]!;
      const token = `${linkToken(ctx.config.secretKey, l.id)}.${recipientToken(ctx.config.secretKey, { issueId: issue.id, sentAt: cutoff, subscriberId: i + 1 })}`;
      out.push({ path: `/r/${token}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    }
    return out;
  } finally {
    await closeContext(ctx);
  }
}

const start = (args: string[], extra: Record<string, string>) => startProcess(args, { ...env, ...extra });

async function load(url: string, reqs: { path: string; ip: string }[]): Promise<{ rps: number; p99: number; bad: number; sent: number }> {
  let i = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: autocannon.Request) => {
          const x = reqs[i++ % reqs.length]!;
          return { ...req, path: x.path, headers: { ...req.headers, 'x-forwarded-for': x.ip, 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605.1.15' } };
        },
      },
    ],
  });
  const found = r.statusCodeStats?.['302']?.count ?? 0;
  return { rps: r.requests.average, p99: r.latency.p99, bad: r.requests.sent - found, sent: r.requests.sent };
}

const reqs = await seed();
const server = start(['--max-semi-space-size=2', '--max-old-space-size=128', ...(process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/newsdesk.js', 'serve'], { PORT: String(port), PUBLIC_URL: base });
const baseline = start(['--import', 'tsx', 'bench/redirect-baseline.ts'], { PORT: String(basePort) });
await ready(`${base}/healthz`);
await ready(`http://127.0.0.1:${basePort}/r/x`);
// Warm both up (JIT, statement caches) on paths the measured runs do not repeat.
await load(`http://127.0.0.1:${basePort}`, reqs.slice(-2000));
const warm = await load(base, reqs.slice(-20_000));
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const ratios: number[] = [];
let offset = 0;
console.log(`${SECONDS} s each, ${CONNECTIONS} connections, ${ROUNDS} rounds; warm-up ${warm.rps.toFixed(0)} req/s`);
for (let round = 1; round <= ROUNDS; round++) {
  const a = await load(`http://127.0.0.1:${basePort}`, reqs);
  // Every newsdesk request of the run is another reader's first click.
  const b = await load(base, reqs.slice(offset, reqs.length - 20_000));
  offset += b.sent;
  ratios.push(b.rps / a.rps);
  console.log(
    `round ${round}: bare Hono ${a.rps.toFixed(0).padStart(6)} req/s p99 ${a.p99} ms · newsdesk ${b.rps.toFixed(0).padStart(6)} req/s p99 ${b.p99} ms${b.bad ? ` (${b.bad} of ${b.sent} not 302)` : ''} · ${((b.rps / a.rps) * 100).toFixed(0)} %`,
  );
}
console.log(`median ratio ${(median(ratios) * 100).toFixed(0)} % of the bare redirect (goal: at least 50 %); each newsdesk request a first click (one insert)`);
server.kill('SIGTERM');
baseline.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 500));
rmSync(dir, { recursive: true, force: true });
