import type { AppContext } from '../context.js';
import { headerSafe, listFields } from '../mail/headers.js';
import { enqueueMail } from '../mail/queue.js';
import { cleanName, normalizeEmail } from './address.js';
import {
  confirmSubscriber,
  findSubscriberById,
  noteConfirmationMail,
  recordSignup,
  unsubscribeSubscriber,
  type ConsentMeta,
  type Subscriber,
} from './repo.js';
import { preferencesUrl } from './preferences.js';
import { signToken, verifyToken } from './tokens.js';

/** Bumped whenever the wording next to the signup form changes; stored with every signup. */
export const CONSENT_TEXT_VERSION = '2026-11-27.1';
export const CONSENT_TEXT =
  'One email a day. We store your address and the time and place of your signup to prove consent. Unsubscribe with one click in any issue.';

export type SignupResult = { ok: true; action: 'send_confirmation' | 'throttled' | 'already_confirmed' } | { ok: false; fields: Record<string, string> };

/** Human words for the send time, e.g. "at 06:00 (UTC)", from a simple daily cron. */
export function describeSendTime(cron: string, tz: string): string {
  const m = /^(\d{1,2}) (\d{1,2}) \* \* (\*|[0-7])$/.exec(cron.trim());
  if (!m) return `on schedule (${tz})`;
  const at = `at ${m[2]!.padStart(2, '0')}:${m[1]!.padStart(2, '0')} (${tz})`;
  if (m[3] === '*') return at;
  const day = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'][Number(m[3])];
  return `${day} ${at}`;
}

/** Validates a signup, records it, and mails a confirmation unless one went out recently or the address is confirmed. */
export async function signup(ctx: AppContext, input: { email: unknown; name?: unknown }, meta: ConsentMeta): Promise<SignupResult> {
  const addr = normalizeEmail(input.email);
  if (!addr.ok) return { ok: false, fields: { email: addr.error } };
  const name = cleanName(input.name);
  const now = ctx.clock.now();
  const outcome = await recordSignup(ctx, addr.email, name, now, { ...meta, consentTextVersion: CONSENT_TEXT_VERSION });
  if (outcome.action !== 'send_confirmation') {
    ctx.log.info({ subscriberId: outcome.subscriber.id, action: outcome.action }, 'signup: no confirmation mail sent');
    return { ok: true, action: outcome.action };
  }
  // Answered before the mail is rendered and sent: a new address must not take longer than a known one.
  const subscriber = outcome.subscriber;
  enqueueMail(ctx.mailer, async () => {
    await sendConfirmation(ctx, subscriber);
  });
  return { ok: true, action: outcome.action };
}

/** Mails the confirmation link; on failure the throttle is cleared so the person can try again. */
export async function sendConfirmation(ctx: AppContext, subscriber: Subscriber): Promise<boolean> {
  const now = ctx.clock.now();
  const token = signToken(ctx.config.secretKey, { purpose: 'confirm', subscriberId: subscriber.id, issuedAt: now });
  const [{ renderEmail }, { ConfirmEmail }] = await Promise.all([import('../../emails/render.js'), import('../../emails/ConfirmEmail.js')]);
  const { html, text } = await renderEmail(
    ConfirmEmail({
      newsletterName: ctx.config.newsletterName,
      confirmUrl: ctx.urls.confirm(token),
      homeUrl: ctx.urls.home(),
      postalAddress: ctx.config.postalAddress,
    }),
  );
  try {
    const res = await ctx.mailer.send({
      from: ctx.config.mailFrom,
      to: subscriber.email!,
      subject: headerSafe(`Confirm your subscription to ${ctx.config.newsletterName}`),
      html,
      text,
      list: listFields(ctx.config),
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    await noteConfirmationMail(ctx, subscriber.id, now, false);
    ctx.log.info({ subscriberId: subscriber.id, messageId: res.messageId }, 'confirmation mail sent');
    return true;
  } catch (err) {
    await noteConfirmationMail(ctx, subscriber.id, now, true);
    ctx.log.error({ subscriberId: subscriber.id, err: (err as Error).message }, 'confirmation mail failed');
    return false;
  }
}

export type TokenCheck =
  | { state: 'valid'; subscriber: Subscriber; issuedAt: number }
  | { state: 'expired'; subscriberId: number }
  | { state: 'invalid' };

/** Checks a confirm token without changing anything (for the GET page). */
export async function checkConfirmToken(ctx: AppContext, token: string): Promise<TokenCheck> {
  const v = verifyToken(ctx.config.secretKey, 'confirm', token, ctx.clock.now());
  if (!v.ok) return v.reason === 'expired' && v.payload ? { state: 'expired', subscriberId: v.payload.subscriberId } : { state: 'invalid' };
  const s = await findSubscriberById(ctx, v.payload.subscriberId);
  if (!s || !s.email) return { state: 'invalid' };
  return { state: 'valid', subscriber: s, issuedAt: v.payload.issuedAt };
}

/** Confirms from a token (idempotent) and sends the welcome mail on the first confirmation. */
export async function confirm(ctx: AppContext, token: string, meta: ConsentMeta): Promise<'confirmed' | 'already_confirmed' | 'expired' | 'invalid'> {
  const check = await checkConfirmToken(ctx, token);
  if (check.state !== 'valid') return check.state;
  const { outcome, subscriber } = await confirmSubscriber(ctx, check.subscriber.id, check.issuedAt, ctx.clock.now(), meta);
  if (outcome === 'confirmed' && subscriber) await sendWelcome(ctx, subscriber);
  return outcome;
}

/** A fresh confirmation for the subscriber behind an expired token, still throttled like a signup. */
export async function resendConfirmationFor(ctx: AppContext, subscriberId: number, meta: ConsentMeta): Promise<void> {
  const s = await findSubscriberById(ctx, subscriberId);
  if (!s || !s.email || s.status !== 'pending') return;
  await signup(ctx, { email: s.email }, meta);
}

/** The unsubscribe URL of a subscriber (its token never expires). */
export function unsubscribeUrlFor(ctx: Pick<AppContext, 'config' | 'urls'>, subscriberId: number): string {
  return ctx.urls.unsubscribe(signToken(ctx.config.secretKey, { purpose: 'unsubscribe', subscriberId, issuedAt: 0 }));
}

/** The welcome mail, with List-Unsubscribe and one-click headers. */
export async function sendWelcome(ctx: AppContext, subscriber: Subscriber): Promise<void> {
  const unsubscribeUrl = unsubscribeUrlFor(ctx, subscriber.id);
  const [{ renderEmail }, { WelcomeEmail }] = await Promise.all([import('../../emails/render.js'), import('../../emails/WelcomeEmail.js')]);
  const { html, text } = await renderEmail(
    WelcomeEmail({
      newsletterName: ctx.config.newsletterName,
      archiveUrl: ctx.urls.issues(),
      unsubscribeUrl,
      preferencesUrl: preferencesUrl(ctx, subscriber.id),
      homeUrl: ctx.urls.home(),
      sendTime: describeSendTime(ctx.config.digestCron, ctx.config.digestTimezone),
      postalAddress: ctx.config.postalAddress,
    }),
  );
  try {
    const res = await ctx.mailer.send({
      from: ctx.config.mailFrom,
      to: subscriber.email!,
      subject: headerSafe(`Welcome to ${ctx.config.newsletterName}`),
      html,
      text,
      list: listFields(ctx.config, unsubscribeUrl),
    });
    ctx.log.info({ subscriberId: subscriber.id, messageId: res.messageId }, 'welcome mail sent');
  } catch (err) {
    // The subscription stands; a missing welcome mail is not worth failing the confirmation.
    ctx.log.error({ subscriberId: subscriber.id, err: (err as Error).message }, 'welcome mail failed');
  }
}

/** Resolves an unsubscribe token to its subscriber (for the GET page) without changing anything. */
export async function checkUnsubscribeToken(ctx: AppContext, token: string): Promise<Subscriber | null> {
  const v = verifyToken(ctx.config.secretKey, 'unsubscribe', token, ctx.clock.now());
  if (!v.ok) return null;
  return (await findSubscriberById(ctx, v.payload.subscriberId)) ?? null;
}

/** Unsubscribes from a token, idempotently; null for a bad token. */
export async function unsubscribe(ctx: AppContext, token: string, meta: ConsentMeta): Promise<{ changed: boolean } | null> {
  const s = await checkUnsubscribeToken(ctx, token);
  if (!s) return null;
  // A second click (a mail scanner, an impatient reader) changes nothing: answered without a write transaction.
  if (s.status === 'unsubscribed') return { changed: false };
  const { changed } = await unsubscribeSubscriber(ctx, s.id, ctx.clock.now(), meta);
  if (changed) ctx.log.info({ subscriberId: s.id, via: meta.detail ?? 'page' }, 'unsubscribed');
  return { changed };
}
