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
}

const MAX_NOTE = 4000;

/** Validates a PATCH body into IssueEdits; throws 400 naming the field. */
export function parseEdits(body: Record<string, unknown>): IssueEdits {
  const known = ['signalArticleId', 'excludeArticleIds', 'patternsNote', 'subject'];
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

    const { rerenderIssue } = await import('./render.js');
    const { digest, rendered } = await rerenderIssue(
      {
        date: row.date,
        newsletterName: ctx.config.newsletterName,
        windowStart: row.windowStart,
        cutoffAt: row.cutoffAt,
        ranked: toScored(articles),
        data: storedData(row),
        overrides: { pinnedSignalId: pinned, excludedIds: excluded, patternsNote: note, subject: subjectOverride },
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
