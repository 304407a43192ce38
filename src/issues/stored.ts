import type { AppContext } from '../context.js';
import type { Scored } from '../digest/build.js';
import type { Digest } from '../digest/types.js';
import type { StoredDigestData } from './render.js';
import { getIssueArticles, type IssueArticleRow, type IssueRecord } from './repo.js';

// Reading a stored issue back as a Digest, for the web archive, the preview and operator edits.

/** The stored digest data of an issue (tolerates rows written before digest_json existed). */
export function storedData(row: IssueRecord): StoredDigestData {
  try {
    const d = JSON.parse(row.digestJson || '{}') as Partial<StoredDigestData>;
    return { sources: d.sources ?? [], history: d.history ?? { docs: 0, df: {} }, model: d.model ?? {}, summaries: d.summaries ?? {}, ...(d.extracted ? { extracted: d.extracted } : {}) };
  } catch {
    return { sources: [], history: { docs: 0, df: {} } };
  }
}

/** Stored articles in rank order as the ranking's Scored values. */
export function toScored(rows: IssueArticleRow[]): Scored[] {
  return rows.map((r) => ({ article: r, score: r.score, parts: r.parts }));
}

/** The Digest of a stored issue as it currently stands (overrides applied), plus its articles. */
export async function loadIssueDigest(ctx: AppContext, row: IssueRecord): Promise<{ digest: Digest; articles: IssueArticleRow[] }> {
  const articles = await getIssueArticles(ctx, row.id);
  const data = storedData(row);
  // The ranking and patterns code is loaded by the first issue page or preview, not by every process at start.
  const { composeDigest } = await import('../digest/build.js');
  // Themes as stored when the issue was rendered, so the web page says what the email said.
  let themes: Digest['patterns']['themes'] = [];
  try {
    const parsed = JSON.parse(row.patternsJson) as Digest['patterns']['themes'];
    if (Array.isArray(parsed)) themes = parsed;
  } catch {
    /* no stored themes: the section says so */
  }
  const { digest } = composeDigest({
    date: row.date,
    edition: row.edition,
    newsletterName: ctx.config.newsletterName,
    windowStart: row.windowStart,
    cutoffAt: row.cutoffAt,
    ranked: toScored(articles),
    history: data.history,
    sources: data.sources,
    themes,
    model: data.model,
    extracted: data.extracted,
    overrides: {
      pinnedSignalId: row.pinnedSignalArticleId,
      excludedIds: articles.filter((a) => a.excluded).map((a) => a.id),
      patternsNote: row.patternsNote,
      subject: row.subjectOverride,
      summaries: data.summaries,
    },
  });
  return { digest: { ...digest, subject: row.subject, preheader: row.preheader }, articles };
}
