// Benchmark: parse and clean a generated ~1 MB RSS feed of 200 items (checks, XML tree, dates, canonical URLs,
// sanitized HTML, plain text, summaries) against parsing the same bytes with fast-xml-parser alone, same process.
// Also the steady state: the same feed again once its items are stored (ingest skips known items before cleaning).
// The two sides run alternately and the ratio is the median of the per-round ratios, so that a machine whose speed
// drifts during the run moves both sides of each ratio alike.
// Run: npx tsx bench/feeds.ts (BENCH_ESCAPED=1 for escaped HTML)   Goal: the full pipeline costs at most 3× the bare parse.
import { writeFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { cleanContent } from '../src/feeds/clean.js';
import { normalizeFeed } from '../src/feeds/normalize.js';
import { parseFeedBody } from '../src/feeds/parse.js';
import { parseXmlTree } from '../src/feeds/xml.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 31);
const NOW = Date.UTC(2026, 3, 7, 12);

const words = 'queue shard latency replica kernel cache tenant schema index rollout canary deploy cluster region storage network'.split(' ');
const sentence = (i: number, n: number) =>
  Array.from({ length: n }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ').replace(/^./, (c) => c.toUpperCase()) + '.';

// BENCH_ESCAPED=1: HTML escaped as text instead of CDATA (Atom type="html" style), the slow path of many parsers.
const ESCAPED = process.env.BENCH_ESCAPED === '1';
const wrap = (html: string) => (ESCAPED ? html.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : `<![CDATA[${html}]]>`);

function generateFeed(): string {
  const items: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const paras = Array.from({ length: 12 }, (_, p) =>
      `<p>${sentence(i + p, 14)} We used e.g. <a href="/blog/${i}/ref-${p}?utm_source=rss">v2.5 of Node.js</a> in the U.S. region. ${sentence(i * p, 18)} <code>cfg.${words[p]}</code> <em>${sentence(p, 6)}</em></p>`,
    ).join('\n');
    const content = `${paras}<figure><img src="/img/${i}.png" alt="chart ${i}" onerror="x()"><figcaption>Figure ${i}</figcaption></figure><pre><code>const x = ${i};\nif (x &lt; 3) run();</code></pre><script>track(${i})</script>`;
    items.push(`    <item>
      <title><![CDATA[Post ${i}: ${sentence(i, 8)} &amp; more]]></title>
      <link>https://eng.example.com/blog/post-${i}?utm_source=rss&amp;utm_medium=feed&amp;id=${i}</link>
      <guid isPermaLink="false">post-${i}</guid>
      <dc:creator>Author ${i % 13}</dc:creator>
      <pubDate>${new Date(NOW - i * 3_600_000).toUTCString()}</pubDate>
      <category>${words[i % words.length]}</category>
      <description>${wrap(`<p>${sentence(i, 20)} ${sentence(i + 1, 16)} ${sentence(i + 2, 12)} ${sentence(i + 3, 10)} ${sentence(i + 4, 9)} ${sentence(i + 5, 9)}</p><p>The post Post ${i} appeared first on Example Engineering.</p>`)}</description>
      <content:encoded>${wrap(content)}</content:encoded>
    </item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Example Engineering</title>
    <link>https://eng.example.com/blog/</link>
    <description>Benchmark feed</description>
${items.join('\n')}
  </channel>
</rss>
`;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const xml = generateFeed();
const bytes = Buffer.from(xml, 'utf8');
// BENCH_DUMP=path writes the generated feed out, for profiling the stages apart.
if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, xml);
// The bare parse the pipeline replaces: ordered output with raw text (what feed parsing needs: mixed content, CDATA apart).
const bare = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  cdataPropName: '#cdata',
});
const bareDefault = new XMLParser();
let articles = 0;
const full = () => {
  const feed = parseFeedBody(bytes, { feedUrl: 'https://eng.example.com/feed.xml' });
  articles = normalizeFeed(feed, NOW).articles.length;
};
const known = () => {
  const feed = parseFeedBody(bytes, { feedUrl: 'https://eng.example.com/feed.xml' });
  if (normalizeFeed(feed, NOW, () => true).skippedKnown !== ITEMS) throw new Error('expected every item known');
};
const cleanOnly = () => {
  for (const it of parsedOnce.items) cleanContent(it.contentHtml, it.base);
};
const ownTree = () => parseXmlTree(bytes.toString('utf8'), null);
const parsedOnce = parseFeedBody(bytes, { feedUrl: 'https://eng.example.com/feed.xml' });

// Warm up the JIT on all three before measuring.
for (let i = 0; i < 3; i++) {
  bare.parse(xml);
  bareDefault.parse(xml);
  full();
  known();
  cleanOnly();
  ownTree();
}
const tBare: number[] = [];
const tBareDefault: number[] = [];
const tFull: number[] = [];
const tKnown: number[] = [];
const tClean: number[] = [];
const tOwn: number[] = [];
const ratios: number[] = [];
const ratiosDefault: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // Interleaved, so machine load affects both sides alike.
  tBare.push(time(() => bare.parse(bytes.toString('utf8'))));
  tBareDefault.push(time(() => bareDefault.parse(bytes.toString('utf8'))));
  tFull.push(time(full));
  tKnown.push(time(known));
  tClean.push(time(cleanOnly));
  tOwn.push(time(ownTree));
  ratios.push(tFull.at(-1)! / tBare.at(-1)!);
  ratiosDefault.push(tFull.at(-1)! / tBareDefault.at(-1)!);
}
const mBare = median(tBare);
const mBareDefault = median(tBareDefault);
const mFull = median(tFull);
const mKnown = median(tKnown);
const mClean = median(tClean);
const mOwn = median(tOwn);
const fmt = (n: number) => n.toFixed(1);
console.log(`feed: ${(bytes.length / 1024 / 1024).toFixed(2)} MB (${ESCAPED ? 'escaped HTML' : 'CDATA'}), ${ITEMS} items → ${articles} articles; median of ${RUNS} runs`);
console.log(`bare fast-xml-parser (ordered, raw text, CDATA apart): ${fmt(mBare)} ms`);
console.log(`bare fast-xml-parser (default options):              ${fmt(mBareDefault)} ms`);
console.log(`full pipeline (decode, checks, parse, clean):         ${fmt(mFull)} ms per feed, ${Math.round((ITEMS / mFull) * 1000)} items/s`);
console.log(`  of which cleaning the 200 bodies (HTML + text):   ${fmt(mClean)} ms (${(mClean / mBare).toFixed(2)}× the bare parse by itself)`);
console.log(`  of which newsdesk's own XML tree, for comparison: ${fmt(mOwn)} ms`);
console.log(`steady state (same feed, every item already stored): ${fmt(mKnown)} ms per feed`);
const spread = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 4)]!.toFixed(2)}–${s[Math.floor((s.length * 3) / 4)]!.toFixed(2)}`;
};
console.log(`ratio full / bare: ${median(ratios).toFixed(2)}× (quartiles ${spread(ratios)}; goal ≤ 3×); vs default-options parse: ${median(ratiosDefault).toFixed(2)}×`);
console.log(`ratio steady state / bare: ${(mKnown / mBare).toFixed(2)}×`);
