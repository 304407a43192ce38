// Public pages are rendered once per change and served with an ETag; a change shows within a second.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, fastPathOf } from '../../src/http/app.js';
import { VERSION_TTL_MS } from '../../src/http/page-cache.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { seedArticle } from '../fixtures/digest-seed.js';
import { startLiveServer, type LiveServer } from '../helpers/server.js';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
beforeEach(async () => {
  ctx = await makeTestContext();
  app = createApp(ctx);
});
afterEach(() => ctx.cleanup());

const settle = () => new Promise((r) => setTimeout(r, VERSION_TTL_MS + 50));

describe('cached public pages', () => {
  it('archive and feeds answer with an ETag, 304 to a client that has it, and change once an issue is published', async () => {
    for (const path of ['/issues', '/issues/feed.xml', '/issues/feed.json']) {
      const a = await app.request(path);
      const etag = a.headers.get('etag')!;
      expect(etag, path).toMatch(/^W\/"[\w-]{20}"$/);
      expect(a.headers.get('cache-control')).toBe('public, max-age=300');
      // Built with every header at once: the security headers are there as on every other response.
      expect(a.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(a.headers.get('x-frame-options'), path).toBe('DENY');
      const again = await app.request(path, { headers: { 'If-None-Match': etag } });
      expect(again.status, path).toBe(304);
      expect(await again.text()).toBe('');
    }
    const before = (await app.request('/issues')).headers.get('etag');
    // Yesterday's issue (its 06:00 UTC cutoff has passed whenever this runs), with an article from before it.
    const today = new Date(Date.now() - 24 * 3_600_000).toISOString().slice(0, 10);
    seedArticle(ctx, { source: 'Example', title: 'A queue that halves tail latency', publishedAt: Date.parse(`${today}T03:00:00Z`) });
    const issue = (await assembleIssue(ctx, today)).issue!;
    await settle();
    // A draft is not public: the archive did not change.
    expect((await app.request('/issues')).headers.get('etag')).toBe(before);
    await sendIssue(ctx, issue.id);
    await settle();
    const after = await app.request('/issues', { headers: { 'If-None-Match': before! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
    expect(await after.text()).toContain(`/issues/${today}`);
    const page = await app.request(`/issues/${today}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('A queue that halves tail latency');
  });

  it('the landing page is rendered once, yet every visitor gets a fresh form token', async () => {
    const a = await app.request('/');
    const b = await app.request('/');
    expect(a.headers.get('etag')).toBe(b.headers.get('etag'));
    expect(a.headers.get('cache-control')).toBe('no-cache');
    expect(a.headers.get('content-security-policy')).toContain("form-action 'self'");
    const other = await app.request('/confirm/not-a-token');
    expect(other.headers.get('content-security-policy')).toBe(a.headers.get('content-security-policy'));
    expect(other.headers.get('x-content-type-options')).toBe('nosniff');
    const token = (html: string) => /name="t" value="([^"]+)"/.exec(html)?.[1];
    const ta = token(await a.text());
    await new Promise((r) => setTimeout(r, 5));
    const tb = token(await b.text());
    expect(ta).toMatch(/^[0-9a-z]+\.[\w-]{22}$/);
    expect(tb).toMatch(/^[0-9a-z]+\.[\w-]{22}$/);
    // Rendered at each request, not cached with the page (b was served a moment after a).
    const c2 = token(await (await app.request('/')).text());
    expect(new Set([ta, c2]).size).toBe(2);
  });
});

describe('cached public pages through the listening server', () => {
  let live: LiveServer | undefined;
  afterEach(async () => {
    await live?.close();
    live = undefined;
  });
  const headersOf = (r: Response) => Object.fromEntries([...r.headers].filter(([k]) => k !== 'date' && k !== 'connection' && k !== 'keep-alive'));

  it('a page the router served once is answered from its bytes: same status, headers and body; 304 and HEAD too; a change shows within a second', async () => {
    live = await startLiveServer();
    const { url, app } = live;
    const hits = () => fastPathOf(app)!.hits();
    for (const path of ['/issues', '/issues/feed.xml', '/issues/feed.json']) {
      const first = await fetch(url + path);
      const before = hits();
      const second = await fetch(url + path);
      expect(hits(), path).toBe(before + 1);
      expect(second.status).toBe(200);
      expect(headersOf(second), path).toEqual(headersOf(first));
      expect(await second.text()).toBe(await first.text());
      const etag = second.headers.get('etag')!;
      const notModified = await fetch(url + path, { headers: { 'If-None-Match': `"other", ${etag}` } });
      expect(notModified.status).toBe(304);
      expect(await notModified.text()).toBe('');
      const head = await fetch(url + path, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(await (await fetch(url + path)).text())));
      expect(await head.text()).toBe('');
    }
    // Anything else still goes through the router: a POST, an unknown page, a query never served before.
    const n = hits();
    expect((await fetch(url + '/issues/feed.xml', { method: 'POST' })).status).toBe(404);
    expect((await fetch(url + '/nowhere')).status).toBe(404);
    expect((await fetch(url + '/issues?page=1')).status).toBe(200);
    expect(hits()).toBe(n);

    const before = (await fetch(url + '/issues')).headers.get('etag');
    const day = new Date(Date.now() - 24 * 3_600_000).toISOString().slice(0, 10);
    seedArticle(live.ctx, { source: 'Example', title: 'A cache that learns', publishedAt: Date.parse(`${day}T03:00:00Z`) });
    const issue = (await assembleIssue(live.ctx, day)).issue!;
    await sendIssue(live.ctx, issue.id);
    await settle();
    const after = await fetch(url + '/issues');
    expect(after.headers.get('etag')).not.toBe(before);
    expect(await after.text()).toContain(`/issues/${day}`);
  });

  it('the landing page from its bytes still carries a fresh form token for every visitor', async () => {
    live = await startLiveServer();
    const { url, app } = live;
    const token = (html: string) => /name="t" value="([^"]+)"/.exec(html)?.[1];
    const a = await fetch(url + '/');
    const ta = token(await a.text());
    const before = fastPathOf(app)!.hits();
    await new Promise((r) => setTimeout(r, 5));
    const b = await fetch(url + '/');
    const tb = token(await b.text());
    expect(fastPathOf(app)!.hits()).toBe(before + 1);
    expect(tb).toMatch(/^[0-9a-z]+\.[\w-]{22}$/);
    expect(tb).not.toBe(ta);
    expect(headersOf(b)).toEqual({ ...headersOf(a), 'content-length': b.headers.get('content-length') });
    expect(b.headers.get('cache-control')).toBe('no-cache');
  });
});
