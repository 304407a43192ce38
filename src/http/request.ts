import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppContext } from '../context.js';
import { badRequest, AppError } from '../lib/errors.js';

/** A parsed request body: JSON object or form fields, always plain strings/values. */
export type Body = Record<string, unknown>;

/** The body as text; a body that cannot be read (cut off, over the limit while streaming) is a 400 saying so. */
async function bodyText(c: Context, message: string): Promise<string> {
  try {
    return await c.req.text();
  } catch {
    throw badRequest(message);
  }
}

/** Reads a JSON or form body into a plain object; malformed JSON → 400, other content types → 415. */
export async function readBody(c: Context): Promise<Body> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.includes('application/json')) {
    const text = await bodyText(c, 'The request body could not be read.');
    if (text.includes('\u0000')) throw badRequest('The request body contains a NUL byte.');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw badRequest('The request body is not valid JSON.');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('The request body must be a JSON object.');
    return value as Body;
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    // Read as text and split here: a fraction of the cost of building a FormData, on every signup and unsubscribe.
    const form: Body = {};
    // A repeated field (a group of checkboxes) becomes an array of its values.
    for (const [k, v] of new URLSearchParams(await bodyText(c, 'The form data could not be read.'))) {
      const had = form[k];
      form[k] = had === undefined ? v : Array.isArray(had) ? [...(had as string[]), v] : [had, v];
    }
    return form;
  }
  if (type.includes('multipart/form-data')) {
    try {
      const form = await c.req.parseBody({ all: true });
      return form as Body;
    } catch {
      throw badRequest('The form data could not be read.');
    }
  }
  if (!type) {
    const text = await c.req.text().catch(() => '');
    if (!text) return {};
  }
  throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (application/json) or a form.');
}

/** The client's address: the socket peer, or X-Forwarded-For's last hop when behind a trusted proxy. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for');
    if (xff) {
      const hops = xff.split(',').map((s) => s.trim()).filter(Boolean);
      if (hops.length) return hops[hops.length - 1]!;
    }
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * A fixed-window limit per key, counted in the database so every process behind one address shares it (three web
 * processes do not give an address three times the signups). Old windows are forgotten once per window.
 */
export function createSharedRateLimiter(ctx: Pick<AppContext, 'store' | 'clock'>, name: string, limit: number, windowMs: number) {
  let prunedAt = 0;
  return {
    /** Counts a hit; false when the key is over its limit for the current window. */
    async hit(key: string): Promise<boolean> {
      const now = ctx.clock.now();
      if (now - prunedAt >= windowMs) {
        prunedAt = now;
        void ctx.store.jobs.pruneRateLimits(now - 2 * windowMs).catch(() => {});
      }
      return (await ctx.store.jobs.hitRateLimit(`${name}:${key}`, windowMs, now)) <= limit;
    },
  };
}
