import type { AppContext } from '../context.js';
import { MAX_SUBJECT } from '../digest/limits.js';
import { AppError, badRequest, notFound } from '../lib/errors.js';
import { headerSafe } from '../mail/headers.js';
import { getIssue, getIssueArticles, updateDraftIssue, type IssueRecord } from './repo.js';
import { storedData, toScored } from './stored.js';

// Operator edits before sending: pin the signal, exclude articles, write the patterns note, edit the subject.

/** The PATCH body; null clears a value (back to the automatic choice). */
export interface IssueEdits {
  signalArticleId?: number | null;
  excludeArticleIds?: number[];
  patternsNote?: string | null;
  subject?: string | null;
  /** Summaries by article id; null restores the automatic one. */
  summaries?: Record<string, string | null>;
}

const MAX_NOTE = 4000;
/** Longest summary the operator may write (the automatic ones keep to 600). */
export const MAX_SUMMARY = 1200;

/** Operator text as stored: one paragraph, control characters removed, spaces folded. */
function cleanSummary(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Validates a PATCH body into IssueEdits; throws 400 naming the field. */
export function parseEdits(body: Record<string, unknown>): IssueEdits {
  const known = ['signalArticleId', 'excludeArticleIds', 'patternsNote', 'subject', 'summaries'];
  for (const k of Object.keys(body)) if (!known.includes(k)) throw badRequest(`Unknown field: ${k}.`, { [k]: 'not a known field' });
  const out: IssueEdits = {};
  if ('signalArticleId' in body) {
    const v = body.signalArticleId;
    if (v !== null && !(Number.isInteger(v) && (v as number) > 0)) throw badRequest('signalArticleId must be an article id or null.', { signalArticleId: 'must be an article id or null' });
    out.signalArticleId = v as number | null;
  }
  if ('excludeArticleIds' in body) {
    const v = body.excludeArticleIds;
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x > 0) || v.length > 10_000)
      throw badRequest('excludeArticleIds must be an array of article ids.', { excludeArticleIds: 'must be an array of article ids' });
    out.excludeArticleIds = [...new Set(v as number[])];
  }
  if ('patternsNote' in body) {
    const v = body.patternsNote;
    if (v !== null && (typeof v !== 'string' || v.length > MAX_NOTE)) throw badRequest(`patternsNote must be text of at most ${MAX_NOTE} characters, or null.`, { patternsNote: 'too long or not text' });
    // eslint-disable-next-line no-control-regex
    out.patternsNote = v === null ? null : (v as string).replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim() || null;
  }
  if ('summaries' in body) {
    const v = body.summaries;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('summaries must be an object of article id → text or null.', { summaries: 'must be an object' });
    const out2: Record<string, string | null> = {};
    for (const [k, t] of Object.entries(v as Record<string, unknown>)) {
      if (!/^[1-9]\d{0,9}$/.test(k)) throw badRequest(`summaries: "${k.slice(0, 20)}" is not an article id.`, { summaries: 'keys must be article ids' });
      if (t === null) out2[k] = null;
      else if (typeof t !== 'string' || cleanSummary(t).length > MAX_SUMMARY)
        throw badRequest(`summaries.${k} must be text of at most ${MAX_SUMMARY} characters, or null.`, { [`summaries.${k}`]: 'too long or not text' });
      else out2[k] = cleanSummary(t) || null;
    }
    out.summaries = out2;
  }
  if ('subject' in body) {
    const v = body.subject;
    if (v !== null && typeof v !== 'string') throw badRequest('subject must be text or null.', { subject: 'must be text or null' });
    if (typeof v === 'string') {
      const clean = headerSafe(v, 1000);
      if (clean.length > MAX_SUBJECT) throw badRequest(`subject must be under ${MAX_SUBJECT + 1} characters.`, { subject: `at most ${MAX_SUBJECT} characters` });
      out.subject = clean || null;
    } else out.subject = null;
  }
  return out;
}

/** Applies edits to a draft issue and re-renders it; 409 once sending has started. Returns the updated row. */
export async function editIssue(ctx: AppContext, id: number, edits: IssueEdits): Promise<IssueRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await getIssue(ctx, id);
    if (!row) throw notFound('No such issue.');
    if (row.status !== 'draft') throw new AppError(409, 'ISSUE_FROZEN', 'This issue is being sent or was sent; it can no longer be edited.');
    const articles = await getIssueArticles(ctx, id);
    const ids = new Set(articles.map((a) => a.id));
    const excluded = edits.excludeArticleIds ?? articles.filter((a) => a.excluded).map((a) => a.id);
    for (const x of excluded) if (!ids.has(x)) throw badRequest(`Article ${x} is not in this issue.`, { excludeArticleIds: `article ${x} is not in this issue` });
    const pinned = 'signalArticleId' in edits ? (edits.signalArticleId ?? null) : row.pinnedSignalArticleId;
    if (pinned !== null && !ids.has(pinned)) throw badRequest(`Article ${pinned} is not in this issue.`, { signalArticleId: 'not an article of this issue' });
    if (pinned !== null && excluded.includes(pinned)) throw badRequest('The signal cannot be an excluded article.', { signalArticleId: 'is excluded' });
    if (excluded.length >= articles.length) throw badRequest('An issue needs at least one article.', { excludeArticleIds: 'would exclude every article' });
    const note = 'patternsNote' in edits ? (edits.patternsNote ?? null) : row.patternsNote;
    const subjectOverride = 'subject' in edits ? (edits.subject ?? null) : row.subjectOverride;
    const data = storedData(row);
    let digestJson: string | undefined;
    if (edits.summaries) {
      const summaries = { ...(data.summaries ?? {}) };
      for (const [k, t] of Object.entries(edits.summaries)) {
        if (!ids.has(Number(k))) throw badRequest(`Article ${k} is not in this issue.`, { summaries: `article ${k} is not in this issue` });
        if (t === null) delete summaries[k];
        else summaries[k] = t;
      }
      data.summaries = summaries;
      digestJson = JSON.stringify(data);
    }

    const { rerenderIssue } = await import('./render.js');
    const { digest, rendered } = await rerenderIssue(
      {
        date: row.date,
        edition: row.edition,
        newsletterName: ctx.config.newsletterName,
        windowStart: row.windowStart,
        cutoffAt: row.cutoffAt,
        ranked: toScored(articles),
        data,
        overrides: { pinnedSignalId: pinned, excludedIds: excluded, patternsNote: note, subject: subjectOverride, summaries: data.summaries },
      },
      { urls: ctx.urls },
    );
    const res = await updateDraftIssue(ctx, id, {
      subject: rendered.subject,
      subjectOverride,
      preheader: rendered.preheader,
      html: rendered.html,
      text: rendered.text,
      signalArticleId: digest.signal?.id ?? null,
      pinnedSignalArticleId: pinned,
      patternsNote: note,
      patternsJson: JSON.stringify(digest.patterns.themes),
      excludedIds: excluded,
      ...(digestJson !== undefined ? { digestJson } : {}),
      now: ctx.clock.now(),
      expectedUpdatedAt: row.updatedAt,
    });
    if (res === 'missing') throw notFound('No such issue.');
    if (res === 'frozen') throw new AppError(409, 'ISSUE_FROZEN', 'This issue is being sent or was sent; it can no longer be edited.');
    if (res === 'ok') {
      ctx.log.info({ issueId: id, edits: Object.keys(edits) }, 'issue edited');
      return (await getIssue(ctx, id))!;
    }
  }
  throw new AppError(409, 'ISSUE_BUSY', 'The issue changed while it was being edited; try again.');
}
