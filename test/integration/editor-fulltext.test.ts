import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestAll } from '../../src/feeds/ingest.js';
import { fetchFullText, isPrivateAddress, targetChecker } from '../../src/feeds/fulltext.js';
import { fetchFeed } from '../../src/feeds/fetch.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssue } from '../../src/issues/repo.js';
import { loadIssueDigest } from '../../src/issues/stored.js';
import { manualClock } from '../../src/lib/clock.js';
import { ndcgAtK, REFERENCE_CUTOFF, REFERENCE_DAY } from '../fixtures/reference-day.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { longBody, ReferenceHost } from '../helpers/reference-server.js';

// The editor end to end on the reference day: teaser feeds from a local host, full text fetched from each article's
// page, the issue assembled and stored, and what the reader gets measured against the sample issue.

const host = new ReferenceHost();
let ctx: TestContext | undefined;
beforeAll(() => host.start());
afterAll(() => host.stop());
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

const opmlDir = mkdtempSync(join(tmpdir(), 'newsdesk-opml-'));
afterAll(() => rmSync(opmlDir, { recursive: true, force: true }));
let files = 0;

async function contextWith(opml: string, env: Record<string, string> = {}) {
  const file = join(opmlDir, `sources-${++files}.opml`);
  writeFileSync(file, opml);
  return makeTestContext({
    clock: manualClock(REFERENCE_CUTOFF + 60_000),
    env: { DIGEST_CRON: '0 8 * * *', FEED_TIMEOUT_MS: '2000', SOURCES_FILE: file, ...env },
  });
}

const sampleRank = (title: string) => REFERENCE_DAY.find((a) => a.title === title)?.sampleRank ?? null;

describe('the reference day, from teaser feeds to the issue', () => {
  it('fetches each article page, ranks like the sample, names companies and shows each story once', async () => {
    ctx = await contextWith(host.opml());
    const r = await ingestAll(ctx);
    expect(r.errors).toEqual([]);
    expect(r.newArticles).toBe(REFERENCE_DAY.length);
    expect(r.fullText).toMatchObject({ fetched: REFERENCE_DAY.length, failed: 0 });
    const statuses = ctx.sqlite.prepare('SELECT fulltext_status AS s, count(*) AS n FROM articles GROUP BY s').all();
    expect(statuses).toEqual([{ s: 'ok', n: REFERENCE_DAY.length }]);
    // The page's text replaced nothing: the feed's teaser is kept beside it.
    const one = ctx.sqlite.prepare("SELECT content_text AS feed, full_text AS page FROM articles WHERE url LIKE '%interval-aware%'").get() as { feed: string; page: string };
    expect(one.feed.length).toBeLessThan(260);
    expect(one.page).toContain('cut the query load on Druid by 33%');
    expect(one.page).not.toMatch(/cookies|Related posts|Subscribe to our newsletter/);

    const assembled = await assembleIssue(ctx, '2026-04-06');
    expect(assembled.issue).not.toBeNull();
    const row = (await getIssue(ctx, assembled.issue!.id))!;
    const { digest } = await loadIssueDigest(ctx, row);
    const order = [digest.signal!, ...digest.deepDives];
    expect([1, 2, 3]).toContain(sampleRank(digest.signal!.title));
    for (const a of order.slice(0, 5)) expect(REFERENCE_DAY.find((x) => x.title === a.title)!.thin).toBeFalsy();
    const ndcg = ndcgAtK(order.map((a) => sampleRank(a.title)), 10, 23);
    expect(ndcg).toBeGreaterThanOrEqual(0.8);
    console.log(`reference day: NDCG@10 of our order against the sample's = ${ndcg.toFixed(3)}; signal: ${digest.signal!.title}`);

    // Companies, not feed titles.
    expect(new Set(order.map((a) => a.sourceName))).toEqual(new Set(['Netflix', 'Meta', 'GitHub', 'ByteByteGo', "O'Reilly", 'Cloudflare', 'AWS', 'Google', 'Vercel', 'Pinterest', 'InfoQ', 'Spotify', 'OpenAI']));
    expect(row.html).not.toContain('Netflix TechBlog - Medium');
    expect(row.html).toContain('Netflix');
    // One entry for the story two sources told, with the other linked.
    const pinterest = order.find((a) => a.sourceName === 'Pinterest')!;
    expect(pinterest.alsoCoveredBy).toEqual([expect.objectContaining({ sourceName: 'InfoQ', url: expect.stringContaining('/infoq/pinterest-spark') })]);
    expect(row.html).toContain('Also covered by');
    // Reading time from the real text, and not the same for everything.
    expect(new Set(order.map((a) => a.readingMinutes)).size).toBeGreaterThan(0);
    for (const a of order) expect(a.readingMinutes).not.toBeNull();
    // Summaries carry the articles' results and are never the teaser cut mid-word.
    expect(order.find((a) => a.sourceName === 'Netflix')!.summary).toMatch(/33%.*66%|66%.*33%/);
    for (const a of order) expect(a.summary).not.toMatch(/…$/);
    expect(row.text).toMatch(/WHY IT MATTERS|Why it matters:/);
    expect(digest.patterns.paragraph.filter((s) => s.href).length).toBeGreaterThanOrEqual(4);
  });

  it('keeps the feed content and the reason for every page that cannot be had, within one timeout', async () => {
    host.extra = (['hang', 'huge', 'pdf', 'login', 'cookies', 'empty', 'hostile'] as const).map((kind) => ({
      source: 'bad',
      slug: kind,
      title: `The ${kind} page`,
      feedText: `A teaser about the ${kind} page that stops in the midd…`,
    }));
    ctx = await contextWith(host.opml({}, ['bad']), { FEED_TIMEOUT_MS: '1500' });
    const started = Date.now();
    const r = await ingestAll(ctx);
    const took = Date.now() - started;
    // Feed fetch plus at most one FEED_TIMEOUT_MS for every page together, with slack for a busy machine.
    expect(took).toBeLessThan(1500 + 2500);
    expect(r.newArticles).toBe(7);
    const rows = ctx.sqlite
      .prepare("SELECT substr(url, instr(url, '/bad/') + 5) AS kind, content_text AS feed, full_text AS page, fulltext_status AS status, fulltext_reason AS reason FROM articles")
      .all() as { kind: string; feed: string; page: string | null; status: string; reason: string | null }[];
    const by = Object.fromEntries(rows.map((x) => [x.kind, x]));
    expect(by.hang).toMatchObject({ status: 'failed', page: null, reason: expect.stringMatching(/timed out/) });
    expect(by.huge).toMatchObject({ status: 'failed', reason: expect.stringMatching(/size cap/) });
    expect(by.pdf).toMatchObject({ status: 'failed', reason: 'not an HTML page (application/pdf)' });
    expect(by.login).toMatchObject({ status: 'failed', reason: expect.stringMatching(/login wall|almost nothing|no article/) });
    expect(by.cookies).toMatchObject({ status: 'failed', reason: expect.stringMatching(/cookie banner|almost nothing|no article/) });
    expect(by.empty).toMatchObject({ status: 'failed', reason: expect.stringMatching(/almost nothing|no article/) });
    for (const k of ['hang', 'huge', 'pdf', 'login', 'cookies', 'empty']) expect(by[k]!.feed).toContain(`the ${k} page`);
    // A hostile page is cleaned like feed content: its text kept, its scripts and handlers gone.
    expect(by.hostile!.status).toBe('ok');
    expect(by.hostile!.page).toContain('Part 1 of the Hostile write-up');
    expect(by.hostile!.page).not.toMatch(/pwned|alert|javascript:|evil\.example/);
    // Stored once: a second ingest tries none of them again.
    const before = { ...host.hits };
    await ingestAll(ctx);
    for (const k of ['/bad/pdf', '/bad/login', '/bad/hostile']) expect(host.hits[k]).toBe(before[k]);
    host.extra = [];
  });

  it('follows the fulltext attribute, and asks one host for at most 2 pages at once', async () => {
    host.extra = [
      ...Array.from({ length: 6 }, (_, i) => ({ source: 'slow', slug: `p${i}`, title: `Slow page ${i}`, feedText: `Teaser ${i} that stops in the midd…` })),
      { source: 'never', slug: 'n1', title: 'Never fetched', feedText: 'Teaser that stops in the midd…' },
      { source: 'always', slug: 'a1', title: 'Always fetched', feedText: longBody('Always').join(' ') },
      { source: 'auto', slug: 'f1', title: 'Full in the feed', feedText: longBody('Auto').join(' ') },
    ];
    ctx = await contextWith(host.opml({ never: 'fulltext="false"', always: 'fulltext="true"' }, ['slow', 'never', 'always', 'auto']), { FEED_TIMEOUT_MS: '3000' });
    await ingestAll(ctx);
    expect(host.maxConcurrent.slow).toBe(2);
    expect(host.hits['/never/n1']).toBeUndefined();
    expect(host.hits['/always/a1']).toBe(1);
    expect(host.hits['/auto/f1']).toBeUndefined();
    const status = (slug: string) => (ctx!.sqlite.prepare('SELECT fulltext_status AS s, fulltext_reason AS r FROM articles WHERE url LIKE ?').get(`%/${slug}`) as { s: string; r: string | null });
    expect(status('n1')).toEqual({ s: 'skipped', r: 'the source has fulltext="false"' });
    expect(status('f1')).toEqual({ s: 'skipped', r: 'the feed carries the full text' });
    expect(status('p5').s).toBe('ok');
    // A teaser whose page failed shows no reading time; one whose page was read does.
    host.extra = [];
  });
});

describe('article page URL rules', () => {
  it('knows private, loopback and link-local addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['93.184.216.34', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('refuses a page on a loopback address when the source is not on one, before any request', async () => {
    const before = host.hits['/netflix/interval-aware-caching-druid'] ?? 0;
    const r = await fetchFullText(
      { id: 1, url: host.url('netflix', 'interval-aware-caching-druid'), contentText: 'teaser', sourceFeedUrl: 'https://netflix.example/feed', sourceFulltext: null },
      { timeoutMs: 1000, maxBytes: 1_000_000, userAgent: 'newsdesk-test', allowPrivate: false, now: Date.now },
    );
    expect(r).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^refused: 127\.0\.0\.1 is on a private or loopback address/) });
    expect(host.hits['/netflix/interval-aware-caching-druid'] ?? 0).toBe(before);
  });

  it('checks every redirect target, not only the first URL', async () => {
    const seen: string[] = [];
    const check = async (u: URL) => {
      seen.push(u.href);
      if (u.hostname === 'localhost') await targetChecker(false)(u);
    };
    // The page path redirects nowhere on this host, so build one: /r → localhost.
    const http = await import('node:http');
    const srv = http.createServer((req, res) => {
      res.writeHead(302, { location: `http://localhost:${(srv.address() as import('node:net').AddressInfo).port}/next` });
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as import('node:net').AddressInfo).port;
      await expect(fetchFeed(`http://127.0.0.1:${port}/r`, { timeoutMs: 1000, maxBytes: 1000, userAgent: 't', checkTarget: check, what: 'the page' })).rejects.toThrow(/refused: localhost is on a private or loopback address/);
      expect(seen).toEqual([`http://127.0.0.1:${port}/r`, `http://localhost:${port}/next`]);
    } finally {
      srv.close();
    }
  });
});
