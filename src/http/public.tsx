/** @jsxImportSource hono/jsx */
import { createHmac } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { AppContext } from '../context.js';
import { TEST_COPY_TOKEN } from '../deliveries/links.js';
import { AppError } from '../lib/errors.js';
import { safeEqual } from './admin-auth.js';
import {
  checkConfirmToken,
  checkUnsubscribeToken,
  confirm,
  CONSENT_TEXT,
  describeSendTime,
  resendConfirmationFor,
  signup,
  unsubscribe,
} from '../subscribers/lifecycle.js';
import type { ConsentMeta, Subscriber } from '../subscribers/repo.js';
import { listArchiveIssues } from '../issues/repo.js';
import { activeSourceNames } from '../feeds/repo.js';
import { LandingPage, MessagePage, OneMoreStepPage, PreferencesPage } from './pages/public.js';
import { clientIp, createSharedRateLimiter, readBody, type Body } from './request.js';
import { registerTrackingRoutes } from './tracking.js';
import { createPageCache, type PageCache } from './page-cache.js';

/** A form sent sooner than this after it was rendered is a bot; it gets the success page and nothing happens. */
export const FORM_MIN_MS = 2000;
const FORM_MAX_MS = 24 * 3600 * 1000;
/** Invalid confirm/unsubscribe links one address may present per minute before 429. */
export const BAD_TOKENS_PER_MINUTE = 30;

const html = (node: unknown) => '<!doctype html>' + String(node);

/**
 * A signed render time for a form. `form`: the landing page's own form, which must be older than FORM_MIN_MS;
 * `step`: the "One more step" page's, where a person has just pressed a button and no minimum applies.
 */
type FormKind = 'form' | 'step';

/** Where the cached landing page takes each request's form token (a value no real token can have). */
const FORM_TOKEN_SLOT = 'form-token-slot-0000000000000';

function formToken(secret: string, renderedAt: number, kind: FormKind = 'form'): string {
  const mac = createHmac('sha256', `newsdesk:${kind}:${secret}`).update(String(renderedAt)).digest('base64url').slice(0, 22);
  return `${kind === 'step' ? 's' : ''}${renderedAt.toString(36)}.${mac}`;
}

function formAge(secret: string, token: unknown, now: number): { age: number; kind: FormKind } | null {
  if (typeof token !== 'string' || token.length > 64) return null;
  const kind: FormKind = token.startsWith('s') ? 'step' : 'form';
  const [ts] = token.slice(kind === 'step' ? 1 : 0).split('.');
  if (!/^[0-9a-z]{1,12}$/.test(ts ?? '')) return null;
  const renderedAt = parseInt(ts!, 36);
  if (!Number.isSafeInteger(renderedAt) || !safeEqual(formToken(secret, renderedAt, kind), token)) return null;
  return { age: now - renderedAt, kind };
}

/** Whether a form token shows a person filled the form: signed, not stale, and (for the landing form) not instant. */
function formTokenOk(t: { age: number; kind: FormKind } | null): boolean {
  if (!t || t.age < -5000 || t.age > FORM_MAX_MS) return false;
  return t.kind === 'step' || t.age >= FORM_MIN_MS;
}

/** Landing page, signup, confirmation and unsubscribe: the subscriber lifecycle over HTTP. */
export function registerPublicRoutes(app: Hono, ctx: AppContext, pages: PageCache = createPageCache(ctx)): void {
  const site = ctx.config.newsletterName;
  const sendTime = describeSendTime(ctx.config.digestCron, ctx.config.digestTimezone);
  const limiter = createSharedRateLimiter(ctx, 'signup', ctx.config.signupLimitPerMinute, 60_000);
  const ownOrigins = new Set([new URL(ctx.config.publicUrl).origin]);
  // Sites whose pages may carry the signup form (SIGNUP_ORIGINS): their form posts and JSON signups are welcome.
  const embedOrigins = new Set(ctx.config.signupOrigins);
  // Guessing tokens: an address that presents many bad links in a minute is turned away.
  const badTokens = createSharedRateLimiter(ctx, 'bad-token', BAD_TOKENS_PER_MINUTE, 60_000);

  const meta = (c: Context, page: string, detail?: string): ConsentMeta => ({
    ip: clientIp(c, ctx.config.trustProxy),
    userAgent: c.req.header('user-agent') ?? null,
    page,
    detail: detail ?? null,
  });

  /** Browser-only forms refuse a foreign Origin (cross-site form posts); no Origin at all is allowed. */
  const checkOrigin = (c: Context, allowEmbedding = false) => {
    const origin = c.req.header('origin');
    if (!origin || origin === 'null') return;
    if (ownOrigins.has(origin) || origin === new URL(c.req.url).origin) return;
    if (allowEmbedding && embedOrigins.has(origin)) return;
    throw new AppError(403, 'FORBIDDEN', 'Cross-site form submissions are not accepted.');
  };

  /** CORS for JSON signups from the sites in SIGNUP_ORIGINS (and only them). */
  const cors = (c: Context) => {
    const origin = c.req.header('origin');
    if (!origin || !embedOrigins.has(origin)) return false;
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    return true;
  };
  app.options('/subscribe', (c) => {
    if (!cors(c)) return c.body(null, 204);
    c.header('Access-Control-Allow-Methods', 'POST');
    c.header('Access-Control-Allow-Headers', 'Content-Type');
    c.header('Access-Control-Max-Age', '86400');
    return c.body(null, 204);
  });

  const landingHtml = async (token: string, extra: { values?: Body; errors?: Record<string, string> } = {}) => {
    const [sources, latest] = await Promise.all([activeSourceNames(ctx), listArchiveIssues(ctx, { limit: 5, offset: 0 })]);
    return html(
      LandingPage({
        siteName: site,
        sendTime,
        sources,
        latest,
        consentText: CONSENT_TEXT,
        formToken: token,
        values: { email: typeof extra.values?.email === 'string' ? extra.values.email.slice(0, 254) : '', name: typeof extra.values?.name === 'string' ? extra.values.name.slice(0, 100) : '' },
        errors: extra.errors,
        feedLinks: { atom: ctx.urls.issuesAtom(), json: ctx.urls.issuesJson() },
      }),
    );
  };
  const landing = async (c: Context, extra: { values?: Body; errors?: Record<string, string> } = {}, status: 200 | 400 = 200) =>
    c.html(await landingHtml(formToken(ctx.config.secretKey, ctx.clock.now()), extra), status);

  // The page is rendered once per change with a placeholder; each request only puts in a fresh form token.
  app.get('/', async (c) => {
    const page = await pages.page('/', async () => ({ body: await landingHtml(FORM_TOKEN_SLOT), type: 'text/html; charset=UTF-8' }));
    return pages.send(c, page, 'no-cache', { marker: FORM_TOKEN_SLOT, value: () => formToken(ctx.config.secretKey, ctx.clock.now()) });
  });

  const checkInbox = (c: Context) =>
    c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'Almost done',
          title: 'Check your inbox',
          children: [
            <p>If the address can receive {site}, a confirmation link is on its way. Click it to start your subscription.</p>,
            <p class="fine">Nothing there after a few minutes? Look in the spam folder, or sign up again in 10 minutes.</p>,
          ],
          secondary: { url: '/', label: '← Back to the front page' },
        }),
      ),
      200,
    );

  /**
   * The form arrived without a valid token (posted from another site, sent within FORM_MIN_MS by autofill and a
   * quick click, or from a page left open for a day): never a silent drop, but one more button to press.
   */
  const oneMoreStep = (c: Context, body: Body) => {
    const email = typeof body.email === 'string' ? body.email.trim().slice(0, 254) : '';
    const name = typeof body.name === 'string' ? body.name.trim().slice(0, 100) : '';
    return c.html(
      html(
        OneMoreStepPage({
          siteName: site,
          email,
          name,
          formToken: formToken(ctx.config.secretKey, ctx.clock.now(), 'step'),
          consentText: CONSENT_TEXT,
        }),
      ),
      200,
    );
  };

  app.post('/subscribe', async (c) => {
    const isJson = (c.req.header('content-type') ?? '').includes('application/json');
    if (isJson) cors(c);
    else checkOrigin(c, true);
    const ip = clientIp(c, ctx.config.trustProxy);
    if (!(await limiter.hit(ip))) {
      ctx.log.warn({ ip }, 'signup rate limit reached');
      throw new AppError(429, 'RATE_LIMITED', 'Too many signups from your network. Please try again in a minute.');
    }
    const body = await readBody(c);
    const ok = () => (isJson ? c.json({ ok: true, message: 'If the address can receive mail, a confirmation link is on its way.' }, 202) : checkInbox(c));

    if (typeof body.website === 'string' && body.website.trim() !== '') {
      ctx.log.info({ ip }, 'signup ignored: honeypot filled');
      return ok();
    }
    if (!isJson) {
      const token = formAge(ctx.config.secretKey, body.t, ctx.clock.now());
      if (!formTokenOk(token)) {
        ctx.log.info({ ip, age: token?.age ?? null }, 'signup form without a valid token: asking for one more step');
        return oneMoreStep(c, body);
      }
    }
    const result = await signup(ctx, { email: body.email, name: body.name }, meta(c, c.req.header('referer') ?? '/'));
    if (!result.ok) {
      if (isJson) throw new AppError(400, 'INVALID_EMAIL', result.fields.email ?? 'Invalid input.', result.fields);
      return landing(c, { values: body, errors: result.fields }, 400);
    }
    return ok();
  });

  const invalidLink = async (c: Context) => {
    if (!(await badTokens.hit(clientIp(c, ctx.config.trustProxy)))) throw new AppError(429, 'RATE_LIMITED', 'Too many invalid links. Please try again later.');
    return c.html(
      html(
        MessagePage({
          siteName: site,
          title: 'This link is not valid',
          children: <p>The link may be incomplete or no longer in use. You can sign up again on the front page.</p>,
          secondary: { url: '/#subscribe', label: 'Go to the signup form' },
        }),
      ),
      404,
    );
  };

  const expiredConfirm = (c: Context, token: string) =>
    c.html(
      html(
        MessagePage({
          siteName: site,
          title: 'This confirmation link has expired',
          children: <p>Confirmation links work for 7 days. Ask for a fresh one and confirm within a week.</p>,
          action: { url: `/confirm/${encodeURIComponent(token)}/resend`, label: 'Send me a new link' },
        }),
      ),
      410,
    );

  app.get('/confirm/:token', async (c) => {
    const token = c.req.param('token');
    const check = await checkConfirmToken(ctx, token);
    if (check.state === 'invalid') return invalidLink(c);
    if (check.state === 'expired') return expiredConfirm(c, token);
    if (check.subscriber.status === 'confirmed')
      return c.html(html(MessagePage({ siteName: site, title: "You're already subscribed", children: <p>Your subscription is active. The next issue arrives {sendTime}.</p>, secondary: { url: '/issues', label: 'Read the archive' } })));
    return c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'One last step',
          title: `Confirm your subscription to ${site}`,
          children: <p>Press the button to start receiving one email a day {sendTime}.</p>,
          action: { url: `/confirm/${encodeURIComponent(token)}`, label: 'Confirm subscription' },
        }),
      ),
    );
  });

  app.post('/confirm/:token', async (c) => {
    checkOrigin(c);
    const token = c.req.param('token');
    const outcome = await confirm(ctx, token, meta(c, `/confirm`));
    if (outcome === 'invalid') return invalidLink(c);
    if (outcome === 'expired') return expiredConfirm(c, token);
    return c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'Subscribed',
          title: "You're subscribed",
          children: [<p>Welcome aboard. A welcome email is on its way, and the next issue arrives {sendTime}.</p>],
          secondary: { url: '/issues', label: 'Read past issues in the archive →' },
        }),
      ),
    );
  });

  app.post('/confirm/:token/resend', async (c) => {
    checkOrigin(c);
    const check = await checkConfirmToken(ctx, c.req.param('token'));
    if (check.state === 'expired') await resendConfirmationFor(ctx, check.subscriberId, meta(c, '/confirm/resend'));
    else if (check.state === 'invalid') return invalidLink(c);
    return checkInbox(c);
  });

  // A test copy's unsubscribe link: not an error, and nothing to do.
  const testCopy = (c: Context) =>
    c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'Test copy',
          title: 'This was a test copy',
          children: <p>The unsubscribe link in a test copy does nothing. Every subscriber's own copy carries a link that unsubscribes them with one click.</p>,
          secondary: { url: '/', label: '← Back to the front page' },
        }),
      ),
      200,
    );

  app.get('/unsubscribe/:token', async (c) => {
    const token = c.req.param('token');
    if (token === TEST_COPY_TOKEN) return testCopy(c);
    const s = await checkUnsubscribeToken(ctx, token);
    if (!s) return invalidLink(c);
    // The footer's "Preferences" link: the same personal URL with ?preferences, on to the reader's preferences page.
    if (c.req.query('preferences') !== undefined && (s.status === 'confirmed' || s.status === 'pending')) {
      const { preferencesUrl } = await import('../subscribers/preferences.js');
      return c.redirect(new URL(preferencesUrl(ctx, s.id)).pathname, 303);
    }
    if (s.status === 'unsubscribed')
      return c.html(html(MessagePage({ siteName: site, title: "You're unsubscribed", children: <p>You will not receive {site} any more.</p>, secondary: { url: '/#subscribe', label: 'Changed your mind? Subscribe again' } })));
    return c.html(
      html(
        MessagePage({
          siteName: site,
          title: `Unsubscribe from ${site}?`,
          children: <p>Press the button and you will receive no more issues.</p>,
          action: { url: `/unsubscribe/${encodeURIComponent(token)}`, label: 'Unsubscribe', danger: true },
          secondary: { url: '/', label: 'Keep my subscription' },
        }),
      ),
    );
  });

  // Also RFC 8058 one-click: a provider POSTs `List-Unsubscribe=One-Click` with no cookie and no Origin.
  app.post('/unsubscribe/:token', async (c) => {
    const body = await readBody(c).catch(() => ({}) as Body);
    const oneClick = body['List-Unsubscribe'] === 'One-Click';
    if (c.req.param('token') === TEST_COPY_TOKEN) return oneClick ? c.text('Test copy: nobody to unsubscribe.', 200) : testCopy(c);
    const result = await unsubscribe(ctx, c.req.param('token'), meta(c, '/unsubscribe', oneClick ? 'one-click' : 'page'));
    if (!result) {
      if (!oneClick) return invalidLink(c);
      await invalidLink(c);
      return c.text('Unknown unsubscribe link.', 404);
    }
    if (oneClick) return c.text('Unsubscribed.', 200);
    return c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'Done',
          title: "You're unsubscribed",
          children: <p>You will receive no more issues of {site}. Sorry to see you go.</p>,
          secondary: { url: '/#subscribe', label: 'Unsubscribed by mistake? Subscribe again' },
        }),
      ),
    );
  });

  // Preferences: GET shows the form (a link scanner changes nothing), POST saves it. The footer of every issue
  // reaches this page through the reader's unsubscribe link with ?preferences.
  const prefsPage = async (c: Context, s: Subscriber, token: string, extra: { saved?: string; error?: string } = {}, status: 200 | 400 = 200) => {
    const now = ctx.clock.now();
    const paused =
      s.pausedUntil && s.pausedUntil > now
        ? new Date(s.pausedUntil).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: ctx.config.digestTimezone })
        : null;
    const { companiesOf } = await import('../subscribers/companies.js');
    return c.html(
      html(
        PreferencesPage({
          siteName: site,
          action: `/preferences/${encodeURIComponent(token)}`,
          email: s.email ?? '',
          pausedUntil: paused,
          textOnly: s.textOnly,
          frequency: s.frequency,
          weeklyWhen: describeSendTime(ctx.config.weeklyCron, ctx.config.digestTimezone),
          companies: await companyNames(),
          excluded: companiesOf(s.excludedCompanies),
          ...extra,
        }),
      ),
      status,
    );
  };
  // The companies a reader can leave out: the names the sources list shows.
  const companyNames = async () => (await import('../issues/repo.js')).followedSourceNames(ctx);
  const notSubscribed = (c: Context) =>
    c.html(html(MessagePage({ siteName: site, title: "You're not subscribed", children: <p>There are no preferences to set for an address that receives nothing.</p>, secondary: { url: '/#subscribe', label: 'Subscribe' } })));

  app.get('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const { checkPreferencesToken } = await import('../subscribers/preferences.js');
    const s = await checkPreferencesToken(ctx, token);
    if (!s) return invalidLink(c);
    if (s.status !== 'confirmed' && s.status !== 'pending') return notSubscribed(c);
    return prefsPage(c, s, token);
  });

  app.post('/preferences/:token', async (c) => {
    checkOrigin(c);
    const token = c.req.param('token');
    const { checkPreferencesToken, parsePreferences, savePreferences } = await import('../subscribers/preferences.js');
    const s = await checkPreferencesToken(ctx, token);
    if (!s) return invalidLink(c);
    if (s.status !== 'confirmed' && s.status !== 'pending') return notSubscribed(c);
    const form = await readBody(c).catch(() => ({}) as Body);
    let parsed: ReturnType<typeof parsePreferences>;
    try {
      parsed = parsePreferences(form, await companyNames());
    } catch (err) {
      if (err instanceof AppError) return prefsPage(c, s, token, { error: err.message }, 400);
      throw err;
    }
    const saved = await savePreferences(ctx, s, parsed, meta(c, '/preferences'));
    if (!saved) return notSubscribed(c);
    return prefsPage(c, saved, token, { saved: 'Saved. Your next issues follow these choices.' });
  });

  // "Email me my preferences link": the same answer for every address, and rate-limited, so it tells nobody who reads.
  const prefsLinks = createSharedRateLimiter(ctx, 'prefs-link', 5, 60_000);
  app.post('/preferences', async (c) => {
    checkOrigin(c);
    if (!(await prefsLinks.hit(clientIp(c, ctx.config.trustProxy)))) throw new AppError(429, 'RATE_LIMITED', 'Too many requests. Please try again in a minute.');
    const form = await readBody(c).catch(() => ({}) as Body);
    const { normalizeEmail } = await import('../subscribers/address.js');
    const e = normalizeEmail(form.email);
    if (e.ok) {
      const { mailPreferencesLink } = await import('../subscribers/preferences.js');
      await mailPreferencesLink(ctx, e.email);
    }
    return c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'Check your inbox',
          title: 'If that address is subscribed, a link is on its way',
          children: <p>The mail holds a link to your preferences: the weekly edition instead of the daily one, a pause of a few weeks, plain text, or companies to leave out.</p>,
          secondary: { url: '/', label: '← Back to the front page' },
        }),
      ),
    );
  });

  registerTrackingRoutes(app, ctx, { checkOrigin: (c) => checkOrigin(c), invalidLink });
}
