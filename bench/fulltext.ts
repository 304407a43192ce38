// Full text of 30 teaser articles from 10 local hosts (127.0.0.1–127.0.0.10, each page answered after 200 ms, as
// over a network): newsdesk's full-text step (at most 2 requests per host, caps, extraction, cleaning, storing)
// against a bare `fetch` of the same 30 pages all at once, in the same run. Goal: the whole step within one
// FEED_TIMEOUT_MS (15 s by default) plus slack.
//   npx tsx bench/fulltext.ts
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeContext, createContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { completeFullText } from '../src/feeds/fulltext.js';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/log.js';
import { REFERENCE_DAY } from '../test/fixtures/reference-day.js';
import { seedArticle } from '../test/fixtures/digest-seed.js';
import { articlePage } from '../test/helpers/reference-server.js';

const HOSTS = 10;
const PER_HOST = 3;
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 200);
const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const servers: http.Server[] = [];
const urls: string[] = [];
for (let h = 0; h < HOSTS; h++) {
  const ip = `127.0.0.${h + 1}`;
  const srv = http.createServer((req, res) => {
    const i = Number(/\/p(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    const a = REFERENCE_DAY[i % REFERENCE_DAY.length]!;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(articlePage(a.title, [...a.body, ...a.body]));
    }, DELAY_MS);
  });
  await new Promise<void>((r) => srv.listen(0, ip, r));
  servers.push(srv);
  for (let k = 0; k < PER_HOST; k++) urls.push(`http://${ip}:${(srv.address() as AddressInfo).port}/p${h * PER_HOST + k}`);
}

async function bare(): Promise<number> {
  const t0 = performance.now();
  await Promise.all(urls.map(async (u) => (await fetch(u)).text()));
  return performance.now() - t0;
}

async function newsdesk(): Promise<{ ms: number; fetched: number; failed: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-ft-'));
  const config = loadConfig(
    { DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'b.sqlite')}`, SECRET_KEY: 'bench-secret-key-0123456789abcdefghijkl', ADMIN_TOKEN: 'bench-admin-token-0123', LOG_LEVEL: 'silent' },
    dir,
  );
  const ctx = await createContext(config, { log: silentLogger(), clock: systemClock });
  try {
    const now = Date.now();
    urls.forEach((url, i) => seedArticle(ctx, { source: `Blog ${i % HOSTS}`, title: `Post ${i}`, contentText: 'A teaser that stops in the midd…', publishedAt: now - 3_600_000, firstSeenAt: now, url }));
    const t0 = performance.now();
    const r = await completeFullText(ctx, 'newsdesk-bench');
    return { ms: performance.now() - t0, fetched: r.fetched, failed: r.failed };
  } finally {
    await closeContext(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

await bare();
const a: number[] = [];
const b: number[] = [];
let last = { fetched: 0, failed: 0 };
for (let i = 0; i < RUNS; i++) {
  a.push(await bare());
  const r = await newsdesk();
  b.push(r.ms);
  last = r;
}
for (const s of servers) s.close();
const timeout = loadConfig({ DATA_DIR: tmpdir() }, tmpdir()).feedTimeoutMs;
console.log(`${urls.length} pages on ${HOSTS} hosts, each answered after ${DELAY_MS} ms; medians of ${RUNS}`);
console.log(`bare fetch, all at once     : ${median(a).toFixed(0)} ms (baseline)`);
console.log(`newsdesk full-text step     : ${median(b).toFixed(0)} ms (${(median(b) / median(a)).toFixed(2)}× bare; ${last.fetched} fetched, ${last.failed} failed)`);
console.log(`goal: within FEED_TIMEOUT_MS (${timeout} ms) plus slack → ${median(b) < timeout ? 'OK' : 'OVER'}`);
