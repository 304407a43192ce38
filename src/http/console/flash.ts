import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Flash } from './layout.js';

const NAME = 'nd_flash';

/** Leaves a one-line message for the page the browser is redirected to (post → redirect → get). */
export function setFlash(c: Context, kind: Flash['kind'], text: string): void {
  const value = Buffer.from(JSON.stringify({ kind, text: text.slice(0, 500) })).toString('base64url');
  setCookie(c, NAME, value, { path: '/admin', httpOnly: true, sameSite: 'Strict', maxAge: 120 });
}

/** Reads and clears the pending message, if any. */
export function takeFlash(c: Context): Flash | null {
  const raw = getCookie(c, NAME);
  if (!raw) return null;
  deleteCookie(c, NAME, { path: '/admin' });
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Flash>;
    if ((v.kind === 'ok' || v.kind === 'error' || v.kind === 'warn') && typeof v.text === 'string') return { kind: v.kind, text: v.text };
  } catch {
    // A mangled cookie is simply no message.
  }
  return null;
}

/** Redirects after a form post with a message for the next page. */
export function redirectWith(c: Context, to: string, kind: Flash['kind'], text: string): Response {
  setFlash(c, kind, text);
  return c.redirect(to, 303);
}
