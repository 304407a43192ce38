// A reader's own choices, from their preferences link: daily or weekly, a pause of 1 to 8 weeks (it ends by itself),
// text-only mail, and companies to leave out. The link is `/preferences/<token>`, a token of its own purpose; every digest's footer reaches it through the
// reader's unsubscribe link (`?preferences`), so each copy still carries one personal URL.
import type { AppContext } from '../context.js';
import type { Edition } from '../domain-types.js';
import { companiesOf, MAX_EXCLUDED, normalizeCompanies } from './companies.js';
import { badRequest } from '../lib/errors.js';
import type { ConsentMeta, Subscriber } from './store.js';
import { headerSafe } from '../mail/headers.js';
import { findSubscriberByEmail, findSubscriberById, setPreferences } from './repo.js';
import { signToken, verifyToken } from './tokens.js';

export const MAX_PAUSE_WEEKS = 8;
const WEEK_MS = 7 * 86_400_000;

/** The preferences page of a subscriber. */
export function preferencesUrl(ctx: Pick<AppContext, 'config'>, subscriberId: number): string {
  return `${ctx.config.publicUrl}/preferences/${signToken(ctx.config.secretKey, { purpose: 'preferences', subscriberId, issuedAt: 0 })}`;
}

/** The subscriber a preferences token names, or null (forged, another purpose, or gone). */
export async function checkPreferencesToken(ctx: AppContext, token: string): Promise<Subscriber | null> {
  const v = verifyToken(ctx.config.secretKey, 'preferences', token, ctx.clock.now());
  if (!v.ok) return null;
  const s = await findSubscriberById(ctx, v.payload.subscriberId);
  return s && !s.erasedAt ? s : null;
}

/** What the preferences form says. */
export interface PreferencesForm {
  /** null: keep the current pause; 0: none (or resume now); 1 … 8 weeks. */
  pauseWeeks: number | null;
  textOnly: boolean;
  frequency: Edition;
  /** The companies left out, in the spelling of the sources list. */
  excludedCompanies: string[];
}

/**
 * Reads the form: a pause of 0 (none, or resume now) to 8 weeks, text-only, daily or weekly, and the companies left
 * out, each one of `companies` (the names the sources list shows). Throws 400 for anything else.
 */
export function parsePreferences(form: Record<string, unknown>, companies: readonly string[] = []): PreferencesForm {
  const raw = form.pause;
  let pauseWeeks: number | null = null;
  if (raw !== undefined && raw !== '' && raw !== 'keep') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > MAX_PAUSE_WEEKS) throw badRequest(`A pause is 1 to ${MAX_PAUSE_WEEKS} weeks (or none).`, { pause: `1 to ${MAX_PAUSE_WEEKS} weeks` });
    pauseWeeks = n;
  }
  const f = form.frequency ?? 'daily';
  if (f !== 'daily' && f !== 'weekly') throw badRequest('Choose daily or weekly.', { frequency: 'daily or weekly' });
  const given = form.exclude === undefined ? [] : Array.isArray(form.exclude) ? form.exclude : [form.exclude];
  const known = new Map(companies.map((c) => [c.toLowerCase(), c]));
  const excluded: string[] = [];
  for (const g of given) {
    const name = typeof g === 'string' ? known.get(g.replace(/\s+/g, ' ').trim().toLowerCase()) : undefined;
    if (!name) throw badRequest('One of the companies to leave out is not among the sources.', { exclude: 'a company from the sources list' });
    excluded.push(name);
  }
  if (excluded.length > MAX_EXCLUDED) throw badRequest(`At most ${MAX_EXCLUDED} companies can be left out.`, { exclude: `at most ${MAX_EXCLUDED}` });
  return { pauseWeeks, textOnly: form.textOnly === 'on' || form.textOnly === '1' || form.textOnly === 'true', frequency: f, excludedCompanies: normalizeCompanies(excluded) };
}

/** Saves the form; the history says what changed. Undefined when the reader is no longer subscribed. */
export async function savePreferences(ctx: AppContext, s: Subscriber, p: PreferencesForm, meta: ConsentMeta): Promise<Subscriber | undefined> {
  const now = ctx.clock.now();
  const pausedUntil = p.pauseWeeks === null ? (s.pausedUntil && s.pausedUntil > now ? s.pausedUntil : null) : p.pauseWeeks === 0 ? null : now + p.pauseWeeks * WEEK_MS;
  const said: string[] = [];
  if (p.pauseWeeks !== null) said.push(p.pauseWeeks === 0 ? 'no pause' : `paused for ${p.pauseWeeks} week${p.pauseWeeks === 1 ? '' : 's'} (until ${new Date(pausedUntil!).toISOString().slice(0, 10)})`);
  if (p.textOnly !== s.textOnly) said.push(p.textOnly ? 'text-only mail' : 'HTML mail');
  if (p.frequency !== s.frequency) said.push(p.frequency === 'weekly' ? 'weekly edition only' : 'every daily issue');
  const before = companiesOf(s.excludedCompanies);
  if (before.join('\n') !== p.excludedCompanies.join('\n')) said.push(p.excludedCompanies.length ? `leaves out ${p.excludedCompanies.join(', ')}` : 'every company');
  const out = await setPreferences(ctx, s.id, { pausedUntil, textOnly: p.textOnly, frequency: p.frequency, excludedCompanies: p.excludedCompanies }, now, said.join('; ') || 'saved, unchanged', meta);
  if (out) ctx.log.info({ subscriberId: s.id, pausedUntil, textOnly: p.textOnly, frequency: p.frequency, excluded: p.excludedCompanies.length }, 'reader preferences saved');
  return out;
}

/** Mails a subscriber the link to their preferences; for any other address, nothing happens (and nothing is said). */
export async function mailPreferencesLink(ctx: AppContext, email: string): Promise<void> {
  const s = await findSubscriberByEmail(ctx, email);
  if (!s || (s.status !== 'confirmed' && s.status !== 'pending') || !s.email) return;
  const [{ renderEmail }, { PreferencesLinkEmail }] = await Promise.all([import('../../emails/render.js'), import('../../emails/PreferencesLinkEmail.js')]);
  const { html, text } = await renderEmail(
    PreferencesLinkEmail({ newsletterName: ctx.config.newsletterName, preferencesUrl: preferencesUrl(ctx, s.id), homeUrl: ctx.urls.home(), postalAddress: ctx.config.postalAddress }),
  );
  try {
    await ctx.mailer.send({
      from: ctx.config.mailFrom,
      to: s.email,
      subject: headerSafe(`Your ${ctx.config.newsletterName} preferences`),
      text,
      html,
    });
    ctx.log.info({ subscriberId: s.id }, 'preferences link mailed');
  } catch (err) {
    ctx.log.warn({ subscriberId: s.id, err: (err as Error).message }, 'preferences link could not be mailed');
  }
}
