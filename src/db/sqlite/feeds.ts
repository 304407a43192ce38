// The feeds' repository: sources and articles in SQLite. Async to callers; each write is one synchronous transaction.
import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { preferSource } from '../../feeds/credit.js';
import { planSourceSync } from '../../feeds/sync-plan.js';
import type { Article, FullTextCandidate, FullTextResult, Source, SourceHealth, SyncResult } from '../../feeds/store.js';
import { immediate, type DbHandle } from './client.js';
import { articles, sources } from './schema.js';
import type { CleanArticle } from '../../feeds/normalize.js';
import type { SourceEntry } from '../../feeds/opml.js';

type Repo = Pick<DbHandle, 'db' | 'sqlite'>;



/** Makes the sources table match the file: new feeds added, names/site/weight updated, missing ones marked removed (their articles stay). */
export async function syncSourceEntries(r: Repo, entries: SourceEntry[], now: number, fileDigest?: string): Promise<SyncResult> {
  return immediate(r.sqlite, () => {
    if (fileDigest !== undefined)
      r.sqlite.prepare(`INSERT INTO settings (key, value) VALUES ('sources_file_digest', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(fileDigest);
    const plan = planSourceSync(r.db.select().from(sources).all(), entries);
    for (const e of plan.add)
      r.db.insert(sources).values({ feedUrl: e.feedUrl, name: e.name, siteUrl: e.siteUrl, weight: e.weight, company: e.company, fulltext: e.fulltext, active: true, createdAt: now }).onConflictDoNothing().run();
    for (const { id, entry: e } of plan.update)
      r.db
        .update(sources)
        // A weight written in the OPML is the operator's word: it replaces a learned weight accepted before.
        .set({ name: e.name, siteUrl: e.siteUrl, weight: e.weight, feedbackWeight: sql`CASE WHEN ${sources.weight} <> ${e.weight} THEN NULL ELSE ${sources.feedbackWeight} END`, company: e.company, fulltext: e.fulltext, active: true, removedAt: null })
        .where(eq(sources.id, id))
        .run();
    for (const id of plan.remove) r.db.update(sources).set({ active: false, removedAt: now }).where(eq(sources.id, id)).run();
    return plan.result;
  });
}

export async function sourcesFileDigest(r: Repo): Promise<string | null> {
  return (r.sqlite.prepare(`SELECT value FROM settings WHERE key = 'sources_file_digest'`).pluck().get() as string | undefined) ?? null;
}

/** The sources currently followed, by name. */
export async function listActiveSources(r: Repo): Promise<Source[]> {
  return r.db.select().from(sources).where(eq(sources.active, true)).orderBy(asc(sources.name), asc(sources.id)).all();
}

/** Every source, removed ones included. */
export async function listAllSources(r: Repo): Promise<Source[]> {
  return r.db.select().from(sources).orderBy(asc(sources.name), asc(sources.id)).all();
}

/**
 * Stores a successful fetch in one transaction: new articles (an existing GUID in this source or an existing canonical
 * URL anywhere is skipped by the unique indexes), the validators for the next conditional GET, and the health fields.
 * An article another source stored already is credited by preferSource (until it is in an issue). Returns how many
 * articles were new.
 */
export async function saveFetchSuccess(
  r: Repo,
  sourceId: number,
  items: CleanArticle[],
  fetch: { etag: string | null; lastModified: string | null; at: number; siteUrl?: string | null },
): Promise<number> {
  return immediate(r.sqlite, () => {
    // The feed's own site link, for sources whose OPML entry gives none (it decides credit below).
    if (fetch.siteUrl) r.sqlite.prepare('UPDATE sources SET site_url = ? WHERE id = ? AND site_url IS NULL').run(fetch.siteUrl, sourceId);
    const me = r.sqlite.prepare('SELECT id, site_url AS siteUrl, feed_url AS feedUrl FROM sources WHERE id = ?').get(sourceId) as { id: number; siteUrl: string | null; feedUrl: string };
    const holderOf = r.sqlite.prepare(
      `SELECT a.id AS articleId, s.id, s.site_url AS siteUrl, s.feed_url AS feedUrl, a.first_seen_at AS firstSeenAt
       FROM articles a JOIN sources s ON s.id = a.source_id
       WHERE a.canonical_url = ? AND a.source_id <> ? AND NOT EXISTS (SELECT 1 FROM issue_articles ia WHERE ia.article_id = a.id)`,
    );
    const move = r.sqlite.prepare('UPDATE OR IGNORE articles SET source_id = ?, guid = ? WHERE id = ?');
    let inserted = 0;
    for (const a of items) {
      const res = r.db
        .insert(articles)
        .values({ ...a, sourceId })
        .onConflictDoNothing()
        .run();
      inserted += res.changes;
      if (res.changes) continue;
      const holder = holderOf.get(a.canonicalUrl, sourceId) as { articleId: number; id: number; siteUrl: string | null; feedUrl: string; firstSeenAt: number } | undefined;
      if (holder && preferSource({ ...me, firstSeenAt: a.firstSeenAt }, holder, a.canonicalUrl)) move.run(sourceId, a.guid, holder.articleId);
    }
    r.db
      .update(sources)
      .set({
        etag: fetch.etag,
        lastModified: fetch.lastModified,
        lastFetchAt: fetch.at,
        lastSuccessAt: fetch.at,
        lastError: null,
        consecutiveFailures: 0,
        retryAfter: null,
      })
      .where(eq(sources.id, sourceId))
      .run();
    return inserted;
  });
}

/** Which of these GUIDs and canonical URLs this source stored already (another source's copy is the store's to weigh). */
export async function findKnownKeys(r: Repo, sourceId: number, guids: string[], canonicalUrls: string[]): Promise<{ guids: Set<string>; urls: Set<string> }> {
  const known = { guids: new Set<string>(), urls: new Set<string>() };
  for (let i = 0; i < guids.length; i += 500) {
    const chunk = guids.slice(i, i + 500);
    for (const row of r.db.select({ g: articles.guid }).from(articles).where(and(eq(articles.sourceId, sourceId), inArray(articles.guid, chunk))).all())
      known.guids.add(row.g);
  }
  for (let i = 0; i < canonicalUrls.length; i += 500) {
    const chunk = canonicalUrls.slice(i, i + 500);
    for (const row of r.db.select({ u: articles.canonicalUrl }).from(articles).where(and(eq(articles.sourceId, sourceId), inArray(articles.canonicalUrl, chunk))).all())
      known.urls.add(row.u);
  }
  return known;
}

/** A 304: the source is healthy and nothing changed. */
export async function saveNotModified(r: Repo, sourceId: number, at: number): Promise<void> {
  r.db
    .update(sources)
    .set({ lastFetchAt: at, lastSuccessAt: at, lastError: null, consecutiveFailures: 0, retryAfter: null })
    .where(eq(sources.id, sourceId))
    .run();
}

/** A failed fetch or parse: the reason, one more failure in a row, and when the server allows the next try. */
export async function saveFetchFailure(r: Repo, sourceId: number, error: string, at: number, retryAfter?: number): Promise<void> {
  r.db
    .update(sources)
    .set({
      lastFetchAt: at,
      lastError: error.slice(0, 1000),
      consecutiveFailures: sql`${sources.consecutiveFailures} + 1`,
      retryAfter: retryAfter ?? null,
    })
    .where(eq(sources.id, sourceId))
    .run();
}


/** Every source (followed first, then removed) with fetch health and article counts. */
export async function listSourcesWithHealth(ctx: Repo, now: number): Promise<SourceHealth[]> {
  const since = now - 7 * 24 * 60 * 60 * 1000;
  const rows = ctx.db
    .select({
      s: sources,
      articleCount: sql<number>`count(${articles.id})`,
      recent: sql<number>`coalesce(sum(case when ${articles.publishedAt} >= ${since} then 1 else 0 end), 0)`,
    })
    .from(sources)
    .leftJoin(articles, eq(articles.sourceId, sources.id))
    .groupBy(sources.id)
    .orderBy(desc(sources.active), asc(sources.name), asc(sources.id))
    .all();
  return rows.map(({ s, articleCount, recent }) => ({
    id: s.id,
    name: s.name,
    feedUrl: s.feedUrl,
    siteUrl: s.siteUrl,
    weight: s.weight,
    company: s.company,
    fulltext: s.fulltext,
    active: s.active,
    removedAt: s.removedAt,
    lastFetchAt: s.lastFetchAt,
    lastSuccessAt: s.lastSuccessAt,
    lastError: s.lastError,
    consecutiveFailures: s.consecutiveFailures,
    retryAfter: s.retryAfter,
    articleCount: Number(articleCount),
    articlesLast7Days: Number(recent),
  }));
}

/** Articles of one source, newest first (tests and the admin page). */
export async function listArticlesOfSource(r: Repo, sourceId: number, limit = 500): Promise<Article[]> {
  return r.db.select().from(articles).where(eq(articles.sourceId, sourceId)).orderBy(desc(articles.publishedAt), desc(articles.id)).limit(limit).all();
}

/** Sources due for a fetch: followed and not waiting out a Retry-After. */
export async function listDueSources(r: Repo, now: number): Promise<Source[]> {
  return r.db
    .select()
    .from(sources)
    .where(and(eq(sources.active, true), or(isNull(sources.retryAfter), gt(sql`${now}`, sources.retryAfter))))
    .orderBy(asc(sources.name), asc(sources.id))
    .all();
}

export async function activeSourceNames(r: Repo): Promise<string[]> {
  return r.sqlite.prepare('SELECT DISTINCT coalesce(company, name) AS n FROM sources WHERE active = 1 AND removed_at IS NULL ORDER BY n COLLATE NOCASE').pluck().all() as string[];
}

export async function pendingFullText(r: Repo, since: number, limit: number): Promise<FullTextCandidate[]> {
  return (
    r.sqlite
      .prepare(
        `SELECT a.id, a.url, a.content_text AS contentText, s.feed_url AS sourceFeedUrl, s.fulltext AS sourceFulltext
         FROM articles a JOIN sources s ON s.id = a.source_id
         WHERE a.fulltext_status IS NULL AND a.first_seen_at >= ? AND s.active = 1
           AND NOT EXISTS (SELECT 1 FROM issue_articles ia WHERE ia.article_id = a.id)
         ORDER BY a.first_seen_at, a.id LIMIT ?`,
      )
      .all(since, limit) as (Omit<FullTextCandidate, 'sourceFulltext'> & { sourceFulltext: number | null })[]
  ).map((row) => ({ ...row, sourceFulltext: row.sourceFulltext == null ? null : row.sourceFulltext === 1 }));
}

export async function saveFullText(r: Repo, results: FullTextResult[]): Promise<void> {
  if (!results.length) return;
  const stmt = r.sqlite.prepare(
    'UPDATE articles SET full_text = ?, fulltext_status = ?, fulltext_reason = ?, fulltext_at = ? WHERE id = ? AND fulltext_status IS NULL',
  );
  await immediate(r.sqlite, () => {
    for (const x of results) stmt.run(x.text, x.status, x.reason?.slice(0, 500) ?? null, x.at, x.id);
  });
}
