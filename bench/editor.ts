// The editor on the reference day (test/fixtures/reference-day.ts, full text known): how close our order is to the
// sample issue's (NDCG@10), what leads, and the editor's cost (rank, cluster, summaries, patterns) against the MJML
// render of the same issue, in the same run.
//   npx tsx bench/editor.ts
import { buildDigest } from '../src/digest/build.js';
import { renderIssue } from '../src/issues/render.js';
import { createUrls } from '../src/lib/urls.js';
import { ndcgAtK, REFERENCE_DAY, referenceCandidates } from '../test/fixtures/reference-day.js';

const RUNS = Number(process.env.RUNS ?? 9);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const input = { date: '2026-04-06', newsletterName: 'Engineering @ Scale', windowStart: 0, cutoffAt: 1, history: { docs: 0, df: {} }, sources: [] as string[] };
const urls = createUrls('http://localhost:3000');

const editor: number[] = [];
const render: number[] = [];
let digest = buildDigest({ ...input, articles: referenceCandidates() }).digest;
await renderIssue(digest, { urls });
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  digest = buildDigest({ ...input, articles: referenceCandidates() }).digest;
  editor.push(performance.now() - t0);
  const t1 = performance.now();
  await renderIssue(digest, { urls });
  render.push(performance.now() - t1);
}
const order = [digest.signal!, ...digest.deepDives];
const rank = (id: number) => REFERENCE_DAY[id - 1]!.sampleRank;
console.log(`reference day, ${REFERENCE_DAY.length} articles (${order.length} stories), no 30-day history`);
console.log(`signal: ${digest.signal!.sourceName} — ${digest.signal!.title} (sample place ${rank(digest.signal!.id)})`);
console.log(`first five: ${order.slice(0, 5).map((a) => `${a.sourceName} (${rank(a.id) ?? '—'})`).join(', ')}; thin formats among them: ${order.slice(0, 5).filter((a) => REFERENCE_DAY[a.id - 1]!.thin).length}`);
console.log(`NDCG@10 against the sample's order: ${ndcgAtK(order.map((a) => rank(a.id)), 10, 23).toFixed(3)} (goal ≥ 0.8)`);
console.log(`MJML render of the issue, median of ${RUNS}: ${median(render).toFixed(1)} ms (baseline)`);
console.log(`editor (rank, cluster, summaries, patterns), median of ${RUNS}: ${median(editor).toFixed(1)} ms (${(median(editor) / median(render)).toFixed(2)}× the render)`);
