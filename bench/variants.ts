// Benchmark: leaving out companies. Builds the messages of 10,000 readers of one issue of 30 articles, first with
// every reader taking the issue as it is (one template), then with the readers spread over 20 distinct choices of
// companies to leave out (20 templates). Prints the cost of the choices as a ratio to the single-template run, and
// the per-recipient cost, which stays a substitution.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeContext } from '../src/bootstrap.js';
import { issueCopies } from '../src/deliveries/variants.js';
import { assembleIssue } from '../src/issues/assemble.js';
import { getIssueArticles } from '../src/issues/repo.js';
import { manualClock } from '../src/lib/clock.js';
import { FIXTURE_DAY } from '../test/fixtures/digest-day.js';
import { seedArticle, seedFixtureDay } from '../test/fixtures/digest-seed.js';
import { benchContext } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 5);
const READERS = 10_000;
const CHOICES = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-'));
  const cutoff = Date.UTC(2026, 3, 6, 6);
  const ctx = await benchContext(dir, manualClock(cutoff + 60_000), { POSTAL_ADDRESS: '1 Bench Street' });
  try {
    seedFixtureDay(ctx, cutoff);
    FIXTURE_DAY.slice(0, 5).forEach((f, i) => seedArticle(ctx, { source: f.source, title: `${f.title} (follow-up)`, summary: f.summary, publishedAt: cutoff - 3_600_000 - i }));
    const issue = (await assembleIssue(ctx, '2026-04-06')).issue!;
    const companies = [...new Set((await getIssueArticles(ctx, issue.id)).map((a) => a.sourceName))];
    // 20 distinct choices: one company, or two neighbours, left out.
    const choices: string[][] = [];
    for (let i = 0; choices.length < CHOICES; i++) choices.push(i < companies.length ? [companies[i]!] : [companies[i % companies.length]!, companies[(i + 1) % companies.length]!]);
    const stored = (await ctx.store.deliveries.getSendableIssue(issue.id))!;

    async function buildAll(choiceOf: (i: number) => string[] | undefined): Promise<{ ms: number; rendered: number; bytes: number }> {
      const t = performance.now();
      const copies = await issueCopies(ctx, issue.id, stored);
      let bytes = 0;
      for (let i = 0; i < READERS; i++) {
        const tpl = await copies.templateFor(choiceOf(i));
        const { raw } = tpl.pieces({ subscriberId: i + 1, email: `reader${i}@example.test`, unsubscribeUrl: `https://news.example/unsubscribe/u.${i}.abcdefghijklmnop` });
        for (const b of raw) bytes += b.length;
      }
      return { ms: performance.now() - t, rendered: copies.rendered, bytes };
    }

    await buildAll(() => undefined);
    await buildAll((i) => choices[i % CHOICES]);
    const one: number[] = [];
    const twenty: number[] = [];
    let last!: Awaited<ReturnType<typeof buildAll>>;
    for (let r = 0; r < RUNS; r++) {
      one.push((await buildAll(() => undefined)).ms);
      last = await buildAll((i) => choices[i % CHOICES]);
      twenty.push(last.ms);
    }
    const a = median(one);
    const b = median(twenty);
    console.log(`issue of ${issue.articleCount} articles, ${READERS.toLocaleString('en')} readers, median of ${RUNS} runs`);
    console.log(`  one choice (the issue as assembled): ${a.toFixed(0)} ms, 1 template`);
    console.log(`  ${CHOICES} distinct choices:              ${b.toFixed(0)} ms, ${last.rendered} templates`);
    console.log(`  per reader with ${CHOICES} choices:         ${((b * 1000) / READERS).toFixed(1)} µs (${(last.bytes / READERS / 1024).toFixed(1)} KiB each)`);
    console.log(`  ratio ${CHOICES} choices / one: ${(b / a).toFixed(2)}x; each extra template ≈ ${((b - a) / (CHOICES - 1)).toFixed(1)} ms`);
  } finally {
    await closeContext(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
