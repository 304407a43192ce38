import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestAll, syncSources } from '../../src/feeds/ingest.js';
import { startSourcesSync } from '../../src/feeds/service.js';
import { listArticlesOfSource, listSourcesWithHealth, type SourceHealth } from '../../src/feeds/repo.js';
import { createApp } from '../../src/http/app.js';
import { manualClock } from '../../src/lib/clock.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { LocalHost } from '../helpers/server.js';

const fixtures = join(import.meta.dirname, '../fixtures/feeds');
const fx = (name: string) => readFileSync(join(fixtures, name));
const NOW = Date.UTC(2026, 3, 7, 12, 0, 0);
const AUTH = { authorization: 'Bearer test-admin-token-0123456789' };
const SIXTY_MB = 60 * 1024 * 1024;

/** A local feed host: fixture feeds plus every misbehaviour the ingester must survive. Records what it saw. */
class FeedHost extends LocalHost {
  hits: Record<string, number> = {};
  headers: Record<string, http.IncomingHttpHeaders> = {};
  events: string[] = [];
  hugeBytesWritten = 0;
  flipToHtml = false;


  private send(res: http.ServerResponse, body: Buffer | string, type: string, extra: http.OutgoingHttpHeaders = {}) {
    res.writeHead(200, { 'content-type': type, ...extra });
    res.end(body);
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? '/').split('?')[0]!;
    this.hits[path] = (this.hits[path] ?? 0) + 1;
    this.headers[path] = req.headers;
    const xml = 'application/rss+xml; charset=utf-8';
    switch (path) {
      case '/rss2.xml':
        return this.send(res, fx('rss2.xml'), xml);
      case '/medium.xml':
        return this.send(res, fx('medium-dup.xml'), xml);
      case '/rdf.xml':
        return this.send(res, fx('rss1-rdf.xml'), 'application/rdf+xml');
      case '/atom.gz':
        return this.send(res, gzipSync(fx('atom.xml')), 'application/atom+xml', { 'content-encoding': 'gzip' });
      case '/latin1.br':
        return this.send(res, brotliCompressSync(fx('latin1.xml')), 'text/xml', { 'content-encoding': 'br' });
      case '/feed.json':
        return this.send(res, fx('jsonfeed.json'), 'application/feed+json');
      case '/moved':
        res.writeHead(301, { location: '/rdf-moved.xml' });
        return res.end();
      case '/rdf-moved.xml':
        return this.send(res, fx('cp1252.xml'), 'text/xml');
      case '/etag.xml': {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { etag: '"v1"' });
          return res.end();
        }
        return this.send(res, fx('doctype-ok.xml'), xml, { etag: '"v1"', 'last-modified': 'Mon, 06 Apr 2026 00:00:00 GMT' });
      }
      case '/flip.xml':
        if (this.flipToHtml) return this.send(res, fx('not-a-feed.html'), 'text/html');
        return this.send(res, fx('rss1-rdf.xml').toString('utf8').replaceAll('rdf.example.org', 'flip.example.org'), xml);
      case '/hang':
      case '/hang2':
      case '/hang3':
        this.events.push(`open ${path}`);
        req.socket.on('close', () => this.events.push(`closed ${path}`));
        return; // accepts, never answers
      case '/drip': {
        res.writeHead(200, { 'content-type': xml });
        res.write('<?xml version="1.0"?><rss><channel><title>drip</title>');
        const t = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(t));
        return;
      }
      case '/huge': {
        res.writeHead(200, { 'content-type': xml });
        res.write('<?xml version="1.0"?><rss><channel><title>huge</title><description>');
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let closed = false;
        res.on('close', () => (closed = true));
        const pump = () => {
          while (!closed && this.hugeBytesWritten < SIXTY_MB) {
            this.hugeBytesWritten += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!closed) res.end('</description></channel></rss>');
        };
        pump();
        return;
      }
      case '/500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        return res.end('boom');
      case '/loop':
        res.writeHead(302, { location: '/loop-b' });
        return res.end();
      case '/loop-b':
        res.writeHead(302, { location: `${this.base}/loop` });
        return res.end();
      case '/to-file':
        res.writeHead(302, { location: 'file:///etc/passwd' });
        return res.end();
      case '/truncated.xml':
        return this.send(res, fx('truncated.xml'), xml);
      case '/laughs.xml':
        return this.send(res, fx('billion-laughs.xml'), xml);
      case '/login':
        return this.send(res, fx('not-a-feed.html'), 'text/html; charset=utf-8');
      case '/empty':
        return this.send(res, '', xml);
      case '/api-error':
        return this.send(res, fx('error.json'), 'application/json');
      case '/busy':
        res.writeHead(429, { 'retry-after': '3600' });
        return res.end();
      default:
        res.writeHead(404);
        return res.end();
    }
  }
}

function opml(entries: [string, string][]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>${entries
    .map(([name, url]) => `<outline type="rss" text="${esc(name)}" xmlUrl="${esc(url)}"/>`)
    .join('')}</body></opml>`;
}

const byName = (list: SourceHealth[], name: string) => list.find((s) => s.name === name)!;

describe('ingest against a local feed host with good and hostile feeds', () => {
  const host = new FeedHost();
  let ctx: TestContext;
  let clock: ReturnType<typeof manualClock>;
  let sourcesFile: string;
  beforeAll(() => host.start());
  afterAll(() => host.stop());
  beforeEach(async () => {
    clock = manualClock(NOW);
    ctx = await makeTestContext({ clock, env: { FEED_TIMEOUT_MS: '1000', INGEST_CONCURRENCY: '3', FEED_MAX_BYTES: String(1024 * 1024) } });
    sourcesFile = ctx.config.sourcesFile = join(ctx.dir, 'sources.opml');
  });
  afterEach(() => ctx.cleanup());

  const good: [string, string][] = [
    ['Fixture RSS', '/rss2.xml'],
    ['Fixture on Medium', '/medium.xml'],
    ['RDF', '/rdf.xml'],
    ['Atom gzip', '/atom.gz'],
    ['Latin brotli', '/latin1.br'],
    ['JSON Feed', '/feed.json'],
    ['Moved', '/moved'],
    ['ETag', '/etag.xml'],
  ];
  const bad: [string, string, RegExp][] = [
    ['Hangs', '/hang', /^timed out after 1000 ms$/],
    ['Drips', '/drip', /^timed out after 1000 ms$/],
    ['Huge', '/huge', /^the feed exceeds the size cap of 1048576 bytes$/],
    ['Server error', '/500', /^HTTP 500 Internal Server Error$/],
    ['Loop', '/loop', /^too many redirects \(more than 5\)$/],
    ['To file', '/to-file', /refused a redirect to the unsupported scheme "file"/],
    ['Truncated', '/truncated.xml', /not a well-formed feed/],
    ['Laughs', '/laughs.xml', /entity declarations are not allowed/],
    ['Login page', '/login', /^not a feed: got an HTML page$/],
    ['Empty', '/empty', /^not a feed: the response body is empty$/],
    ['API error', '/api-error', /^not a feed: JSON without a JSON Feed version/],
    ['Busy', '/busy', /^HTTP 429 Too Many Requests; retry after 2026-04-07T13:00:00.000Z$/],
  ];

  it('stores every good feed, reports each bad one by name with its reason, and is idempotent', async () => {
    writeFileSync(sourcesFile, opml([...good, ...bad.map(([n, p]) => [n, p] as [string, string]), ['Local file', 'file:///etc/passwd']].map(([n, p]) => [n, p.startsWith('/') ? host.base + p : p])));
    const first = await ingestAll(ctx);

    expect(first.sources).toBe(good.length + bad.length + 1);
    const errs = Object.fromEntries(first.errors.map((e) => [e.source, e.error]));
    expect(Object.keys(errs).sort()).toEqual([...bad.map(([n]) => n), 'Local file'].sort());
    for (const [name, , re] of bad) expect(errs[name], name).toMatch(re);
    expect(errs['Local file']).toBe('the feed URL uses the unsupported scheme "file" (only http and https are fetched)');

    // 4 from RSS (javascript:/data:/no-link/duplicate skipped), 1 new from Medium (the other is the same article),
    // 2 RDF, 3 Atom, 1 Latin-1, 2 JSON, 1 after a redirect, 1 with an ETag.
    expect(first.newArticles).toBe(4 + 1 + 2 + 3 + 1 + 2 + 1 + 1);

    const health = await listSourcesWithHealth(ctx);
    const rss = byName(health, 'Fixture RSS');
    expect(rss).toMatchObject({ articleCount: 4, lastError: null, consecutiveFailures: 0, lastSuccessAt: NOW, lastFetchAt: NOW, active: true });
    expect(byName(health, 'Fixture on Medium').articleCount).toBe(1);
    expect(byName(health, 'Huge')).toMatchObject({ articleCount: 0, consecutiveFailures: 1, lastSuccessAt: null });
    expect(byName(health, 'Huge').lastError).toMatch(/size cap/);
    expect(byName(health, 'Busy').retryAfter).toBe(NOW + 3_600_000);

    // Stored content is clean and decoded.
    const rssArticles = await listArticlesOfSource(ctx, rss.id);
    const first1 = rssArticles.find((a) => a.guid === 'fixture-rss-1')!;
    expect(first1).toMatchObject({ canonicalUrl: 'https://eng.example.com/blog/scaling-queues', title: 'Scaling queues & workers', author: 'Ada Lovelace', dateSource: 'feed' });
    expect(first1.contentHtml).not.toMatch(/script|onclick|iframe|javascript:/);
    expect(first1.summary.split(/(?<=[.!?"])\s+(?=["A-Z])/).length).toBeLessThanOrEqual(5);
    const latin = await listArticlesOfSource(ctx, byName(health, 'Latin brotli').id);
    expect(latin[0]!.title).toBe('Résumé naïve façade');
    const moved = await listArticlesOfSource(ctx, byName(health, 'Moved').id);
    expect(moved[0]!.title).toBe('“Smart” quotes — and € prices');

    // The 60 MB body was cut off while streaming, not read to the end.
    expect(host.hugeBytesWritten).toBeLessThan(SIXTY_MB / 2);
    // No request for the file: URL; the User-Agent names newsdesk and PUBLIC_URL; gzip and br are offered.
    const ua = host.headers['/rss2.xml']!['user-agent']!;
    expect(ua).toMatch(/newsdesk/);
    expect(ua).toContain('http://newsdesk.test');
    expect(host.headers['/rss2.xml']!['accept-encoding']).toMatch(/gzip.*br|br.*gzip/);

    // Second run: nothing new, the ETag feed answers 304, the 429 source is skipped until its Retry-After.
    clock.advance(60_000);
    const articlesBefore = health.reduce((n, s) => n + s.articleCount, 0);
    const second = await ingestAll(ctx);
    expect(second.newArticles).toBe(0);
    expect(host.headers['/etag.xml']!['if-none-match']).toBe('"v1"');
    expect(host.headers['/etag.xml']!['if-modified-since']).toBe('Mon, 06 Apr 2026 00:00:00 GMT');
    expect(host.hits['/busy']).toBe(1);
    expect(second.errors.find((e) => e.source === 'Busy')!.error).toBe('skipped: the server asked to wait until 2026-04-07T13:00:00.000Z');
    const health2 = await listSourcesWithHealth(ctx);
    expect(health2.reduce((n, s) => n + s.articleCount, 0)).toBe(articlesBefore);
    expect(byName(health2, 'ETag')).toMatchObject({ lastSuccessAt: NOW + 60_000, consecutiveFailures: 0, articleCount: 1 });
    expect(byName(health2, 'Server error').consecutiveFailures).toBe(2);
    expect(byName(health2, 'Busy').consecutiveFailures).toBe(1);
  });

  it('keeps stored articles when a feed turns into an HTML page, and counts failures until it recovers', async () => {
    writeFileSync(sourcesFile, opml([['Flip', `${host.base}/flip.xml`]]));
    host.flipToHtml = false;
    expect((await ingestAll(ctx)).newArticles).toBe(2);
    host.flipToHtml = true;
    const r = await ingestAll(ctx);
    expect(r.errors).toEqual([{ source: 'Flip', error: 'not a feed: got an HTML page' }]);
    let [flip] = await listSourcesWithHealth(ctx);
    expect(flip).toMatchObject({ articleCount: 2, consecutiveFailures: 1, lastError: 'not a feed: got an HTML page', lastSuccessAt: NOW });
    host.flipToHtml = false;
    expect(await ingestAll(ctx)).toEqual({ sources: 1, newArticles: 0, errors: [] });
    [flip] = await listSourcesWithHealth(ctx);
    expect(flip).toMatchObject({ consecutiveFailures: 0, lastError: null });
  });

  it('does not queue healthy feeds behind hung ones (bounded concurrency, hung fetches give their slot up)', async () => {
    ctx.config.ingestConcurrency = 1;
    host.events.length = 0;
    writeFileSync(
      sourcesFile,
      opml([
        ['A hang', `${host.base}/hang`],
        ['B hang', `${host.base}/hang2`],
        ['C hang', `${host.base}/hang3`],
        ['D good', `${host.base}/rdf.xml`],
      ]),
    );
    const originalHandle = host.hits['/rdf.xml'] ?? 0;
    const seen: string[] = [];
    const spy = (req: http.IncomingMessage) => {
      if (req.url === '/rdf.xml') seen.push(`good while ${host.events.filter((e) => e.startsWith('closed')).length} hung closed`);
    };
    host.server.prependListener('request', spy);
    const r = await ingestAll(ctx).finally(() => host.server.removeListener('request', spy));
    expect(r.newArticles).toBe(2);
    expect(r.errors.map((e) => e.source).sort()).toEqual(['A hang', 'B hang', 'C hang']);
    expect(host.hits['/rdf.xml']).toBe(originalHandle + 1);
    // The healthy feed was fetched while all three hung connections were still open.
    expect(seen).toEqual(['good while 0 hung closed']);
    host.server.removeListener('request', spy);
  });

  it('syncs the sources file: adds, renames, marks removed (keeping articles), restores', async () => {
    writeFileSync(sourcesFile, opml([['RDF', `${host.base}/rdf.xml`], ['JSON', `${host.base}/feed.json`]]));
    await ingestAll(ctx);
    writeFileSync(sourcesFile, opml([['RDF renamed', `${host.base}/rdf.xml`], ['Atom', `${host.base}/atom.gz`]]));
    expect(await syncSources(ctx)).toEqual({ total: 2, added: 1, renamed: 1, removed: 1, restored: 0 });
    const list = await listSourcesWithHealth(ctx);
    expect(list.map((s) => [s.name, s.active])).toEqual([
      ['Atom', true],
      ['RDF renamed', true],
      ['JSON', false],
    ]);
    expect(byName(list, 'JSON').articleCount).toBe(2);
    expect(byName(list, 'JSON').removedAt).toBe(NOW);
    // A removed source is not polled.
    const hits = host.hits['/feed.json'];
    const r = await ingestAll(ctx);
    expect(r.sources).toBe(2);
    expect(host.hits['/feed.json']).toBe(hits);
    writeFileSync(sourcesFile, opml([['JSON', `${host.base}/feed.json`]]));
    expect(await syncSources(ctx)).toMatchObject({ added: 0, removed: 2, restored: 1 });
  });

  it('an article in two feeds is credited the same way whichever feed is stored first: to the blog whose site it is on', async () => {
    // Medium's copy stored first (a run of its own), the company's own feed later: the article moves to its blog.
    writeFileSync(sourcesFile, opml([['Fixture on Medium', `${host.base}/medium.xml`]]));
    await ingestAll(ctx);
    writeFileSync(sourcesFile, opml([['Fixture on Medium', `${host.base}/medium.xml`], ['Fixture RSS', `${host.base}/rss2.xml`]]));
    clock.advance(60_000);
    await ingestAll(ctx);
    const health = await listSourcesWithHealth(ctx);
    expect(byName(health, 'Fixture RSS').articleCount).toBe(4);
    expect(byName(health, 'Fixture on Medium').articleCount).toBe(1);
    const { preferSource } = await import('../../src/feeds/repo.js');
    const blog = { id: 9, siteUrl: 'https://www.eng.example.com/blog', feedUrl: 'http://127.0.0.1/x.xml', firstSeenAt: 2 };
    const aggregator = { id: 1, siteUrl: 'https://medium.com/eng', feedUrl: 'https://medium.com/feed/eng', firstSeenAt: 1 };
    const url = 'https://eng.example.com/blog/post';
    expect(preferSource(blog, aggregator, url)).toBe(true);
    expect(preferSource(aggregator, blog, url)).toBe(false);
    // Neither hosts it: the earlier sighting, then the lower id.
    const other = { ...aggregator, id: 5, siteUrl: 'https://planet.example/', feedUrl: 'https://planet.example/rss' };
    expect(preferSource(other, aggregator, url)).toBe(false);
    expect(preferSource({ ...other, firstSeenAt: 0 }, aggregator, url)).toBe(true);
    expect(preferSource({ ...other, firstSeenAt: 1, id: 0 }, aggregator, url)).toBe(true);
  });

  it('a failing source taken out of the sources file shows as not followed at once in the API and the console, not as failing', async () => {
    writeFileSync(sourcesFile, opml([['RDF', `${host.base}/rdf.xml`], ['Broken', `${host.base}/500`]]));
    await ingestAll(ctx);
    const app = createApp(ctx);
    const auth = { authorization: 'Bearer test-admin-token-0123456789' };
    const before = (await (await app.request('/api/admin/sources', { headers: auth })).json()) as { sources: { name: string; active: boolean; consecutiveFailures: number }[] };
    expect(before.sources.find((x) => x.name === 'Broken')).toMatchObject({ active: true, consecutiveFailures: 1 });
    // The operator removes it from the file; no ingest has run since.
    writeFileSync(sourcesFile, opml([['RDF', `${host.base}/rdf.xml`]]));
    const after = (await (await app.request('/api/admin/sources', { headers: auth })).json()) as { sources: { name: string; active: boolean }[] };
    expect(after.sources.find((x) => x.name === 'Broken')).toMatchObject({ active: false });
    const { currentSources } = await import('../../src/feeds/service.js');
    const failing = (await currentSources(ctx)).filter((x) => x.active && !x.removedAt && x.consecutiveFailures > 0);
    expect(failing).toEqual([]);
  });

  it('a broken sources file is reported and the known sources are still polled', async () => {
    writeFileSync(sourcesFile, opml([['RDF', `${host.base}/rdf.xml`]]));
    await syncSources(ctx);
    writeFileSync(sourcesFile, '<opml><body><outline text="cut');
    const r = await ingestAll(ctx);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.source).toBe('SOURCES_FILE');
    expect(r.errors[0]!.error).toMatch(/not valid OPML/);
    expect(r.newArticles).toBe(2);
    writeFileSync(sourcesFile, opml([]));
    await expect(syncSources(ctx)).rejects.toThrow(/lists no feeds/);
    expect((await listSourcesWithHealth(ctx))[0]!.active).toBe(true);
  });

  it('POST /api/admin/ingest and GET /api/admin/sources answer as the spec says, behind the admin token', async () => {
    writeFileSync(sourcesFile, opml([['RDF', `${host.base}/rdf.xml`], ['Server error', `${host.base}/500`]]));
    const app = createApp(ctx);
    expect((await app.request('/api/admin/ingest', { method: 'POST' })).status).toBe(401);
    expect((await app.request('/api/admin/sources')).status).toBe(401);
    const res = await app.request('/api/admin/ingest', { method: 'POST', headers: AUTH });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ sources: 2, newArticles: 2, errors: [{ source: 'Server error', error: 'HTTP 500 Internal Server Error' }] });
    // Besides the SPEC's fields: what the full-text step did for the new teaser items (their pages are not reachable here).
    expect(Object.keys(body).sort()).toEqual(['errors', 'fullText', 'newArticles', 'sources']);
    expect(body.fullText).toMatchObject({ fetched: 0, failed: 2, deferred: 0 });
    const list = (await (await app.request('/api/admin/sources', { headers: AUTH })).json()) as { sources: Record<string, unknown>[] };
    expect(list.sources).toHaveLength(2);
    expect(list.sources[0]).toMatchObject({
      name: 'RDF',
      feedUrl: `${host.base}/rdf.xml`,
      active: true,
      lastFetchAt: new Date(NOW).toISOString(),
      lastSuccessAt: new Date(NOW).toISOString(),
      lastError: null,
      consecutiveFailures: 0,
      articleCount: 2,
    });
    expect(list.sources[1]).toMatchObject({ name: 'Server error', lastSuccessAt: null, lastError: 'HTTP 500 Internal Server Error', consecutiveFailures: 1, articleCount: 0 });
  });

  it('the server starter loads the 31 bundled default sources (both entries of a blog followed twice)', async () => {
    ctx.config.sourcesFile = (await import('../../src/config.js')).DEFAULT_SOURCES_FILE;
    const service = await startSourcesSync(ctx);
    await service.stop();
    const list = await listSourcesWithHealth(ctx);
    expect(list).toHaveLength(31);
    expect(list.filter((s) => /Netflix/.test(s.name)).map((s) => s.feedUrl).sort()).toEqual(['https://medium.com/feed/netflix-techblog', 'https://netflixtechblog.com/feed']);
    expect(list.every((s) => s.active && s.lastFetchAt === null && s.articleCount === 0)).toBe(true);
  });

  it('the server starter logs a broken sources file instead of failing the start', async () => {
    writeFileSync(sourcesFile, 'not xml');
    const service = await startSourcesSync(ctx);
    expect(service.name).toBe('sources-sync');
    expect(await listSourcesWithHealth(ctx)).toEqual([]);
  });

  it('two ingests at once share one run', async () => {
    writeFileSync(sourcesFile, opml([['RDF', `${host.base}/rdf.xml`]]));
    const before = host.hits['/rdf.xml'] ?? 0;
    const [a, b] = await Promise.all([ingestAll(ctx), ingestAll(ctx)]);
    expect(a).toBe(b);
    expect(host.hits['/rdf.xml']).toBe(before + 1);
  });
});
