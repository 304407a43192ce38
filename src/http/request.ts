import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { badRequest, AppError } from '../lib/errors.js';

/** A parsed request body: JSON object or form fields, always plain strings/values. */
export type Body = Record<string, unknown>;

/** Reads a JSON or form body into a plain object; malformed JSON → 400, other content types → 415. */
export async function readBody(c: Context): Promise<Body> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.includes('application/json')) {
    let text: string;
    try {
      text = await c.req.text();
    } catch {
      throw badRequest('The request body could not be read.');
    }
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
  if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
    try {
      const form = await c.req.parseBody();
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

/** A fixed-window counter per key, in memory: enough for one process guarding signups and sign-ins. */
export function createRateLimiter(limit: number, windowMs: number, now: () => number = Date.now) {
  const hits = new Map<string, { start: number; count: number }>();
  return {
    /** Counts a hit; false when the key is over its limit for the current window. */
    hit(key: string): boolean {
      const t = now();
      let e = hits.get(key);
      if (!e || t - e.start >= windowMs) {
        e = { start: t, count: 0 };
        hits.set(key, e);
        if (hits.size > 50_000) for (const [k, v] of hits) if (t - v.start >= windowMs) hits.delete(k);
      }
      e.count++;
      return e.count <= limit;
    },
  };
}
