import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext } from '../../context.js';
import { AppError } from '../../lib/errors.js';
import type { PageCtx } from './layout.js';
import { isSessionRevoked, revokeSession } from './repo.js';
import { checkCsrf, csrfToken, verifySession, type ConsoleSession, type SessionKeys } from './session.js';

/** Hono variables the console's middleware hands to its pages. */
export type ConsoleEnv = { Variables: { session: ConsoleSession; page: PageCtx; mailFrame: boolean } };

/** The console's policy: no inline script or style, nothing framing it, nothing leaking out. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** The policy of a mail shown inside the console's sandboxed frame: its own inline styles and images, no script. */
export const MAIL_FRAME_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data: cid:; font-src https:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox";

const LOCKED = ['content-security-policy', 'x-frame-options', 'referrer-policy', 'cache-control'];

/**
 * Sets the console's headers and keeps them: app.ts applies the public secure headers to every response
 * after the routes run, and those would otherwise replace these stricter ones.
 */
export function consoleHeaders(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    const framed = c.get('mailFrame') === true;
    h.set('Content-Security-Policy', framed ? MAIL_FRAME_CSP : CONSOLE_CSP);
    if (framed) h.delete('X-Frame-Options');
    else h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'no-referrer');
    if (!c.req.path.startsWith('/admin/assets/')) h.set('Cache-Control', 'no-store');
    h.set('X-Robots-Tag', 'noindex, nofollow');
    const set = h.set.bind(h);
    const del = h.delete.bind(h);
    Object.defineProperties(h, {
      set: { value: (name: string, value: string) => (LOCKED.includes(name.toLowerCase()) ? undefined : set(name, value)) },
      delete: { value: (name: string) => (LOCKED.includes(name.toLowerCase()) ? undefined : del(name)) },
    });
  };
}

/** Marks a response as a mail shown in the preview frame (its own CSP, frameable by the console only). */
export function markMailFrame(c: Context<ConsoleEnv>): void {
  c.set('mailFrame', true);
}

/** Form posts are small; the CSV import is the one large body. */
export function consoleBodyLimit(): MiddlewareHandler {
  const small = bodyLimit({ maxSize: 256 * 1024, onError: () => tooLarge() });
  const large = bodyLimit({ maxSize: 25 * 1024 * 1024, onError: () => tooLarge() });
  return (c, next) => (c.req.path === '/admin/subscribers/import' ? large(c, next) : small(c, next));
}

function tooLarge(): never {
  throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
}

/** The session cookie's name: host-only and Secure-bound when the console is served over https. */
export function cookieName(ctx: AppContext): string {
  return isHttps(ctx) ? '__Host-nd_console' : 'nd_console';
}

function isHttps(ctx: AppContext): boolean {
  return ctx.config.publicUrl.startsWith('https:');
}

/** Keys the session MACs with SECRET_KEY and ADMIN_TOKEN. */
export function sessionKeys(ctx: AppContext): SessionKeys {
  return { secretKey: ctx.config.secretKey, adminToken: ctx.config.adminToken };
}

/** Writes the session cookie (HttpOnly, SameSite=Strict, Secure on https, expiring with the session). */
export function writeSessionCookie(c: Context, ctx: AppContext, value: string, session: ConsoleSession): void {
  setCookie(c, cookieName(ctx), value, {
    path: '/',
    httpOnly: true,
    secure: isHttps(ctx),
    sameSite: 'Strict',
    expires: new Date(session.expiresAt),
    maxAge: Math.floor((session.expiresAt - ctx.clock.now()) / 1000),
  });
}

/** Removes the session cookie from the browser. */
export function clearSessionCookie(c: Context, ctx: AppContext): void {
  deleteCookie(c, cookieName(ctx), { path: '/', secure: isHttps(ctx), httpOnly: true, sameSite: 'Strict' });
}

/** A request that came from another site (by Origin or Sec-Fetch-Site) is never allowed to change anything. */
export function crossSite(c: Context, ctx: AppContext): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = c.req.header('origin');
  // Under Referrer-Policy no-referrer browsers send "Origin: null" on their own form posts.
  if (!origin || origin === 'null') return false;
  const own = new Set([new URL(c.req.url).origin, new URL(ctx.config.publicUrl).origin]);
  return !own.has(origin);
}

/** Sessions signed out before they expired, kept in the database until their own expiry (a restart keeps them out). */
export function createRevocationList(ctx: AppContext) {
  return {
    revoke: (s: ConsoleSession) => revokeSession(ctx, s.id, s.expiresAt, ctx.clock.now()),
    has: (id: string) => isSessionRevoked(ctx, id),
  };
}

const PUBLIC_PATHS = new Set(['/admin/login']);

/**
 * Requires a valid session on every console route but the sign-in page and assets; every state-changing
 * request also needs the session's CSRF token and must not come from another site. Refusals change nothing.
 */
export function requireSession(ctx: AppContext, revoked: ReturnType<typeof createRevocationList>): MiddlewareHandler<ConsoleEnv> {
  const keys = sessionKeys(ctx);
  return async (c, next) => {
    const path = c.req.path.replace(/\/+$/, '') || '/';
    if (PUBLIC_PATHS.has(path) || path.startsWith('/admin/assets/')) return next();
    const now = ctx.clock.now();
    const session = verifySession(keys, getCookie(c, cookieName(ctx)), now);
    const valid = session && !(await revoked.has(session.id)) ? session : null;
    const method = c.req.method;
    const safe = method === 'GET' || method === 'HEAD';
    if (!valid) {
      if (safe && !path.endsWith('.json')) {
        const next = path === '/admin' ? '' : `?next=${encodeURIComponent(path + (new URL(c.req.url).search || ''))}`;
        return c.redirect(`/admin/login${next}`, 303);
      }
      if (safe) throw new AppError(401, 'UNAUTHORIZED', 'Sign in to the console first.');
      throw new AppError(403, 'SESSION_REQUIRED', 'Your console session has ended. Sign in again, then repeat the action.');
    }
    if (!safe) {
      if (crossSite(c, ctx)) throw new AppError(403, 'CROSS_SITE', 'This form was sent from another site and was refused.');
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      let given: unknown;
      if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        given = (form as Record<string, unknown>)._csrf;
      } else {
        given = c.req.header('x-csrf-token');
      }
      if (!checkCsrf(keys, valid, given))
        throw new AppError(403, 'CSRF', 'The form had expired or did not come from this console. Reload the page and try again.');
    }
    c.set('session', valid);
    c.set('page', {
      siteName: ctx.config.newsletterName,
      csrf: csrfToken(keys, valid),
      showOutbox: ctx.mailer.kind === 'outbox',
      tz: ctx.config.digestTimezone,
      now,
    });
    await next();
  };
}

/** A same-console path to return to after sign-in; anything else falls back to /admin. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return '/admin';
  if (!/^\/admin(\/[\w\-./?=&%]*)?$/.test(next) || next.includes('//') || next.includes('..') || next.includes('\\') || next.startsWith('/admin/login')) return '/admin';
  return next;
}
