/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import { safeEqual } from '../admin-auth.js';
import { errorHandler, wantsJson } from '../errors.js';
import { clientIp, createSharedRateLimiter } from '../request.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import { CHART_CSS } from './charts.js';
import {
  clearSessionCookie,
  cookieName,
  consoleBodyLimit,
  consoleHeaders,
  createRevocationList,
  crossSite,
  requireSession,
  safeNext,
  sessionKeys,
  writeSessionCookie,
  type ConsoleEnv,
} from './guard.js';
import { ConsoleErrorPage, SignInPage, doc } from './layout.js';
import { registerIssuePages } from './issues.js';
import { registerDeliverabilityPage } from './deliverability.js';
import { registerReadersPage } from './readers.js';
import { registerOutboxPages } from './outbox.js';
import { registerSourcePages } from './sources.js';
import { registerSubscriberPages } from './subscribers.js';
import { registerTodayPage } from './today.js';
import { createSession, verifySession } from './session.js';

/** Failed sign-ins allowed per client address in one window before it must wait. */
export const SIGNIN_FAILURES_PER_WINDOW = 5;
/** The sign-in rate-limit window. */
export const SIGNIN_WINDOW_MS = 15 * 60 * 1000;

const ERROR_TITLES: Record<number, string> = {
  400: 'That did not work',
  401: 'Sign-in needed',
  403: 'Refused',
  404: 'Not found',
  409: 'Not possible right now',
  413: 'Too much data',
  415: 'Unsupported request',
  429: 'Too many attempts',
  503: 'Busy right now',
};

/** Every failed sign-in answers after this long, so guessing from one connection is slow. */
export const SIGNIN_FAILURE_DELAY_MS = 250;

/** The operator's console: every /admin page, its sign-in, session and CSRF protection. */
export function registerConsole(app: Hono, ctx: AppContext): void {
  const admin = new Hono<ConsoleEnv>();
  const revoked = createRevocationList(ctx);
  const now = () => ctx.clock.now();
  // Failed sign-ins per client address. No global cap: anyone could then lock the operator out, and a
  // 192-bit token is beyond guessing at five tries per address and window anyway.
  const failures = createSharedRateLimiter(ctx, 'signin', SIGNIN_FAILURES_PER_WINDOW, SIGNIN_WINDOW_MS);
  const blockedUntil = new Map<string, number>();
  const fallback = errorHandler(ctx.log, ctx.store);

  admin.onError((err, c) => {
    if (wantsJson(c) || c.req.path.endsWith('.json')) return fallback(err, c);
    let status: number;
    let message: string;
    if (err instanceof AppError) {
      status = err.status;
      message = err.message;
    } else if (err instanceof HTTPException && err.status < 500) {
      status = err.status;
      message = status === 413 ? 'The request body is too large.' : 'The request could not be processed.';
    } else {
      // Unknown errors are logged by the shared handler; only its generic message is shown.
      const res = fallback(err, c);
      status = res.status;
      message = 'Something went wrong on our side. The details are in the server log.';
    }
    if (status === 429) c.header('Retry-After', String(Math.ceil(SIGNIN_WINDOW_MS / 1000)));
    const title = ERROR_TITLES[status] ?? 'Error';
    return c.html(doc(<ConsoleErrorPage siteName={ctx.config.newsletterName} status={status} title={title} message={message} />), status as 400);
  });

  admin.use('*', consoleHeaders());
  admin.use('*', consoleBodyLimit());
  admin.use('*', requireSession(ctx, revoked));

  admin.get('/assets/console.css', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.body(CONSOLE_CSS + CHART_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  admin.get('/assets/console.js', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.body(CONSOLE_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });

  const signInPage = (c: Context, opts: { next?: string; error?: string; status?: string }, code: 200 | 401 | 429 = 200) =>
    c.html(doc(<SignInPage siteName={ctx.config.newsletterName} next={safeNext(opts.next)} error={opts.error} status={opts.status} />), code);

  admin.get('/login', async (c) => {
    // Already signed in: go where the link meant to go.
    const current = verifySession(sessionKeys(ctx), getCookie(c, cookieName(ctx)), now());
    if (current && !(await revoked.has(current.id))) return c.redirect(safeNext(c.req.query('next')), 303);
    return signInPage(c, { next: c.req.query('next'), status: c.req.query('out') === '1' ? 'You are signed out.' : undefined });
  });

  admin.post('/login', async (c) => {
    if (crossSite(c, ctx)) throw new AppError(403, 'CROSS_SITE', 'This form was sent from another site and was refused.');
    const ip = clientIp(c, ctx.config.trustProxy);
    const t = now();
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form.token === 'string' ? form.token : '';
    const next = typeof form.next === 'string' ? form.next : undefined;
    // The right token always signs in: failures from an address (or from everyone behind one proxy) slow and
    // then refuse wrong guesses, but can never lock the operator out.
    if (!token || !safeEqual(token, ctx.config.adminToken)) {
      await new Promise((r) => setTimeout(r, SIGNIN_FAILURE_DELAY_MS));
      if ((blockedUntil.get(ip) ?? 0) > t) throw new AppError(429, 'TOO_MANY_SIGNINS', 'Too many failed sign-ins. Wait a few minutes, then try again.');
      const allowed = await failures.hit(ip);
      if (!allowed) blockedUntil.set(ip, t + SIGNIN_WINDOW_MS);
      if (blockedUntil.size > 10_000) for (const [k, v] of blockedUntil) if (v <= t) blockedUntil.delete(k);
      ctx.log.warn({ ip }, 'console sign-in failed');
      if (!allowed) throw new AppError(429, 'TOO_MANY_SIGNINS', 'Too many failed sign-ins. Wait a few minutes, then try again.');
      return signInPage(c, { next, error: 'That is not the admin token.' }, 401);
    }
    const { cookie, session } = createSession(sessionKeys(ctx), t);
    writeSessionCookie(c, ctx, cookie, session);
    ctx.log.info({ ip }, 'console sign-in');
    return c.redirect(safeNext(next), 303);
  });

  admin.post('/logout', async (c) => {
    await revoked.revoke(c.get('session'));
    clearSessionCookie(c, ctx);
    return c.redirect('/admin/login?out=1', 303);
  });

  registerTodayPage(admin, ctx);
  registerIssuePages(admin, ctx);
  registerSubscriberPages(admin, ctx);
  registerSourcePages(admin, ctx);
  registerOutboxPages(admin, ctx);
  registerDeliverabilityPage(admin, ctx);
  registerReadersPage(admin, ctx);
  admin.all('*', (c) => {
    // "/admin/issues/" and "/admin//issues" are typing slips for a page that exists.
    const tidy = c.req.path.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
    if (c.req.method === 'GET' && tidy !== c.req.path) return c.redirect(tidy + (new URL(c.req.url).search || ''), 301);
    throw new AppError(404, 'NOT_FOUND', 'There is no console page at this address.');
  });

  app.route('/admin', admin);
}
