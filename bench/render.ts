// Benchmark: assemble and render one issue of 30 articles, then personalize 10,000 copies of it.
// Prints the per-recipient cost as a share of one full render (the goal is under 1%).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeContext, createContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { buildDigest } from '../src/digest/build.js';
import { assembleIssue } from '../src/issues/assemble.js';
import { createPersonalizer } from '../src/issues/personalize.js';
import { renderIssue } from '../src/issues/render.js';
import { getIssue } from '../src/issues/repo.js';
import { manualClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/log.js';
import { createUrls } from '../src/lib/urls.js';
import { FIXTURE_DAY, FIXTURE_SOURCES } from '../test/fixtures/digest-day.js';
import { candidates, fixtureTermHistory } from '../test/fixtures/digest-candidates.js';
import { seedFixtureDay, seedArticle } from '../test/fixtures/digest-seed.js';

const RUNS = Number(process.env.RUNS ?? 7);
const RECIPIENTS = 10_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function assembleOnce(): Promise<{ ms: number; html: string; text: string; articles: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-'));
  const cutoff = Date.UTC(2026, 3, 6, 6);
  const config = loadConfig(
    { DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'b.sqlite')}`, SECRET_KEY: 'bench-secret-key-0123456789abcdefghijkl', ADMIN_TOKEN: 'bench-admin-token-0123', LOG_LEVEL: 'silent', POSTAL_ADDRESS: '1 Bench Street' },
    dir,
  );
  const ctx = await createContext(config, { log: silentLogger(), clock: manualClock(cutoff + 60_000) });
  try {
    seedFixtureDay(ctx, cutoff);
    // Five more, to make the issue 30 articles.
    FIXTURE_DAY.slice(0, 5).forEach((f, i) => seedArticle(ctx, { source: f.source, title: `${f.title} (follow-up)`, summary: f.summary, publishedAt: cutoff - 3_600_000 - i }));
    const t = performance.now();
    const r = await assembleIssue(ctx, '2026-04-06');
    const elapsed = performance.now() - t;
    const row = (await getIssue(ctx, r.issue!.id))!;
    return { ms: elapsed, html: row.html, text: row.text, articles: r.issue!.articleCount };
  } finally {
    await closeContext(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  // Warm-up: module loading and JIT are not part of a render.
  await assembleOnce();

  const assembleTimes: number[] = [];
  let last!: Awaited<ReturnType<typeof assembleOnce>>;
  for (let i = 0; i < RUNS; i++) {
    last = await assembleOnce();
    assembleTimes.push(last.ms);
  }

  // The pure part alone: rank + patterns + MJML compile, no database.
  const arts = candidates([...FIXTURE_DAY, ...FIXTURE_DAY.slice(0, 5).map((f) => ({ ...f, title: `${f.title} (follow-up)` }))]);
  const history = fixtureTermHistory();
  const urls = createUrls('https://news.example');
  const renderTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const { digest } = buildDigest({ date: '2026-04-06', newsletterName: 'Engineering @ Scale', windowStart: 0, cutoffAt: 1, articles: arts, history, sources: FIXTURE_SOURCES.map((s) => s.name) });
    await renderIssue(digest, { urls });
    renderTimes.push(performance.now() - t);
  }

  // Per recipient: the personalizer splits once, then joins per call.
  const personalizeTimes: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const p = createPersonalizer({ html: last.html, text: last.text });
    for (let k = 0; k < RECIPIENTS; k++) bytes += p({ unsubscribeUrl: `https://news.example/unsubscribe/${k.toString(36)}.sig${k}` }).html.length;
    personalizeTimes.push(performance.now() - t);
  }

  const full = median(assembleTimes);
  const render = median(renderTimes);
  const copies = median(personalizeTimes);
  const perRecipient = copies / RECIPIENTS;
  console.log(`issue: ${last.articles} articles, HTML ${(Buffer.byteLength(last.html) / 1024).toFixed(1)} KB, text ${(Buffer.byteLength(last.text) / 1024).toFixed(1)} KB`);
  console.log(`assemble + render (select, rank, patterns, MJML, store), median of ${RUNS}: ${ms(full)}`);
  console.log(`render only (rank, patterns, MJML), median of ${RUNS}: ${ms(render)}`);
  console.log(`${RECIPIENTS} personalized copies, median of ${RUNS}: ${ms(copies)} (${(perRecipient * 1000).toFixed(2)} µs each)`);
  console.log(`per-recipient cost vs one assemble+render: ${((perRecipient / full) * 100).toFixed(4)}%`);
  console.log(`per-recipient cost vs one render: ${((perRecipient / render) * 100).toFixed(4)}% (goal < 1%) ${perRecipient / render < 0.01 ? 'OK' : 'OVER'}`);
  if (bytes === 0) console.log('');
}

await main();
