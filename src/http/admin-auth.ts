import { safeEqual } from '../lib/mac.js';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../lib/errors.js';

/** Constant-time comparison of two secrets of any length (hashed first so lengths do not leak). */
export { safeEqual };

/** Requires `Authorization: Bearer $ADMIN_TOKEN`; anything else is a 401 with no detail. */
export function requireAdminToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer (.+)$/.exec(header);
    if (!m || !safeEqual(m[1]!, token)) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new AppError(401, 'UNAUTHORIZED', 'A valid admin token is required.');
    }
    await next();
  };
}
