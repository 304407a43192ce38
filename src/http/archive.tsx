/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../context.js';
import type { Edition } from '../domain-types.js';
import { isIsoDate } from '../lib/cron-time.js';
import { adjacentArchiveDates, countArchiveIssues, getIssueByDate, isPublished, listArchiveIssues, type ArchiveIssue } from '../issues/repo.js';
import { loadIssueDigest } from '../issues/stored.js';
import { notFound } from '../lib/errors.js';
import { createPageCache, type PageCache } from './page-cache.js';
import { ArchiveIssuePage, ArchiveListPage, IssueBody } from './pages/archive.js';

// The public web archive of sent issues, and its Atom and JSON feeds. Nothing here is personal.

/** Issues per archive page. */
export const ARCHIVE_PAGE_SIZE = 20;
const FEED_SIZE = 20;
const HTML = 'text/html; charset=UTF-8';
/** Proxies and browsers may keep a public page five minutes, and revalidate it with its ETag after. */
const PUBLIC_CACHE = 'public, max-age=300';

const xml = (s: string) =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const published = (i: Pick<ArchiveIssue, 'sentAt' | 'sendStartedAt' | 'updatedAt'>) => new Date(i.sentAt ?? i.sendStartedAt ?? i.updatedAt).toISOString();

/**
 * Registers GET /issues, /issues/feed.xml, /issues/feed.json and /issues/:date, and the same for the weekly edition
 * under /issues/weekly.
 */
export function registerArchiveRoutes(app: Hono, ctx: AppContext, pages: PageCache = createPageCache(ctx)): void {
  // The weekly paths first: "/issues/weekly" must not be taken for a date.
  registerEdition(app, ctx, pages, 'weekly');
  registerEdition(app, ctx, pages, 'daily');
}

function registerEdition(app: Hono, ctx: AppContext, pages: PageCache, ed: Edition): void {
  const site = ctx.config.newsletterName;
  const weekly = ed === 'weekly';
  const u = weekly
    ? { list: ctx.urls.weeklyIssues, issue: ctx.urls.weeklyIssue, atom: ctx.urls.weeklyAtom(), json: ctx.urls.weeklyJson() }
    : { list: ctx.urls.issues, issue: ctx.urls.issue, atom: ctx.urls.issuesAtom(), json: ctx.urls.issuesJson() };
  const feeds = { atom: u.atom, json: u.json };
  const base = weekly ? '/issues/weekly' : '/issues';
  const edition = { weekly, base };
  const title = weekly ? `${site} weekly` : site;
  const subtitle = weekly ? `The weekly edition of ${site}: the week’s best stories` : `Every issue of ${site}`;

  async function feedItems() {
    const list = await listArchiveIssues(ctx, { limit: FEED_SIZE, offset: 0, edition: ed });
    const out: { issue: ArchiveIssue; html: string }[] = [];
    for (const issue of list) {
      const row = await getIssueByDate(ctx, issue.date, ed);
      if (!row) continue;
      const { digest } = await loadIssueDigest(ctx, row);
      out.push({ issue, html: (<IssueBody digest={digest} />).toString() });
    }
    return out;
  }

  app.get(base, async (c) => {
    const raw = c.req.query('page');
    const page = raw && /^\d{1,6}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 1;
    return pages.send(c, await pages.page(`${base}?page=${page}`, () => archiveList(page)), PUBLIC_CACHE);
  });

  async function archiveList(page: number) {
    const [items, total] = await Promise.all([
      listArchiveIssues(ctx, { limit: ARCHIVE_PAGE_SIZE, offset: (page - 1) * ARCHIVE_PAGE_SIZE, edition: ed }),
      countArchiveIssues(ctx, ed),
    ]);
    if (page > 1 && !items.length) throw notFound('There is no such archive page.');
    return {
      body: '<!doctype html>' + (<ArchiveListPage siteName={site} items={items} page={page} hasNext={page * ARCHIVE_PAGE_SIZE < total} feeds={feeds} edition={edition} />).toString(),
      type: HTML,
    };
  }

  app.get(`${base}/feed.xml`, async (c) => pages.send(c, await pages.page(`${base}/feed.xml`, atomFeed), PUBLIC_CACHE));

  async function atomFeed() {
    const items = await feedItems();
    const updated = items[0] ? published(items[0].issue) : new Date(0).toISOString();
    const entries = items
      .map(
        ({ issue, html }) => `  <entry>
    <id>${xml(u.issue(issue.date))}</id>
    <title>${xml(issue.subject)}</title>
    <link rel="alternate" type="text/html" href="${xml(u.issue(issue.date))}"/>
    <published>${published(issue)}</published>
    <updated>${published(issue)}</updated>
    <summary>${xml(issue.preheader)}</summary>
    <content type="html">${xml(html)}</content>
  </entry>`,
      )
      .join('\n');
    const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${xml(u.list())}</id>
  <title>${xml(title)}</title>
  <subtitle>${xml(subtitle)}</subtitle>
  <link rel="self" type="application/atom+xml" href="${xml(feeds.atom)}"/>
  <link rel="alternate" type="text/html" href="${xml(u.list())}"/>
  <updated>${updated}</updated>
  <author><name>${xml(site)}</name></author>
${entries}
</feed>
`;
    return { body, type: 'application/atom+xml; charset=utf-8' };
  }

  app.get(`${base}/feed.json`, async (c) => pages.send(c, await pages.page(`${base}/feed.json`, jsonFeed), PUBLIC_CACHE));

  async function jsonFeed() {
    const items = await feedItems();
    const body = {
      version: 'https://jsonfeed.org/version/1.1',
      title,
      home_page_url: u.list(),
      feed_url: feeds.json,
      description: subtitle,
      language: 'en',
      authors: [{ name: site }],
      items: items.map(({ issue, html }) => ({
        id: u.issue(issue.date),
        url: u.issue(issue.date),
        title: issue.subject,
        summary: issue.preheader,
        content_html: html,
        date_published: published(issue),
      })),
    };
    return { body: JSON.stringify(body), type: 'application/feed+json; charset=utf-8' };
  }

  app.get(`${base}/:date`, async (c) => {
    const date = c.req.param('date');
    if (!isIsoDate(date)) throw notFound('There is no issue at this address.');
    return pages.send(c, await pages.page(`${base}/${date}`, () => issuePage(date)), PUBLIC_CACHE);
  });

  async function issuePage(date: string) {
    const row = await getIssueByDate(ctx, date, ed);
    if (!row || !isPublished(row)) throw notFound(`There is no published ${weekly ? 'weekly ' : ''}issue for this date.`);
    const [{ digest }, adj] = await Promise.all([loadIssueDigest(ctx, row), adjacentArchiveDates(ctx, date, ed)]);
    return {
      body: '<!doctype html>' + (<ArchiveIssuePage siteName={site} digest={digest} url={u.issue(date)} feeds={feeds} prev={adj.prev} next={adj.next} edition={edition} />).toString(),
      type: HTML,
    };
  }
}
