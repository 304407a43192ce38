import { afterEach, describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { createApp } from '../../src/http/app.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssueArticles } from '../../src/issues/repo.js';
import { manualClock } from '../../src/lib/clock.js';
import { seedFixtureDay, seedArticle } from '../fixtures/digest-seed.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { addSubscribers } from '../helpers/deliver-fixtures.js';

// The console's Readers page: readers over time, clicks per issue, source and story as server-drawn SVG charts, and
// source weights learned from the clicks, applied to the ranking only once the operator accepts them.

const TOKEN = 'test-admin-token-0123456789';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const DAY = 86_400_000;
const CUTOFF = Date.UTC(2026, 3, 6, 6);
let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

/** A signed-in console after `setup` ran (which may move the clock: the session starts after it). */
async function session(env: Record<string, string>, setup: (c: TestContext, clock: ReturnType<typeof manualClock>) => Promise<unknown> = async () => {}) {
  const clock = manualClock(CUTOFF + 60_000);
  ctx = await makeTestContext({ clock, env });
  await setup(ctx, clock);
  const app = createApp(ctx);
  const res = await app.request('/admin/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ token: TOKEN }) });
  const cookie = /nd_console=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
  const html = await (await app.request('/admin/subscribers', { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const get = async (path: string) => (await app.request(path, { headers: { cookie } })).text();
  const post = (path: string, body: Record<string, string>) => app.request(path, { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams({ _csrf: csrf, ...body }) });
  return { ctx, app, clock, get, post };
}

/** Two sent issues of the fixture day to 40 readers; returns the issue ids. */
async function twoSentIssues(c: TestContext, clock: ReturnType<typeof manualClock>) {
  addSubscribers(c, 40);
  const ids: number[] = [];
  for (const [k, date] of ['2026-04-06', '2026-04-07'].entries()) {
    clock.set(CUTOFF + k * DAY + 60_000);
    seedFixtureDay(c, CUTOFF + k * DAY, { history: k === 0 });
    const issue = (await assembleIssue(c, date)).issue!;
    await sendIssue(c, issue.id);
    c.sqlite.prepare("UPDATE deliveries SET status = 'sent', sent_at = ? WHERE issue_id = ?").run(clock.now(), issue.id);
    c.sqlite.prepare("UPDATE issues SET status = 'sent', sent_at = ? WHERE id = ?").run(clock.now(), issue.id);
    ids.push(issue.id);
  }
  return ids;
}

describe('the Readers page', () => {
  it('charts readers and clicks, suggests a learned weight, and the ranking uses it once accepted', async () => {
    let issues: number[] = [];
    const { ctx: c, clock, get, post } = await session({ TRACKING: 'subscriber' }, async (x, clk) => (issues = await twoSentIssues(x, clk)));
    const before = await get('/admin/readers');
    expect(before).toContain('No clicks yet.');
    expect(before).toContain('0 reader clicks in all so far; suggestions start at 30');
    expect(before).toContain('<polyline'); // readers over time, even without clicks
    expect(before).toContain('40 daily · 0 weekly');

    // Readers click Netflix's stories ten times as often as the rest; scanners click everything.
    const favourite = 'Netflix Tech Blog';
    let sub = 1;
    for (const issueId of issues) {
      const arts = (await getIssueArticles(c, issueId)).filter((a) => !a.excluded);
      const links = await c.store.feedback.ensureLinks(issueId, arts.map((a) => ({ articleId: a.id, url: a.canonicalUrl })));
      const clicks = [];
      for (const a of arts) {
        const l = links.get(a.id)!;
        const n = a.sourceName === favourite ? 10 : 1;
        for (let i = 0; i < n; i++) clicks.push({ linkId: l.id, issueId, articleId: a.id, subscriberId: sub++, at: clock.now(), machine: false, reason: null });
        clicks.push({ linkId: l.id, issueId, articleId: a.id, subscriberId: 9000 + a.id, at: clock.now(), machine: true, reason: 'scanner' });
      }
      await c.store.feedback.recordClicks(clicks);
    }
    const stories = c.sqlite.prepare("SELECT count(*) FROM issue_articles ia JOIN articles a ON a.id = ia.article_id JOIN sources s ON s.id = a.source_id WHERE s.name = ?").pluck().get(favourite) as number;
    expect(stories).toBeGreaterThanOrEqual(3);
    const page = await get('/admin/readers');
    expect(page).toContain('<svg class="hbar-plot"');
    expect(page).toContain('<svg class="col-plot"');
    // Per source: the favourite first, with the most clicks and the top suggestion (capped at ×1.5).
    const perSource = page.slice(page.indexOf('id="per-source"'), page.indexOf('id="weights"'));
    expect(perSource.indexOf(favourite)).toBeGreaterThan(0);
    expect(perSource.indexOf(favourite)).toBeLessThan(perSource.indexOf('Meta Engineering'));
    const row = page.slice(page.indexOf(`data-source="${favourite}"`));
    const accept = /Accept ×([\d.]+)/.exec(row)![1]!;
    expect(Number(accept)).toBe(1.5);
    const other = page.slice(page.indexOf('data-source="Meta Engineering"'));
    expect(Number(/Accept ×([\d.]+)/.exec(other)![1])).toBeLessThan(1);
    const sourceId = c.sqlite.prepare('SELECT id FROM sources WHERE name = ?').pluck().get(favourite) as number;

    // Nothing changes until accepted; a weight out of range is refused.
    expect(c.sqlite.prepare('SELECT feedback_weight FROM sources WHERE id = ?').pluck().get(sourceId)).toBeNull();
    expect((await post(`/admin/readers/weights/${sourceId}`, { weight: '9' })).status).toBe(303);
    expect(c.sqlite.prepare('SELECT feedback_weight FROM sources WHERE id = ?').pluck().get(sourceId)).toBeNull();
    expect((await post(`/admin/readers/weights/${sourceId}`, { weight: accept })).status).toBe(303);
    expect(c.sqlite.prepare('SELECT feedback_weight FROM sources WHERE id = ?').pluck().get(sourceId)).toBe(1.5);
    expect(await get('/admin/readers')).toContain('×1.50');

    // The issue page charts its clicks per article.
    const issuePage = await get(`/admin/issues/${issues[1]}`);
    expect(issuePage).toContain('Readers’ clicks');
    expect(issuePage).toContain('<svg class="hbar-plot"');

    // Cleared, the OPML weight alone ranks the source again; accepted again for the next issue.
    await post(`/admin/readers/weights/${sourceId}`, { weight: '' });
    expect(c.sqlite.prepare('SELECT feedback_weight FROM sources WHERE id = ?').pluck().get(sourceId)).toBeNull();
    await post(`/admin/readers/weights/${sourceId}`, { weight: accept });

    // The next issue ranks the favourite with its learned weight, shown as its own part.
    clock.advance(DAY);
    const text = 'The team cut p99 latency from 400 ms to 90 ms, a 4x improvement, on 30 nodes.';
    const fav = seedArticle(c, { source: favourite, title: 'How we cut p99 latency 4x', summary: text, contentText: text, publishedAt: CUTOFF + 2 * DAY - 3_600_000 });
    const plain = seedArticle(c, { source: 'Meta Engineering', title: 'How we cut p99 latency 4x too', summary: text, contentText: text, publishedAt: CUTOFF + 2 * DAY - 3_500_000 });
    const next = (await assembleIssue(c, '2026-04-08')).issue!;
    const rows = await getIssueArticles(c, next.id);
    const a = rows.find((r) => r.id === fav)!;
    const b = rows.find((r) => r.id === plain)!;
    expect(a.parts.feedbackWeight).toBe(1.5);
    expect(b.parts.feedbackWeight).toBeUndefined();
    const { describeParts } = await import('../../src/digest/parts.js');
    expect(describeParts(a.parts)).toContainEqual(expect.objectContaining({ name: 'readers', value: '×1.50' }));
    expect(a.score).toBeGreaterThan(b.score);
  });

  it('with tracking off says so, and still shows the readers', async () => {
    const { ctx: c, get } = await session({});
    addSubscribers(c, 3);
    c.sqlite.prepare("UPDATE subscribers SET frequency = 'weekly' WHERE id = 1").run();
    const page = await get('/admin/readers');
    expect(page).toContain('Tracking is off');
    expect(page).toContain('2 daily · 1 weekly');
  });
});
