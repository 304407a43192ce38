import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, notExists, sql } from 'drizzle-orm';
import type { Edition } from '../../domain-types.js';
import type { ArchiveIssue, DeliveryCounts, IssueArticleRow, IssueEdit, IssueRecord, ListOptions, LlmCacheEntry, NewIssue, WeekArticleRow } from '../../issues/store.js';
import { immediate, type DbHandle } from './client.js';
import { articles, deliveries, issueArticles, issues, sources } from './schema.js';
import type { CandidateArticle, ScoreParts } from '../../digest/types.js';

// The only code that knows how issues are stored. Async to callers; transactions inside are synchronous.

type Ctx = Pick<DbHandle, 'db' | 'sqlite'>;






const articleCountSql = sql<number>`(SELECT count(*) FROM issue_articles ia WHERE ia.issue_id = ${issues.id} AND ia.excluded = 0)`.mapWith(Number);

/** One issue by id, or null. */
export async function getIssue(ctx: Ctx, id: number): Promise<IssueRecord | null> {
  return ctx.db.select().from(issues).where(eq(issues.id, id)).get() ?? null;
}

/** The issue of a date, or null. */
export async function getIssueByDate(ctx: Ctx, date: string, edition: Edition = 'daily'): Promise<IssueRecord | null> {
  return ctx.db.select().from(issues).where(and(eq(issues.date, date), eq(issues.edition, edition))).get() ?? null;
}

/** Articles shown in an issue (not excluded). */
export async function countIssueArticles(ctx: Ctx, issueId: number): Promise<number> {
  const r = ctx.db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(issueArticles)
    .where(and(eq(issueArticles.issueId, issueId), eq(issueArticles.excluded, false)))
    .get();
  return r?.n ?? 0;
}

/** Published: sending or sent, unless every copy was refused (then nobody has it, and it waits for the operator). */
const archiveWhere = and(inArray(issues.status, ['sending', 'sent']), sql`coalesce(${issues.pausedReason}, '') NOT LIKE 'refused:%'`);

function listIssues(ctx: Ctx, p: ListOptions, published: boolean): ArchiveIssue[] {
  return ctx.db
    .select({
      id: issues.id,
      date: issues.date,
      edition: issues.edition,
      subject: issues.subject,
      preheader: issues.preheader,
      status: issues.status,
      sentAt: issues.sentAt,
      sendStartedAt: issues.sendStartedAt,
      updatedAt: issues.updatedAt,
      articleCount: articleCountSql,
    })
    .from(issues)
    .where(and(published ? archiveWhere : undefined, p.edition ? eq(issues.edition, p.edition) : undefined))
    .orderBy(desc(issues.date), desc(issues.edition))
    .limit(p.limit)
    .offset(p.offset)
    .all();
}

/** Published issues (sending or sent), newest date first. */
export async function listArchiveIssues(ctx: Ctx, p: ListOptions): Promise<ArchiveIssue[]> {
  return listIssues(ctx, p, true);
}

/** How many issues the archive holds. */
export async function countArchiveIssues(ctx: Ctx, edition?: Edition): Promise<number> {
  return ctx.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(issues).where(and(archiveWhere, edition ? eq(issues.edition, edition) : undefined)).get()?.n ?? 0;
}

/** Every issue, newest date first, for the operator. */
export async function listAllIssues(ctx: Ctx, p: ListOptions): Promise<ArchiveIssue[]> {
  return listIssues(ctx, p, false);
}

const emptyCounts = (): DeliveryCounts => ({ queued: 0, sent: 0, failed: 0, bounced: 0, skipped: 0, unconfirmed: 0 });

/** Delivery counts per issue for the given ids. */
export async function deliveryCounts(ctx: Ctx, issueIds: number[]): Promise<Map<number, DeliveryCounts>> {
  const out = new Map<number, DeliveryCounts>(issueIds.map((id) => [id, emptyCounts()]));
  if (!issueIds.length) return out;
  const rows = ctx.db
    .select({ issueId: deliveries.issueId, status: deliveries.status, n: sql<number>`count(*)`.mapWith(Number) })
    .from(deliveries)
    .where(inArray(deliveries.issueId, issueIds))
    .groupBy(deliveries.issueId, deliveries.status)
    .all();
  for (const r of rows) {
    const c = out.get(r.issueId)!;
    const key = r.status === 'sending' ? 'queued' : r.status === 'uncertain' ? 'unconfirmed' : r.status;
    c[key] += r.n;
  }
  return out;
}

/** The cutoff of the latest issue dated before `date`, or null for the first issue. */
export async function previousCutoff(ctx: Ctx, date: string): Promise<number | null> {
  const r = ctx.db.select({ cutoffAt: issues.cutoffAt }).from(issues).where(and(lt(issues.date, date), eq(issues.edition, 'daily'))).orderBy(desc(issues.date)).limit(1).get();
  return r?.cutoffAt ?? null;
}

const candidateColumns = {
  id: articles.id,
  sourceId: articles.sourceId,
  // The company the sources file names, else the feed's own name.
  sourceName: sql<string>`coalesce(${sources.company}, ${sources.name})`,
  sourceWeight: sources.weight,
  feedbackWeight: sources.feedbackWeight,
  title: articles.title,
  canonicalUrl: articles.canonicalUrl,
  summary: articles.summary,
  // The article's page when it was fetched, else the feed's content.
  contentText: sql<string>`coalesce(${articles.fullText}, ${articles.contentText})`,
  textSource: sql<'feed' | 'page'>`case when ${articles.fullText} is not null then 'page' else 'feed' end`,
  publishedAt: articles.publishedAt,
  firstSeenAt: articles.firstSeenAt,
};

/** Articles in no issue yet, published in (floor, cutoff]; the caller applies the exact window rule. */
export async function unassignedArticles(ctx: Ctx, floor: number, cutoff: number): Promise<CandidateArticle[]> {
  return ctx.db
    .select(candidateColumns)
    .from(articles)
    .innerJoin(sources, eq(sources.id, articles.sourceId))
    .where(
      and(
        gt(articles.publishedAt, floor),
        lte(articles.publishedAt, cutoff),
        notExists(ctx.db.select({ one: sql`1` }).from(issueArticles).where(eq(issueArticles.articleId, articles.id))),
      ),
    )
    .orderBy(asc(articles.id))
    .all();
}

/** Title, summary and content of articles published in [from, to): the 30-day background for patterns. */
export async function historyArticles(ctx: Ctx, from: number, to: number): Promise<CandidateArticle[]> {
  return ctx.db
    .select(candidateColumns)
    .from(articles)
    .innerJoin(sources, eq(sources.id, articles.sourceId))
    .where(and(gt(articles.publishedAt, from - 1), lt(articles.publishedAt, to)))
    .orderBy(asc(articles.id))
    .all();
}

/** Names of the sources followed (not removed), alphabetically. */
export async function followedSourceNames(ctx: Ctx): Promise<string[]> {
  const rows = ctx.db
    .select({ name: sql<string>`coalesce(${sources.company}, ${sources.name})` })
    .from(sources)
    .where(and(isNull(sources.removedAt), eq(sources.active, true)))
    .all();
  return [...new Set(rows.map((r) => r.name))].sort((a, b) => a.localeCompare(b));
}

/** The articles of an issue in rank order, excluded ones included. */
export async function getIssueArticles(ctx: Ctx, issueId: number): Promise<IssueArticleRow[]> {
  const rows = ctx.db
    .select({ ...candidateColumns, rank: issueArticles.rank, score: issueArticles.score, scoreParts: issueArticles.scoreParts, excluded: issueArticles.excluded })
    .from(issueArticles)
    .innerJoin(articles, eq(articles.id, issueArticles.articleId))
    .innerJoin(sources, eq(sources.id, articles.sourceId))
    .where(eq(issueArticles.issueId, issueId))
    .orderBy(asc(issueArticles.rank))
    .all();
  return rows.map(({ scoreParts, ...r }) => ({ ...r, parts: JSON.parse(scoreParts) as ScoreParts }));
}


/** The shown articles of the daily issues dated in [from, to], with their stored scores. */
export async function weekArticles(ctx: Ctx, from: string, to: string): Promise<WeekArticleRow[]> {
  const rows = ctx.db
    .select({ ...candidateColumns, rank: issueArticles.rank, score: issueArticles.score, scoreParts: issueArticles.scoreParts, excluded: issueArticles.excluded, issueId: issues.id, issueDate: issues.date })
    .from(issueArticles)
    .innerJoin(issues, eq(issues.id, issueArticles.issueId))
    .innerJoin(articles, eq(articles.id, issueArticles.articleId))
    .innerJoin(sources, eq(sources.id, articles.sourceId))
    .where(and(eq(issues.edition, 'daily'), eq(issueArticles.edition, 'daily'), eq(issueArticles.excluded, false), sql`${issues.date} >= ${from}`, lte(issues.date, to), sql`NOT EXISTS (SELECT 1 FROM issue_articles w WHERE w.article_id = ${issueArticles.articleId} AND w.edition = 'weekly')`))
    .orderBy(asc(issues.date), asc(issueArticles.rank))
    .all();
  return rows.map(({ scoreParts, ...r }) => ({ ...r, parts: JSON.parse(scoreParts) as ScoreParts }));
}

/**
 * Stores an issue and its articles in one transaction. If the date already has an issue, returns it
 * ('exists'); if another issue claimed one of the articles meanwhile, stores nothing ('taken').
 */
export async function insertIssue(ctx: Ctx, n: NewIssue): Promise<{ created: IssueRecord } | { exists: IssueRecord } | { taken: true }> {
  return immediate(ctx.sqlite, () => {
    const edition = n.edition ?? 'daily';
    const existing = ctx.db.select().from(issues).where(and(eq(issues.date, n.date), eq(issues.edition, edition))).get();
    if (existing) return { exists: existing };
    const ids = n.articles.map((a) => a.articleId);
    for (let i = 0; i < ids.length; i += 500) {
      const clash = ctx.db
        .select({ id: issueArticles.articleId })
        .from(issueArticles)
        .where(and(eq(issueArticles.edition, edition), inArray(issueArticles.articleId, ids.slice(i, i + 500))))
        .get();
      if (clash) return { taken: true as const };
    }
    const created = ctx.db
      .insert(issues)
      .values({
        date: n.date,
        edition,
        status: 'draft',
        windowStart: n.windowStart,
        cutoffAt: n.cutoffAt,
        subject: n.subject,
        preheader: n.preheader,
        html: n.html,
        text: n.text,
        signalArticleId: n.signalArticleId,
        patternsJson: n.patternsJson,
        digestJson: n.digestJson,
        createdAt: n.now,
        updatedAt: n.now,
      })
      .returning()
      .get();
    for (let i = 0; i < n.articles.length; i += 200) {
      ctx.db
        .insert(issueArticles)
        .values(n.articles.slice(i, i + 200).map((a) => ({ ...a, issueId: created.id, edition })))
        .run();
    }
    return { created };
  });
}


/** Applies an edit while the issue is still a draft; 'frozen' once sending started, 'stale' after a concurrent edit. */
export async function updateDraftIssue(ctx: Ctx, id: number, e: IssueEdit): Promise<'ok' | 'frozen' | 'stale' | 'missing'> {
  return immediate(ctx.sqlite, () => {
    const row = ctx.db.select({ status: issues.status, updatedAt: issues.updatedAt }).from(issues).where(eq(issues.id, id)).get();
    if (!row) return 'missing';
    if (row.status !== 'draft') return 'frozen';
    if (row.updatedAt !== e.expectedUpdatedAt) return 'stale';
    ctx.db
      .update(issues)
      .set({
        subject: e.subject,
        subjectOverride: e.subjectOverride,
        preheader: e.preheader,
        html: e.html,
        text: e.text,
        signalArticleId: e.signalArticleId,
        pinnedSignalArticleId: e.pinnedSignalArticleId,
        patternsNote: e.patternsNote,
        patternsJson: e.patternsJson,
        ...(e.digestJson !== undefined ? { digestJson: e.digestJson } : {}),
        updatedAt: Math.max(e.now, row.updatedAt + 1),
      })
      .where(eq(issues.id, id))
      .run();
    ctx.db.update(issueArticles).set({ excluded: false }).where(eq(issueArticles.issueId, id)).run();
    if (e.excludedIds.length) {
      ctx.db
        .update(issueArticles)
        .set({ excluded: true })
        .where(and(eq(issueArticles.issueId, id), inArray(issueArticles.articleId, e.excludedIds)))
        .run();
    }
    return 'ok';
  });
}

/** The published issue dates just before and after `date`, for paging between issues. */
export async function adjacentArchiveDates(ctx: Ctx, date: string, edition: Edition = 'daily'): Promise<{ prev: string | null; next: string | null }> {
  const of = and(archiveWhere, eq(issues.edition, edition));
  const prev = ctx.db.select({ date: issues.date }).from(issues).where(and(of, lt(issues.date, date))).orderBy(desc(issues.date)).limit(1).get();
  const next = ctx.db.select({ date: issues.date }).from(issues).where(and(of, gt(issues.date, date))).orderBy(asc(issues.date)).limit(1).get();
  return { prev: prev?.date ?? null, next: next?.date ?? null };
}

export async function publicVersion(ctx: Ctx): Promise<string> {
  return ctx.sqlite
    .prepare(
      `SELECT (SELECT count(*) || '.' || coalesce(max(updated_at), 0) || '.' || coalesce(sum(status IN ('sending', 'sent')), 0) || '.' || coalesce(max(sent_at), 0) FROM issues) || '/' ||
              (SELECT count(*) || '.' || coalesce(sum(active), 0) || '.' || coalesce(sum(length(name) + coalesce(length(company), 0)), 0) || '.' || coalesce(max(removed_at), 0) FROM sources) || '/' ||
              coalesce((SELECT value FROM settings WHERE key = 'sources_file_digest'), '')`,
    )
    .pluck()
    .get() as string;
}


export async function llmCacheGet(ctx: Ctx, key: string): Promise<LlmCacheEntry | null> {
  return (ctx.sqlite.prepare('SELECT key, kind, model, text, tokens, created_at AS createdAt FROM llm_cache WHERE key = ?').get(key) as LlmCacheEntry | undefined) ?? null;
}

export async function llmCachePut(ctx: Ctx, e: LlmCacheEntry): Promise<void> {
  ctx.sqlite.prepare('INSERT INTO llm_cache (key, kind, model, text, tokens, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING').run(e.key, e.kind, e.model, e.text, e.tokens, e.createdAt);
}

export async function llmSpend(ctx: Ctx, day: string, tokens: number, limit: number): Promise<boolean> {
  return immediate(ctx.sqlite, () => {
    ctx.sqlite.prepare('INSERT INTO llm_usage (day, tokens) VALUES (?, 0) ON CONFLICT (day) DO NOTHING').run(day);
    if (tokens <= 0) {
      ctx.sqlite.prepare('UPDATE llm_usage SET tokens = max(0, tokens + ?) WHERE day = ?').run(tokens, day);
      return true;
    }
    return ctx.sqlite.prepare('UPDATE llm_usage SET tokens = tokens + ? WHERE day = ? AND tokens + ? <= ?').run(tokens, day, tokens, limit).changes === 1;
  });
}

export async function llmSpent(ctx: Ctx, day: string): Promise<number> {
  return (ctx.sqlite.prepare('SELECT tokens FROM llm_usage WHERE day = ?').pluck().get(day) as number | undefined) ?? 0;
}
