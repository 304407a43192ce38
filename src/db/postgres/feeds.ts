// Sources and articles on PostgreSQL. Storing a fetch takes one advisory lock, so two processes ingesting at once
// credit an article found in two feeds the same way (preferSource) and never trip a unique index mid-transaction.
import { preferSource } from '../../feeds/credit.js';
import { planSourceSync } from '../../feeds/sync-plan.js';
import type { CleanArticle } from '../../feeds/normalize.js';
import type { SourceEntry } from '../../feeds/opml.js';
import type { Article, FullTextCandidate, FullTextResult, Source, SourceHealth, SyncResult } from '../../feeds/store.js';
import type { PgHandle } from './client.js';
import { all, one, run, value } from './rows.js';

type Repo = PgHandle;

export async function syncSourceEntries(r: Repo, entries: SourceEntry[], now: number, fileDigest?: string): Promise<SyncResult> {
  return r.tx(
    async (q) => {
      if (fileDigest !== undefined)
        await run(q, `INSERT INTO settings (key, value) VALUES ('sources_file_digest', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [fileDigest]);
      const plan = planSourceSync(await all<Source>(q, 'SELECT * FROM sources'), entries);
      for (const e of plan.add)
        await run(q, 'INSERT INTO sources (feed_url, name, site_url, weight, company, fulltext, active, created_at) VALUES (?, ?, ?, ?, ?, ?, true, ?) ON CONFLICT DO NOTHING', [e.feedUrl, e.name, e.siteUrl, e.weight, e.company, e.fulltext, now]);
      for (const { id, entry: e } of plan.update)
        // A weight written in the OPML is the operator's word: it replaces a learned weight accepted before.
        await run(
          q,
          'UPDATE sources SET name = ?, site_url = ?, feedback_weight = CASE WHEN weight <> ? THEN NULL ELSE feedback_weight END, weight = ?, company = ?, fulltext = ?, active = true, removed_at = NULL WHERE id = ?',
          [e.name, e.siteUrl, e.weight, e.weight, e.company, e.fulltext, id],
        );
      if (plan.remove.length) await run(q, 'UPDATE sources SET active = false, removed_at = ? WHERE id = ANY(?::int[])', [now, plan.remove]);
      return plan.result;
    },
    { lock: 'newsdesk:sources' },
  );
}

export async function sourcesFileDigest(r: Repo): Promise<string | null> {
  return (await value<string>(r, `SELECT value FROM settings WHERE key = 'sources_file_digest'`)) ?? null;
}

export async function listActiveSources(r: Repo): Promise<Source[]> {
  return all<Source>(r, 'SELECT * FROM sources WHERE active ORDER BY name COLLATE "C", id');
}

export async function listAllSources(r: Repo): Promise<Source[]> {
  return all<Source>(r, 'SELECT * FROM sources ORDER BY name COLLATE "C", id');
}

export async function saveFetchSuccess(
  r: Repo,
  sourceId: number,
  items: CleanArticle[],
  fetch: { etag: string | null; lastModified: string | null; at: number; siteUrl?: string | null },
): Promise<number> {
  return r.tx(
    async (q) => {
      if (fetch.siteUrl) await run(q, 'UPDATE sources SET site_url = ? WHERE id = ? AND site_url IS NULL', [fetch.siteUrl, sourceId]);
      const me = (await one<{ id: number; siteUrl: string | null; feedUrl: string }>(q, 'SELECT id, site_url, feed_url FROM sources WHERE id = ?', [sourceId]))!;
      let inserted = 0;
      for (const a of items) {
        const added = await run(
          q,
          `INSERT INTO articles (source_id, guid, url, canonical_url, title, author, published_at, date_source, first_seen_at, content_html, content_text, summary, content_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [sourceId, a.guid, a.url, a.canonicalUrl, a.title, a.author, a.publishedAt, a.dateSource, a.firstSeenAt, a.contentHtml, a.contentText, a.summary, a.contentHash],
        );
        inserted += added;
        if (added) continue;
        const holder = await one<{ articleId: number; id: number; siteUrl: string | null; feedUrl: string; firstSeenAt: number }>(
          q,
          `SELECT a.id AS article_id, s.id, s.site_url, s.feed_url, a.first_seen_at
             FROM articles a JOIN sources s ON s.id = a.source_id
            WHERE a.canonical_url = ? AND a.source_id <> ? AND NOT EXISTS (SELECT 1 FROM issue_articles ia WHERE ia.article_id = a.id)`,
          [a.canonicalUrl, sourceId],
        );
        if (holder && preferSource({ ...me, firstSeenAt: a.firstSeenAt }, holder, a.canonicalUrl))
          await run(q, 'UPDATE articles SET source_id = ?, guid = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM articles WHERE source_id = ? AND guid = ?)', [
            sourceId,
            a.guid,
            holder.articleId,
            sourceId,
            a.guid,
          ]);
      }
      await run(
        q,
        `UPDATE sources SET etag = ?, last_modified = ?, last_fetch_at = ?, last_success_at = ?, last_error = NULL, consecutive_failures = 0, retry_after = NULL
         WHERE id = ?`,
        [fetch.etag, fetch.lastModified, fetch.at, fetch.at, sourceId],
      );
      return inserted;
    },
    { lock: 'newsdesk:articles' },
  );
}

export async function findKnownKeys(r: Repo, sourceId: number, guids: string[], canonicalUrls: string[]): Promise<{ guids: Set<string>; urls: Set<string> }> {
  const g = guids.length ? await all<{ guid: string }>(r, 'SELECT guid FROM articles WHERE source_id = ? AND guid = ANY(?::text[])', [sourceId, guids]) : [];
  const u = canonicalUrls.length
    ? await all<{ canonicalUrl: string }>(r, 'SELECT canonical_url FROM articles WHERE source_id = ? AND canonical_url = ANY(?::text[])', [sourceId, canonicalUrls])
    : [];
  return { guids: new Set(g.map((x) => x.guid)), urls: new Set(u.map((x) => x.canonicalUrl)) };
}

export async function saveNotModified(r: Repo, sourceId: number, at: number): Promise<void> {
  await run(r, 'UPDATE sources SET last_fetch_at = ?, last_success_at = ?, last_error = NULL, consecutive_failures = 0, retry_after = NULL WHERE id = ?', [at, at, sourceId]);
}

export async function saveFetchFailure(r: Repo, sourceId: number, error: string, at: number, retryAfter?: number): Promise<void> {
  await run(r, 'UPDATE sources SET last_fetch_at = ?, last_error = ?, consecutive_failures = consecutive_failures + 1, retry_after = ? WHERE id = ?', [
    at,
    error.slice(0, 1000),
    retryAfter ?? null,
    sourceId,
  ]);
}

export async function listSourcesWithHealth(r: Repo, now: number): Promise<SourceHealth[]> {
  const since = now - 7 * 24 * 60 * 60 * 1000;
  return all<SourceHealth>(
    r,
    `SELECT s.id, s.name, s.feed_url, s.site_url, s.weight, s.company, s.fulltext, s.active, s.removed_at, s.last_fetch_at, s.last_success_at, s.last_error,
            s.consecutive_failures, s.retry_after, count(a.id) AS article_count,
            count(a.id) FILTER (WHERE a.published_at >= ?) AS articles_last7_days
       FROM sources s LEFT JOIN articles a ON a.source_id = s.id
      GROUP BY s.id ORDER BY s.active DESC, s.name COLLATE "C", s.id`,
    [since],
  );
}

export async function listArticlesOfSource(r: Repo, sourceId: number, limit = 500): Promise<Article[]> {
  return all<Article>(r, 'SELECT * FROM articles WHERE source_id = ? ORDER BY published_at DESC, id DESC LIMIT ?', [sourceId, limit]);
}

export async function listDueSources(r: Repo, now: number): Promise<Source[]> {
  return all<Source>(r, 'SELECT * FROM sources WHERE active AND (retry_after IS NULL OR retry_after < ?) ORDER BY name COLLATE "C", id', [now]);
}

export async function activeSourceNames(r: Repo): Promise<string[]> {
  return (await all<{ name: string }>(r, 'SELECT name FROM (SELECT DISTINCT coalesce(company, name) AS name FROM sources WHERE active AND removed_at IS NULL) x ORDER BY lower(name), name')).map((x) => x.name);
}

export async function pendingFullText(r: Repo, since: number, limit: number): Promise<FullTextCandidate[]> {
  return all<FullTextCandidate>(
    r,
    `SELECT a.id, a.url, a.content_text, s.feed_url AS source_feed_url, s.fulltext AS source_fulltext
     FROM articles a JOIN sources s ON s.id = a.source_id
     WHERE a.fulltext_status IS NULL AND a.first_seen_at >= ? AND s.active
       AND NOT EXISTS (SELECT 1 FROM issue_articles ia WHERE ia.article_id = a.id)
     ORDER BY a.first_seen_at, a.id LIMIT ?`,
    [since, limit],
  );
}

export async function saveFullText(r: Repo, results: FullTextResult[]): Promise<void> {
  if (!results.length) return;
  await r.tx(async (q) => {
    for (const x of results)
      await run(q, 'UPDATE articles SET full_text = ?, fulltext_status = ?, fulltext_reason = ?, fulltext_at = ? WHERE id = ? AND fulltext_status IS NULL', [
        x.text,
        x.status,
        x.reason?.slice(0, 500) ?? null,
        x.at,
        x.id,
      ]);
  });
}
