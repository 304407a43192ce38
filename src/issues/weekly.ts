// The weekly edition: the week's best stories, chosen from that week's daily issues by their stored scores and,
// with tracking on, by what readers clicked and voted. Dated by the day it is sent: the issue of Monday 13 April
// covers the dailies of 6 … 12 April. Stored and sent like a daily (one issue per date and edition, same ledger).
import type { AppContext } from '../context.js';
import { composeDigest, weekRange, type Scored } from '../digest/build.js';
import { clusterStories } from '../digest/cluster.js';
import { DIVERSITY, limitPerCompany } from '../digest/rank.js';
import type { ArticleFeedback } from '../feedback/store.js';
import { isIsoDate, localDate } from '../lib/cron-time.js';
import type { AssembleResult } from './assemble.js';
import { newIssueOf, termHistory } from './assemble.js';
import { renderIssue, type StoredDigestData } from './render.js';
import { countIssueArticles, followedSourceNames, getIssue, getIssueByDate, insertIssue, weekArticles, type IssueRecord, type WeekArticleRow } from './repo.js';
import { storedData } from './stored.js';

/** Stories in a weekly issue: the signal and up to nine Deep Dives. */
export const WEEKLY_STORIES = 10;
/** How much readers' feedback can add to a story's daily score (which runs about 0 … 1). */
export const READER_WEIGHT = 0.3;

const DAY = 86_400_000;

/**
 * −0.4 … 1 per article from the week's feedback: human clicks relative to the week's most-clicked story (0.6) and the
 * net of "more" over "less" votes relative to the most-voted (0.4). Empty when nobody clicked or voted.
 */
export function readerScores(feedback: Map<number, ArticleFeedback>): Map<number, number> {
  const out = new Map<number, number>();
  let maxClicks = 0;
  let maxVotes = 0;
  for (const f of feedback.values()) {
    maxClicks = Math.max(maxClicks, f.clicks);
    maxVotes = Math.max(maxVotes, Math.abs(f.more - f.less));
  }
  if (!maxClicks && !maxVotes) return out;
  for (const [id, f] of feedback) {
    const c = maxClicks ? f.clicks / maxClicks : 0;
    const v = maxVotes ? (f.more - f.less) / maxVotes : 0;
    out.set(id, Math.max(-0.4, Math.min(1, 0.6 * c + 0.4 * v)));
  }
  return out;
}

/**
 * Chooses the week's stories from its daily articles (pure): re-scored with readers' feedback, one entry per story
 * across the week (a story two dailies carried on different days counts once, the better copy kept; a source's
 * repost of its own title is left out), at most two
 * of the first five places per company, then the copies of the chosen stories for their "also covered by" lines.
 */
export function chooseWeekly(rows: WeekArticleRow[], readers: Map<number, number>, size = WEEKLY_STORIES): Scored[] {
  const scored: Scored[] = rows.map((r) => {
    const boost = readers.get(r.id);
    const parts = boost === undefined ? { ...r.parts } : { ...r.parts, readers: Math.round(boost * 1000) / 1000 };
    return { article: r, score: r.score + (boost ?? 0) * READER_WEIGHT, parts };
  });
  const originals = scored.filter((s) => s.parts.duplicateOf == null).sort((a, b) => b.score - a.score || a.article.id - b.article.id);
  const copyOf = new Map<number, number>();
  // A source that posted the same title twice in the week (a repost under a new URL) is shown once, its best copy;
  // the repost is left out (it is not another company's coverage).
  const seen = new Set<string>();
  const reposts = new Set<number>();
  for (const s of originals) {
    const key = `${s.article.sourceName.toLowerCase()}\n${s.article.title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()}`;
    if (seen.has(key)) reposts.add(s.article.id);
    seen.add(key);
  }
  // Stories repeated across days by other sources: the pool considered is the best few times the size, compared exactly.
  const pool = originals.filter((s) => !reposts.has(s.article.id)).slice(0, size * 3);
  for (const group of clusterStories(pool.map((s) => ({ id: s.article.id, sourceId: s.article.sourceId, title: s.article.title, text: s.article.contentText || s.article.summary })))) {
    const best = pool.find((s) => group.includes(s.article.id))!;
    for (const id of group) if (id !== best.article.id) copyOf.set(id, best.article.id);
  }
  const distinct = limitPerCompany(
    pool.filter((s) => !copyOf.has(s.article.id)),
    DIVERSITY.top,
    DIVERSITY.perCompany,
  ).slice(0, size);
  const chosen = new Set(distinct.map((s) => s.article.id));
  const copies = scored
    .filter((s) => !reposts.has(s.article.id))
    .filter((s) => {
      const of = s.parts.duplicateOf ?? copyOf.get(s.article.id);
      return of != null && chosen.has(of);
    })
    .map((s) => ({ ...s, parts: { ...s.parts, duplicateOf: s.parts.duplicateOf ?? copyOf.get(s.article.id)! } }));
  return [...distinct, ...copies];
}

/** The summaries the dailies sent (operator's, else the model's, else the extracted), by article id. */
async function dailySummaries(ctx: AppContext, rows: WeekArticleRow[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const byIssue = new Map<number, IssueRecord | null>();
  for (const r of rows) {
    if (!byIssue.has(r.issueId)) byIssue.set(r.issueId, await getIssue(ctx, r.issueId));
    const issue = byIssue.get(r.issueId);
    if (!issue) continue;
    const d: StoredDigestData = storedData(issue);
    const k = String(r.id);
    const text = d.summaries?.[k] ?? d.model?.summaries?.[k] ?? d.extracted?.[k];
    if (text) out[k] = text;
  }
  return out;
}

/**
 * Assembles the weekly issue of `date` (the day it is sent) from the daily issues of the seven days before.
 * Idempotent: a date's weekly issue is never rebuilt.
 */
export async function assembleWeekly(ctx: AppContext, date: string): Promise<AssembleResult> {
  if (!isIsoDate(date)) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  const existing = await getIssueByDate(ctx, date, 'weekly');
  const summary = async (row: IssueRecord) => ({ issue: { id: row.id, date: row.date, edition: row.edition, subject: row.subject, articleCount: await countIssueArticles(ctx, row.id) } });
  if (existing) return summary(existing);
  const now = ctx.clock.now();
  const tz = ctx.config.digestTimezone;
  if (date > localDate(now, tz)) return { issue: null, reason: `${date} is in the future in ${tz}` };
  const { from, to } = weekRange(date);
  // One weekly issue a week: a date less than seven days from another weekly's would split that week.
  for (let d = -6; d <= 6; d++) {
    if (d === 0) continue;
    const near = new Date(Date.parse(`${date}T12:00:00Z`) + d * DAY).toISOString().slice(0, 10);
    if (await getIssueByDate(ctx, near, 'weekly')) return { issue: null, reason: `the weekly issue of ${near} is less than a week away: one weekly issue a week` };
  }
  const rows = await weekArticles(ctx, from, to);
  if (!rows.length) return { issue: null, reason: `no daily issue between ${from} and ${to} has articles` };

  let readers = new Map<number, number>();
  if (ctx.config.tracking !== 'off') {
    const { articleFeedback } = await import('../feedback/repo.js');
    readers = readerScores(await articleFeedback(ctx, rows.map((r) => r.id)));
  }
  const ranked = chooseWeekly(rows, readers);
  const shown = ranked.map((s) => s.article as WeekArticleRow);
  const windowStart = Math.min(...shown.map((a) => a.publishedAt));
  const cutoffAt = Math.max(...shown.map((a) => a.publishedAt));
  const sources = await followedSourceNames(ctx);
  const history = await termHistory(ctx, Date.parse(`${from}T00:00:00Z`) - DAY, shown);
  const extracted = await dailySummaries(ctx, rows);
  const data: StoredDigestData = { sources, history, extracted };
  const { digest } = composeDigest({ date, edition: 'weekly', newsletterName: ctx.config.newsletterName, windowStart, cutoffAt, ranked, history, sources, extracted });
  const rendered = await renderIssue(digest, { urls: ctx.urls });
  const result = await insertIssue(ctx, newIssueOf({ date, edition: 'weekly', windowStart, cutoffAt, rendered, digest, ranked, data, now }));
  if ('created' in result) {
    ctx.log.info({ date, issueId: result.created.id, from, to, articles: ranked.length, fromDailies: new Set(rows.map((r) => r.issueId)).size }, 'weekly issue assembled');
    return summary(result.created);
  }
  if ('exists' in result) return summary(result.exists);
  // An article of the week in another weekly issue: two weeklies overlap (assembled for dates under seven days apart).
  return { issue: null, reason: `the week ${from} … ${to} overlaps a weekly issue already assembled` };
}
