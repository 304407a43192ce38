import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issues } from '../../src/db/sqlite/schema.js';
import { createApp } from '../../src/http/app.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssueArticles, listArchiveIssues } from '../../src/issues/repo.js';
import { manualClock } from '../../src/lib/clock.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { seedArticle, seedFixtureDay } from '../fixtures/digest-seed.js';

const at = (d: string, h = 6) => Date.parse(`${d}T${String(h).padStart(2, '0')}:00:00Z`);

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
const clock = manualClock(at('2026-04-06', 7));
beforeEach(async () => {
  clock.set(at('2026-04-06', 7));
  ctx = await makeTestContext({ clock });
  app = createApp(ctx);
});
afterEach(async () => ctx.cleanup());

const publish = (id: number) => ctx.db.update(issues).set({ status: 'sent', sentAt: clock.now() }).where(eq(issues.id, id)).run();

describe('web archive', () => {
  it('shows only published issues, newest first, paginated', async () => {
    const dates: string[] = [];
    for (let k = 0; k < 23; k++) {
      const d = new Date(Date.UTC(2026, 2, 1 + k)).toISOString().slice(0, 10);
      clock.set(at(d, 7));
      seedArticle(ctx, { source: 'A', title: `Story of ${d}`, publishedAt: at(d, 3) });
      const i = (await assembleIssue(ctx, d)).issue!;
      if (k !== 22) publish(i.id);
      dates.push(d);
    }
    const list = await listArchiveIssues(ctx, { limit: 100, offset: 0 });
    expect(list.map((i) => i.date)).toEqual(dates.slice(0, 22).reverse());
    const p1 = await (await app.request('/issues')).text();
    expect(p1).toContain(`/issues/${dates[21]}`);
    expect(p1).not.toContain(`/issues/${dates[22]}`); // the draft
    expect(p1).not.toContain(`/issues/${dates[1]}"`);
    expect(p1).toContain('href="/issues?page=2"');
    expect(p1.indexOf(dates[21]!)).toBeLessThan(p1.indexOf(dates[20]!));
    const p2 = await (await app.request('/issues?page=2')).text();
    expect(p2).toContain(`/issues/${dates[0]}`);
    expect(p2).toContain('rel="alternate" type="application/atom+xml"');
    expect((await app.request('/issues?page=9')).status).toBe(404);
    expect((await app.request(`/issues/${dates[22]}`)).status).toBe(404);
    expect((await app.request('/issues/not-a-date')).status).toBe(404);
  });

  it('shows an issue as a web page with the same content, Open Graph tags, feed links and no personal tokens', async () => {
    clock.set(at('2026-04-06', 6) + 60_000);
    seedFixtureDay(ctx, at('2026-04-06'));
    const i = (await assembleIssue(ctx, '2026-04-06')).issue!;
    publish(i.id);
    const res = await app.request('/issues/2026-04-06');
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const a of await getIssueArticles(ctx, i.id)) expect(html).toContain(`href="${a.canonicalUrl}"`);
    const order = ['Signal of the Day', 'Deep Dives', 'Patterns Across Companies', 'Sources'].map((s) => html.indexOf(s));
    expect(order.every((x) => x > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toMatch(/<meta property="og:title" content="[^"]+ · 6 Apr"/);
    expect(html).toContain('<meta property="og:url" content="http://newsdesk.test/issues/2026-04-06"');
    expect(html).toContain('<link rel="alternate" type="application/feed+json"');
    expect(html).not.toMatch(/__NEWSDESK|unsubscribe/i);
    expect(html).toContain('href="/#subscribe"');
    expect(html).toContain('Context engineering');
  });

  it('a title with angle brackets keeps every word from the feed to the mail, its text part and the archive', async () => {
    clock.set(at('2026-04-06', 6) + 60_000);
    const { normalizeItem } = await import('../../src/feeds/normalize.js');
    const { parseFeedBody } = await import('../../src/feeds/parse.js');
    const feed = parseFeedBody(
      `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://e.test/</link>` +
        `<item><title>Markdown &amp; &lt;Shell&gt; Tricks</title><link>https://e.test/a</link><description>Shells. Pipes.</description></item></channel></rss>`,
      { feedUrl: 'https://e.test/feed.xml' },
    );
    const title = normalizeItem(feed.items[0]!, clock.now())!.title;
    expect(title).toBe('Markdown & <Shell> Tricks');
    seedArticle(ctx, { source: 'A', title, publishedAt: at('2026-04-06', 3) });
    seedArticle(ctx, { source: 'B', title: 'Why <dialog> beats modals', publishedAt: at('2026-04-06', 2) });
    const i = (await assembleIssue(ctx, '2026-04-06')).issue!;
    publish(i.id);
    const row = ctx.sqlite.prepare('SELECT html, text, subject FROM issues WHERE id = ?').get(i.id) as { html: string; text: string; subject: string };
    expect(row.html).toContain('Markdown &amp; &lt;Shell&gt; Tricks');
    expect(row.html).toContain('Why &lt;dialog&gt; beats modals');
    expect(row.text).toContain('Markdown & <Shell> Tricks');
    expect(row.text).toContain('Why <dialog> beats modals');
    const page = await (await app.request('/issues/2026-04-06')).text();
    expect(page).toContain('Markdown &amp; &lt;Shell&gt; Tricks');
    expect(page).toContain('Why &lt;dialog&gt; beats modals');
    expect(page).not.toContain('<Shell>');
  });

  it('publishes Atom and JSON feeds of the issues', async () => {
    clock.set(at('2026-04-06', 6) + 60_000);
    seedArticle(ctx, { source: 'A', title: 'Tom & Jerry <b>tags</b>', publishedAt: at('2026-04-06', 3) });
    // The title is text: "<b>" is two words' worth of characters, escaped wherever it is shown, never markup.
    const i = (await assembleIssue(ctx, '2026-04-06')).issue!;
    publish(i.id);
    const atom = await app.request('/issues/feed.xml');
    expect(atom.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const xml = await atom.text();
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(xml).toContain('<id>http://newsdesk.test/issues/2026-04-06</id>');
    expect(xml).toContain('Tom &amp;amp; Jerry'); // escaped once as HTML, then once as XML
    expect(xml).not.toContain('<b>');
    expect(xml).toContain('&amp;lt;b&amp;gt;tags');
    const json = (await (await app.request('/issues/feed.json')).json()) as { version: string; items: { id: string; title: string; content_html: string }[] };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items).toHaveLength(1);
    expect(json.items[0]!.title).toBe(i.subject);
    expect(json.items[0]!.content_html).toContain('Tom &amp; Jerry');
  });
});
