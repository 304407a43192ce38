// Benchmark: the weekly edition assembled from seven daily issues of 30 articles each (210 stories), against one
// daily assembly of 30 articles measured in the same run. Goal: the weekly under 1 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeContext } from '../src/bootstrap.js';
import { assembleIssue } from '../src/issues/assemble.js';
import { assembleWeekly } from '../src/issues/weekly.js';
import { manualClock } from '../src/lib/clock.js';
import { FIXTURE_DAY } from '../test/fixtures/digest-day.js';
import { seedArticle, seedFixtureDay } from '../test/fixtures/digest-seed.js';
import { benchContext } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 5);
const DAY = 86_400_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function once(): Promise<{ daily: number; weekly: number; stories: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-'));
  const first = Date.UTC(2026, 3, 6, 6);
  const clock = manualClock(first + 60_000);
  const ctx = await benchContext(dir, clock, { TRACKING: 'subscriber' });
  try {
    let daily = 0;
    for (let d = 0; d < 7; d++) {
      const cutoff = first + d * DAY;
      clock.set(cutoff + 60_000);
      seedFixtureDay(ctx, cutoff, { history: d === 0 });
      // Five more, to make each daily 30 articles.
      FIXTURE_DAY.slice(0, 5).forEach((f, i) => seedArticle(ctx, { source: f.source, title: `${f.title} (day ${d + 1} follow-up)`, summary: f.summary, publishedAt: cutoff - 3_600_000 - i }));
      const t = performance.now();
      const r = await assembleIssue(ctx, new Date(cutoff).toISOString().slice(0, 10));
      if (d === 6) daily = performance.now() - t;
      if (!r.issue) throw new Error(r.reason);
    }
    clock.set(first + 7 * DAY + 60_000);
    const stories = (await ctx.store.issues.weekArticles('2026-04-06', '2026-04-12')).length;
    const t = performance.now();
    const w = await assembleWeekly(ctx, '2026-04-13');
    const weekly = performance.now() - t;
    if (!w.issue) throw new Error(w.reason);
    return { daily, weekly, stories };
  } finally {
    await closeContext(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  await once();
  const daily: number[] = [];
  const weekly: number[] = [];
  let stories = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    stories = r.stories;
    daily.push(r.daily);
    weekly.push(r.weekly);
  }
  const d = median(daily);
  const w = median(weekly);
  console.log(`7 daily issues of 30 articles, median of ${RUNS} runs`);
  console.log(`  one daily assembly (30 articles):        ${d.toFixed(0)} ms`);
  console.log(`  the weekly assembly (from ${stories} stories):  ${w.toFixed(0)} ms  (goal: under 1,000 ms)`);
  console.log(`  ratio weekly / daily: ${(w / d).toFixed(2)}x`);
}

await main();
