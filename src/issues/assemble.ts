import type { AppContext } from '../context.js';
import { buildDigest, candidateTerms, composeDigest } from '../digest/build.js';
import { dayTerms } from '../digest/rank.js';
import type { CandidateArticle, TermHistory } from '../digest/types.js';
import { computeWindow, inWindow, windowFloor } from '../digest/window.js';
import { isIsoDate, localDate } from '../lib/cron-time.js';
import { renderIssue, type RenderedIssue, type StoredDigestData } from './render.js';
import type { Scored } from '../digest/build.js';
import type { Digest } from '../digest/types.js';
import type { Edition } from '../domain-types.js';
import {
  countIssueArticles,
  followedSourceNames,
  getIssueByDate,
  historyArticles,
  insertIssue,
  previousCutoff,
  unassignedArticles,
  type IssueRecord,
  type IssueSummary,
  type NewIssue,
} from './repo.js';

export type { IssueSummary } from './repo.js';

const DAY = 86_400_000;
const HISTORY_DAYS = 30;

/** The result of assembling a date: the issue, or why there is none. */
export type AssembleResult = { issue: IssueSummary } | { issue: null; reason: string };

export { isIsoDate };

/** Today in DIGEST_TIMEZONE. */
export function todayLocal(ctx: Pick<AppContext, 'clock' | 'config'>): string {
  return localDate(ctx.clock.now(), ctx.config.digestTimezone);
}

async function summary(ctx: AppContext, row: IssueRecord): Promise<IssueSummary> {
  return { id: row.id, date: row.date, edition: row.edition, subject: row.subject, articleCount: await countIssueArticles(ctx, row.id) };
}

/** Document frequencies over the 30 days before the window, kept only for the terms that occur in the window. */
export async function termHistory(ctx: AppContext, windowStart: number, window: CandidateArticle[]): Promise<TermHistory> {
  const wanted = candidateTerms(window);
  const past = await historyArticles(ctx, windowStart - HISTORY_DAYS * DAY, windowStart);
  const { byArticle } = dayTerms(past);
  const df: Record<string, number> = {};
  for (const keys of Object.values(byArticle)) for (const k of keys) if (wanted.has(k)) df[k] = (df[k] ?? 0) + 1;
  return { docs: past.length, df };
}

/** The row of a new issue: its rendering, its digest's signal and themes, what re-rendering needs, its ranked articles. */
export function newIssueOf(p: {
  date: string;
  edition?: Edition;
  windowStart: number;
  cutoffAt: number;
  rendered: RenderedIssue;
  digest: Digest;
  ranked: Scored[];
  data: StoredDigestData;
  now: number;
}): NewIssue {
  return {
    date: p.date,
    ...(p.edition ? { edition: p.edition } : {}),
    windowStart: p.windowStart,
    cutoffAt: p.cutoffAt,
    subject: p.rendered.subject,
    preheader: p.rendered.preheader,
    html: p.rendered.html,
    text: p.rendered.text,
    signalArticleId: p.digest.signal?.id ?? null,
    patternsJson: JSON.stringify(p.digest.patterns.themes),
    digestJson: JSON.stringify(p.data),
    now: p.now,
    articles: p.ranked.map((r, i) => ({ articleId: r.article.id, rank: i + 1, score: r.score, scoreParts: JSON.stringify(r.parts) })),
  };
}

/**
 * Assembles the issue of `date` (YYYY-MM-DD in DIGEST_TIMEZONE): selects the window, ranks, renders once,
 * and stores the issue with its articles in one transaction. Idempotent: a date's issue is never rebuilt.
 */
export async function assembleIssue(ctx: AppContext, date: string): Promise<AssembleResult> {
  if (!isIsoDate(date)) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await getIssueByDate(ctx, date);
    if (existing) return { issue: await summary(ctx, existing) };

    const now = ctx.clock.now();
    const { digestCron, digestTimezone, digestLookbackHours, newsletterName } = ctx.config;
    if (date > localDate(now, digestTimezone)) return { issue: null, reason: `${date} is in the future in ${digestTimezone}` };
    const window = computeWindow({
      date,
      cron: digestCron,
      timeZone: digestTimezone,
      lookbackHours: digestLookbackHours,
      previousCutoff: await previousCutoff(ctx, date),
      now,
    });
    if (!window) return { issue: null, reason: `the schedule (${digestCron}) has no issue on ${date}` };
    const candidates = (await unassignedArticles(ctx, windowFloor(window), window.cutoffAt)).filter((a) => inWindow(window, a));
    if (!candidates.length) {
      return {
        issue: null,
        reason: `no new articles published between ${new Date(window.start).toISOString()} and ${new Date(window.cutoffAt).toISOString()}`,
      };
    }
    const history = await termHistory(ctx, window.start, candidates);
    const sources = await followedSourceNames(ctx);
    const input = { date, newsletterName, windowStart: window.start, cutoffAt: window.cutoffAt, history, sources };
    const built = buildDigest({ ...input, articles: candidates });
    const { ranked } = built;
    let digest = built.digest;
    // The extracted summaries are kept as assembled: the archive says what the mail said, whatever later code extracts.
    const extracted: Record<string, string> = {};
    for (const a of [...(digest.signal ? [digest.signal] : []), ...digest.deepDives]) extracted[String(a.id)] = a.summary;
    const data: StoredDigestData = { sources, history, extracted };
    if (ctx.config.llm) {
      // Written by the model where it passes its checks; everything else stays extracted.
      const { writeWithModel } = await import('../digest/llm.js');
      const { texts, used, fellBack } = await writeWithModel(ctx, digest, ranked);
      ctx.log.info({ date, modelTexts: used, fellBack }, 'language model texts');
      if (used) {
        data.model = texts;
        digest = composeDigest({ ...input, ranked, model: texts }).digest;
      }
    }
    const rendered = await renderIssue(digest, { urls: ctx.urls });
    const result = await insertIssue(ctx, newIssueOf({ date, windowStart: window.start, cutoffAt: window.cutoffAt, rendered, digest, ranked, data, now }));
    if ('created' in result) {
      ctx.log.info({ date, issueId: result.created.id, articles: ranked.length }, 'issue assembled');
      return { issue: await summary(ctx, result.created) };
    }
    if ('exists' in result) return { issue: await summary(ctx, result.exists) };
    // Another date's assembly claimed some of these articles meanwhile: select again.
  }
  throw new Error(`could not assemble ${date}: articles kept being claimed by concurrent assemblies`);
}
