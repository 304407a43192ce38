// Stored issues on PostgreSQL: the same rules as SQLite's (one issue per date, an article in at most one issue,
// edits only while a draft), kept by unique indexes, row locks and one advisory lock per date.
import type { CandidateArticle, ScoreParts } from '../../digest/types.js';
import type { Edition } from '../../domain-types.js';
import type { ArchiveIssue, DeliveryCounts, IssueArticleRow, IssueEdit, IssueRecord, ListOptions, LlmCacheEntry, NewIssue, WeekArticleRow } from '../../issues/store.js';
import type { PgHandle } from './client.js';
import { all, one, run, value } from './rows.js';

type Ctx = PgHandle;

/** Published: sending or sent, unless every copy was refused. */
const ARCHIVE_WHERE = `i.status IN ('sending', 'sent') AND coalesce(i.paused_reason, '') NOT LIKE 'refused:%'`;
const ARTICLE_COUNT = `(SELECT count(*) FROM issue_articles ia WHERE ia.issue_id = i.id AND NOT ia.excluded)`;

export async function getIssue(ctx: Ctx, id: number): Promise<IssueRecord | null> {
  return (await one<IssueRecord>(ctx, 'SELECT * FROM issues WHERE id = ?', [id])) ?? null;
}

export async function getIssueByDate(ctx: Ctx, date: string, edition: Edition = 'daily'): Promise<IssueRecord | null> {
  return (await one<IssueRecord>(ctx, 'SELECT * FROM issues WHERE date = ? AND edition = ?', [date, edition])) ?? null;
}

export async function countIssueArticles(ctx: Ctx, issueId: number): Promise<number> {
  return (await value<number>(ctx, 'SELECT count(*) FROM issue_articles WHERE issue_id = ? AND NOT excluded', [issueId])) ?? 0;
}

function listIssues(ctx: Ctx, p: ListOptions, published: boolean): Promise<ArchiveIssue[]> {
  const where = [published ? ARCHIVE_WHERE : 'true', p.edition ? 'i.edition = ?' : 'true'].join(' AND ');
  return all<ArchiveIssue>(
    ctx,
    `SELECT i.id, i.date, i.edition, i.subject, i.preheader, i.status, i.sent_at, i.send_started_at, i.updated_at, ${ARTICLE_COUNT} AS article_count
       FROM issues i WHERE ${where} ORDER BY i.date DESC, i.edition DESC LIMIT ? OFFSET ?`,
    [...(p.edition ? [p.edition] : []), p.limit, p.offset],
  );
}

export async function listArchiveIssues(ctx: Ctx, p: ListOptions): Promise<ArchiveIssue[]> {
  return listIssues(ctx, p, true);
}

export async function countArchiveIssues(ctx: Ctx, edition?: Edition): Promise<number> {
  return (await value<number>(ctx, `SELECT count(*) FROM issues i WHERE ${ARCHIVE_WHERE} AND (?::text IS NULL OR i.edition = ?)`, [edition ?? null, edition ?? null])) ?? 0;
}

export async function listAllIssues(ctx: Ctx, p: ListOptions): Promise<ArchiveIssue[]> {
  return listIssues(ctx, p, false);
}

export async function deliveryCounts(ctx: Ctx, issueIds: number[]): Promise<Map<number, DeliveryCounts>> {
  const out = new Map<number, DeliveryCounts>(issueIds.map((id) => [id, { queued: 0, sent: 0, failed: 0, bounced: 0, skipped: 0, unconfirmed: 0 }]));
  if (!issueIds.length) return out;
  const rows = await all<{ issueId: number; status: string; n: number }>(
    ctx,
    'SELECT issue_id, status, count(*) AS n FROM deliveries WHERE issue_id = ANY(?::int[]) GROUP BY issue_id, status',
    [issueIds],
  );
  for (const r of rows) {
    const c = out.get(r.issueId)!;
    const key = (r.status === 'sending' ? 'queued' : r.status === 'uncertain' ? 'unconfirmed' : r.status) as keyof DeliveryCounts;
    c[key] += r.n;
  }
  return out;
}

export async function previousCutoff(ctx: Ctx, date: string): Promise<number | null> {
  return (await value<number>(ctx, "SELECT cutoff_at FROM issues WHERE date < ? AND edition = 'daily' ORDER BY date DESC LIMIT 1", [date])) ?? null;
}

const CANDIDATE = `a.id, a.source_id, coalesce(s.company, s.name) AS source_name, s.weight AS source_weight, s.feedback_weight, a.title, a.canonical_url, a.summary,
  coalesce(a.full_text, a.content_text) AS content_text, CASE WHEN a.full_text IS NOT NULL THEN 'page' ELSE 'feed' END AS text_source,
  a.published_at, a.first_seen_at`;

export async function unassignedArticles(ctx: Ctx, floor: number, cutoff: number): Promise<CandidateArticle[]> {
  return all<CandidateArticle>(
    ctx,
    `SELECT ${CANDIDATE} FROM articles a JOIN sources s ON s.id = a.source_id
      WHERE a.published_at > ? AND a.published_at <= ? AND NOT EXISTS (SELECT 1 FROM issue_articles ia WHERE ia.article_id = a.id)
      ORDER BY a.id`,
    [floor, cutoff],
  );
}

export async function historyArticles(ctx: Ctx, from: number, to: number): Promise<CandidateArticle[]> {
  return all<CandidateArticle>(ctx, `SELECT ${CANDIDATE} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.published_at >= ? AND a.published_at < ? ORDER BY a.id`, [
    from,
    to,
  ]);
}

export async function followedSourceNames(ctx: Ctx): Promise<string[]> {
  const rows = await all<{ name: string }>(ctx, 'SELECT DISTINCT coalesce(company, name) AS name FROM sources WHERE removed_at IS NULL AND active');
  return rows.map((r) => r.name).sort((a, b) => a.localeCompare(b));
}

export async function getIssueArticles(ctx: Ctx, issueId: number): Promise<IssueArticleRow[]> {
  const rows = await all<CandidateArticle & { rank: number; score: number; scoreParts: string; excluded: boolean }>(
    ctx,
    `SELECT ${CANDIDATE}, ia.rank, ia.score, ia.score_parts, ia.excluded
       FROM issue_articles ia JOIN articles a ON a.id = ia.article_id JOIN sources s ON s.id = a.source_id
      WHERE ia.issue_id = ? ORDER BY ia.rank`,
    [issueId],
  );
  return rows.map(({ scoreParts, ...r }) => ({ ...r, parts: JSON.parse(scoreParts) as ScoreParts }));
}

export async function weekArticles(ctx: Ctx, from: string, to: string): Promise<WeekArticleRow[]> {
  const rows = await all<CandidateArticle & { rank: number; score: number; scoreParts: string; excluded: boolean; issueId: number; issueDate: string }>(
    ctx,
    `SELECT ${CANDIDATE}, ia.rank, ia.score, ia.score_parts, ia.excluded, i.id AS issue_id, i.date AS issue_date
       FROM issue_articles ia JOIN issues i ON i.id = ia.issue_id JOIN articles a ON a.id = ia.article_id JOIN sources s ON s.id = a.source_id
      WHERE i.edition = 'daily' AND ia.edition = 'daily' AND NOT ia.excluded AND i.date >= ? AND i.date <= ?
        AND NOT EXISTS (SELECT 1 FROM issue_articles w WHERE w.article_id = ia.article_id AND w.edition = 'weekly')
      ORDER BY i.date, ia.rank`,
    [from, to],
  );
  return rows.map(({ scoreParts, ...r }) => ({ ...r, parts: JSON.parse(scoreParts) as ScoreParts }));
}

export async function insertIssue(ctx: Ctx, n: NewIssue): Promise<{ created: IssueRecord } | { exists: IssueRecord } | { taken: true }> {
  // Assemblies of the same date take turns; the unique indexes (date, article) back that up.
  return ctx.tx(
    async (q) => {
      const edition = n.edition ?? 'daily';
      const existing = await one<IssueRecord>(q, 'SELECT * FROM issues WHERE date = ? AND edition = ?', [n.date, edition]);
      if (existing) return { exists: existing };
      const ids = n.articles.map((a) => a.articleId);
      if (ids.length && (await value(q, 'SELECT 1 FROM issue_articles WHERE edition = ? AND article_id = ANY(?::int[]) LIMIT 1', [edition, ids])) !== undefined) return { taken: true as const };
      const created = (await one<IssueRecord>(
        q,
        `INSERT INTO issues (date, edition, status, window_start, cutoff_at, subject, preheader, html, text, signal_article_id, patterns_json, digest_json, created_at, updated_at)
         VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        [n.date, edition, n.windowStart, n.cutoffAt, n.subject, n.preheader, n.html, n.text, n.signalArticleId, n.patternsJson, n.digestJson, n.now, n.now],
      ))!;
      for (let i = 0; i < n.articles.length; i += 200) {
        const chunk = n.articles.slice(i, i + 200);
        await run(
          q,
          `INSERT INTO issue_articles (issue_id, article_id, rank, score, score_parts, edition) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
          chunk.flatMap((a) => [created.id, a.articleId, a.rank, a.score, a.scoreParts, edition]),
        );
      }
      return { created };
    },
    { lock: 'newsdesk:assemble' },
  );
}

export async function updateDraftIssue(ctx: Ctx, id: number, e: IssueEdit): Promise<'ok' | 'frozen' | 'stale' | 'missing'> {
  return ctx.tx(async (q) => {
    const row = await one<{ status: string; updatedAt: number }>(q, 'SELECT status, updated_at FROM issues WHERE id = ? FOR UPDATE', [id]);
    if (!row) return 'missing';
    if (row.status !== 'draft') return 'frozen';
    if (row.updatedAt !== e.expectedUpdatedAt) return 'stale';
    await run(
      q,
      `UPDATE issues SET subject = ?, subject_override = ?, preheader = ?, html = ?, text = ?, signal_article_id = ?, pinned_signal_article_id = ?,
         patterns_note = ?, patterns_json = ?, digest_json = coalesce(?, digest_json), updated_at = ? WHERE id = ?`,
      [e.subject, e.subjectOverride, e.preheader, e.html, e.text, e.signalArticleId, e.pinnedSignalArticleId, e.patternsNote, e.patternsJson, e.digestJson ?? null, Math.max(e.now, row.updatedAt + 1), id],
    );
    await run(q, 'UPDATE issue_articles SET excluded = (article_id = ANY(?::int[])) WHERE issue_id = ?', [e.excludedIds, id]);
    return 'ok';
  });
}

export async function adjacentArchiveDates(ctx: Ctx, date: string, edition: Edition = 'daily'): Promise<{ prev: string | null; next: string | null }> {
  const prev = await value<string>(ctx, `SELECT i.date FROM issues i WHERE ${ARCHIVE_WHERE} AND i.edition = ? AND i.date < ? ORDER BY i.date DESC LIMIT 1`, [edition, date]);
  const next = await value<string>(ctx, `SELECT i.date FROM issues i WHERE ${ARCHIVE_WHERE} AND i.edition = ? AND i.date > ? ORDER BY i.date ASC LIMIT 1`, [edition, date]);
  return { prev: prev ?? null, next: next ?? null };
}

export async function publicVersion(ctx: Ctx): Promise<string> {
  return (await value<string>(
    ctx,
    `SELECT (SELECT count(*) || '.' || coalesce(max(updated_at), 0) || '.' || count(*) FILTER (WHERE status IN ('sending', 'sent')) || '.' || coalesce(max(sent_at), 0) FROM issues) || '/' ||
            (SELECT count(*) || '.' || count(*) FILTER (WHERE active) || '.' || coalesce(sum(length(name) + coalesce(length(company), 0)), 0) || '.' || coalesce(max(removed_at), 0) FROM sources) || '/' ||
            coalesce((SELECT value FROM settings WHERE key = 'sources_file_digest'), '')`,
  ))!;
}


export async function llmCacheGet(ctx: Ctx, key: string): Promise<LlmCacheEntry | null> {
  const row = await one<LlmCacheEntry>(ctx, 'SELECT key, kind, model, text, tokens, created_at FROM llm_cache WHERE key = ?', [key]);
  return row ? { ...row, createdAt: Number(row.createdAt) } : null;
}

export async function llmCachePut(ctx: Ctx, e: LlmCacheEntry): Promise<void> {
  await run(ctx, 'INSERT INTO llm_cache (key, kind, model, text, tokens, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING', [e.key, e.kind, e.model, e.text, e.tokens, e.createdAt]);
}

export async function llmSpend(ctx: Ctx, day: string, tokens: number, limit: number): Promise<boolean> {
  // One statement: the row is created or updated under its own lock, so two instances never overspend together.
  if (tokens <= 0) {
    await run(ctx, 'UPDATE llm_usage SET tokens = greatest(0, tokens + ?::int) WHERE day = ?', [tokens, day]);
    return true;
  }
  const changed = await run(
    ctx,
    `INSERT INTO llm_usage (day, tokens) SELECT ?::text, ?::int WHERE ?::int <= ?::int
     ON CONFLICT (day) DO UPDATE SET tokens = llm_usage.tokens + excluded.tokens WHERE llm_usage.tokens + excluded.tokens <= ?::int`,
    [day, tokens, tokens, limit, limit],
  );
  return changed === 1;
}

export async function llmSpent(ctx: Ctx, day: string): Promise<number> {
  return Number((await value<number>(ctx, 'SELECT tokens FROM llm_usage WHERE day = ?', [day])) ?? 0);
}
