// Orchestrators behind the admin API and the CLI: queue an issue, resend, send a test copy.
import type { Edition } from '../domain-types.js';
import type { AppContext } from '../context.js';
import { isIsoDate } from '../lib/cron-time.js';
import { AppError, notFound } from '../lib/errors.js';
import { MailError } from '../mail/mailer.js';
import { newMessageId } from '../mail/compose.js';
import { normalizeEmail } from '../subscribers/address.js';
import { recipientUnsubscribeUrl, TEST_COPY_TOKEN } from './links.js';
import { issueTemplateFrom } from './message.js';
import {
  findIssueIdByDate,
  firstSendAt,
  findResendByKey,
  getSendableIssue,
  hasPendingDeliveries,
  queueIssue,
  queueResend,
  recordTestSend,
  sendProgress,
  subscriberIdByEmail,
  type PriorResend,
  type SendProgress,
} from './repo.js';

/** Resolves `<issue-id|date|weekly:date>` as the CLI takes it; a bare date names the daily issue unless `edition` says. */
export async function resolveIssueRef(ctx: AppContext, ref: string, edition: Edition = 'daily'): Promise<number> {
  const weekly = /^weekly[:/](.*)$/.exec(ref);
  if (weekly) return resolveIssueRef(ctx, weekly[1]!, 'weekly');
  if (/^\d{4}-\d{2}-\d{2}$/.test(ref)) {
    if (!isIsoDate(ref)) throw new AppError(400, 'BAD_REQUEST', `"${ref}" is not a calendar date (YYYY-MM-DD).`);
    const id = await findIssueIdByDate(ctx, ref, edition);
    if (id === undefined) throw notFound(`No ${edition} issue for ${ref}.`);
    return id;
  }
  if (/^\d+$/.test(ref)) {
    const id = Number(ref);
    if (!(await getSendableIssue(ctx, id))) throw notFound(`No issue with id ${ref}.`);
    return id;
  }
  throw new AppError(400, 'BAD_REQUEST', `"${ref}" is neither an issue id nor a date (YYYY-MM-DD).`);
}

/** What a send call did: how many were queued now, and where the issue stands. */
export interface SendOutcome {
  issueId: number;
  queued: number;
  alreadySent: boolean;
  progress: SendProgress;
}

/**
 * Queues one delivery per confirmed subscriber (idempotent) and lets the sender go. An issue already
 * sent is left alone (resend `missing` reaches later subscribers); a paused issue resumes.
 */
const DAY_MS = 86_400_000;

/** The warm-up cap of an issue queued now: SEND_WARMUP's entry for the day since the first send, or null (none). */
export async function warmupCap(ctx: AppContext, now: number): Promise<{ cap: number; reason: string } | null> {
  const plan = ctx.config.sendWarmup;
  if (!plan.length) return null;
  const day = Math.floor((now - (await firstSendAt(ctx, now))) / DAY_MS);
  const cap = plan[day];
  return cap === undefined ? null : { cap, reason: `warm-up: day ${day + 1} of SEND_WARMUP allows ${cap} recipients per issue` };
}

export async function sendIssue(ctx: AppContext, issueId: number): Promise<SendOutcome> {
  const issue = await getSendableIssue(ctx, issueId);
  if (!issue) throw notFound('No such issue.');
  if (!issue.html || !issue.text) throw new AppError(409, 'NOT_RENDERED', 'The issue has no rendered content yet.');
  const now = ctx.clock.now();
  const warmup = await warmupCap(ctx, now);
  const { queued, status, heldBack } = await queueIssue(ctx, issueId, now, warmup ?? undefined);
  if (queued) ctx.log.info({ issueId, date: issue.date, queued }, 'issue queued for sending');
  if (heldBack) ctx.log.warn({ issueId, heldBack, cap: warmup!.cap }, `${warmup!.reason}: the rest of the list is skipped for this issue`);
  ctx.signals.wakeSender();
  return { issueId, queued, alreadySent: status === 'sent', progress: await sendProgress(ctx, issueId, now) };
}

/** A resend request as the API and CLI take it. */
export type ResendRequest = { email: string } | { failed: true } | { missing: true };

/** Parses a resend body: exactly one of email, failed or missing. */
export function parseResendRequest(body: unknown): ResendRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const given = ['email', 'failed', 'missing'].filter((k) => b[k] !== undefined && b[k] !== false);
  if (given.length !== 1) throw new AppError(400, 'BAD_REQUEST', 'Give exactly one of { email }, { failed: true } or { missing: true }.');
  if (given[0] === 'email') {
    const e = normalizeEmail(b.email);
    if (!e.ok) throw new AppError(400, 'BAD_REQUEST', e.error, { email: e.error });
    return { email: e.email };
  }
  if (b[given[0]!] !== true) throw new AppError(400, 'BAD_REQUEST', `"${given[0]}" must be true.`);
  return given[0] === 'failed' ? { failed: true } : { missing: true };
}

/** What a resend did. */
export interface ResendResult {
  issueId: number;
  kind: 'email' | 'failed' | 'missing';
  queued: number;
  progress: SendProgress;
}

/**
 * Queues a resend and records it (who, when, how many). 409 while the issue is still sending or before it
 * was sent; an email that is not a confirmed subscriber is refused (never unsubscribed or bounced people).
 */
export async function resendIssue(
  ctx: AppContext,
  issueId: number,
  req: ResendRequest,
  requestedBy: string,
  idempotencyKey?: string,
): Promise<ResendResult> {
  const r =
    'email' in req
      ? { kind: 'email' as const, email: req.email }
      : 'failed' in req
        ? { kind: 'failed' as const }
        : { kind: 'missing' as const };
  // A retried request answers what the first one did, before any check that the first one changed the answer of.
  if (idempotencyKey) {
    const prior = await findResendByKey(ctx, idempotencyKey);
    if (prior) return replay(ctx, idempotencyKey, prior, issueId, r);
  }
  const issue = await getSendableIssue(ctx, issueId);
  if (!issue) throw notFound('No such issue.');
  if (issue.status === 'draft') throw new AppError(409, 'NOT_SENT', 'This issue has not been sent yet: send it first.');
  if (issue.status === 'sending' && (await hasPendingDeliveries(ctx, issueId)))
    throw new AppError(409, 'SEND_IN_PROGRESS', 'This issue is still sending; resend once it has finished.');
  const now = ctx.clock.now();
  if (r.kind === 'email') {
    // A reader's own choice stands: a daily issue is not forced on a weekly reader, nor any issue on a paused one.
    const { findSubscriberByEmail } = await import('../subscribers/repo.js');
    const { normalizeEmail } = await import('../subscribers/address.js');
    const e = normalizeEmail(r.email);
    const s = e.ok ? await findSubscriberByEmail(ctx, e.email) : undefined;
    if (s && s.status === 'confirmed' && s.frequency !== issue.edition)
      throw new AppError(409, 'READER_CHOICE', `This reader chose the ${s.frequency} edition: a ${issue.edition} issue is not sent to them.`);
    if (s && s.status === 'confirmed' && s.pausedUntil && s.pausedUntil > now)
      throw new AppError(409, 'READER_PAUSED', `This reader paused their mail until ${new Date(s.pausedUntil).toISOString().slice(0, 10)}.`);
  }
  const out = await queueResend(ctx, issueId, r, requestedBy, now, idempotencyKey);
  if (out.prior) return replay(ctx, idempotencyKey!, out.prior, issueId, r);
  if (out.reason === 'not_found') throw new AppError(404, 'NOT_FOUND', 'No subscriber has this address.');
  if (out.reason === 'not_confirmed')
    throw new AppError(409, 'NOT_CONFIRMED', 'This subscriber is not confirmed (pending, unsubscribed or bounced): nothing was sent.');
  ctx.log.info({ issueId, kind: r.kind, queued: out.queued, requestedBy }, 'resend queued');
  ctx.signals.wakeSender();
  return { issueId, kind: r.kind, queued: out.queued, progress: await sendProgress(ctx, issueId, now) };
}

/** The answer to a request whose idempotency key was used before: the first result, or 422 if it asked otherwise. */
async function replay(
  ctx: AppContext,
  key: string,
  prior: PriorResend,
  issueId: number,
  req: { kind: ResendResult['kind']; email?: string },
): Promise<ResendResult> {
  if (prior.issueId !== issueId || prior.kind !== req.kind || (prior.email ?? null) !== (req.email ?? null))
    throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different resend.');
  ctx.log.info({ issueId, kind: prior.kind, idempotencyKey: key }, 'resend retried with the same Idempotency-Key: nothing new queued');
  return { issueId, kind: prior.kind, queued: prior.queued, progress: await sendProgress(ctx, issueId, ctx.clock.now()) };
}

/** Sends one test copy of an issue to any address, now, and records it apart from deliveries. */
export async function sendTestCopy(ctx: AppContext, issueId: number, emailInput: unknown): Promise<{ id: number; email: string; status: 'sent' | 'failed'; messageId: string; response?: string; error?: string }> {
  const e = normalizeEmail(emailInput);
  if (!e.ok) throw new AppError(400, 'BAD_REQUEST', e.error, { email: e.error });
  const issue = await getSendableIssue(ctx, issueId);
  if (!issue) throw notFound('No such issue.');
  if (!issue.html || !issue.text) throw new AppError(409, 'NOT_RENDERED', 'The issue has no rendered content yet.');
  const cfg = ctx.config;
  const tpl = issueTemplateFrom(cfg, issueId, issue, '[Test] ');
  const subscriberId = await subscriberIdByEmail(ctx, e.email);
  // A subscriber sees their own link; anyone else gets the real link shape that leads nowhere.
  const unsubscribeUrl = subscriberId !== undefined ? recipientUnsubscribeUrl(ctx, subscriberId) : ctx.urls.unsubscribe(TEST_COPY_TOKEN);
  const { raw, messageId } = tpl.build({ subscriberId: subscriberId ?? 0, email: e.email, unsubscribeUrl, messageId: newMessageId(cfg.mailFrom) });
  const at = ctx.clock.now();
  try {
    const res = await ctx.mailer.sendRaw({ from: /<([^>]+)>/.exec(cfg.mailFrom)?.[1] ?? cfg.mailFrom, to: e.email, raw, messageId });
    const id = await recordTestSend(ctx, { issueId, email: e.email, at, status: 'sent', messageId, smtpResponse: res.response });
    return { id, email: e.email, status: 'sent', messageId, response: res.response };
  } catch (err) {
    const msg = err instanceof MailError ? err.message : String((err as Error)?.message ?? err);
    const id = await recordTestSend(ctx, { issueId, email: e.email, at, status: 'failed', messageId, error: msg });
    return { id, email: e.email, status: 'failed', messageId, error: msg };
  }
}

export { sendProgress, deliveryCounts } from './repo.js';
