import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { AppContext } from '../context.js';
import { AppError } from '../lib/errors.js';
import { redactPath } from '../lib/log.js';
import { requireAdminToken } from './admin-auth.js';
import { registerAdminDeliveriesApi } from './admin-deliveries.js';
import { registerAdminFeedsApi } from './admin-feeds.js';
import { registerAdminIssuesApi } from './admin-issues.js';
import { registerAdminSubscriberApi } from './admin-subscribers.js';
import { registerConsole } from './console/index.js';
import { registerArchiveRoutes } from './archive.js';
import { errorHandler } from './errors.js';
import { SITE_CSS } from './pages/site.css.js';
import { registerPublicRoutes } from './public.js';

/** Public request bodies are small forms; the admin API takes CSV imports. */
export const PUBLIC_BODY_LIMIT = 64 * 1024;
export const ADMIN_BODY_LIMIT = 25 * 1024 * 1024;

const tooLarge = () => {
  throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
};

/** Builds the whole HTTP app on a context; no listening, so tests call app.request directly. */
export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  app.onError(errorHandler(ctx.log));
  app.notFound((c) => {
    throw new AppError(404, 'NOT_FOUND', c.req.path.startsWith('/api/') ? 'No such endpoint.' : 'There is no page at this address.');
  });

  app.use('*', async (c, next) => {
    const start = performance.now();
    await next();
    ctx.log.debug({ method: c.req.method, path: redactPath(c.req.path), status: c.res.status, ms: Math.round(performance.now() - start) }, 'request');
  });
  app.use(
    '*',
    secureHeaders({
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        frameSrc: ["'self'"],
        frameAncestors: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    }),
  );
  app.use('/api/admin/*', bodyLimit({ maxSize: ADMIN_BODY_LIMIT, onError: tooLarge }));
  app.use('/api/admin/*', requireAdminToken(ctx.config.adminToken));
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/api/admin/') || c.req.path.startsWith('/admin')) return next();
    return bodyLimit({ maxSize: PUBLIC_BODY_LIMIT, onError: tooLarge })(c, next);
  });

  app.get('/assets/site.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(SITE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get('/healthz', (c) => {
    try {
      ctx.sqlite.prepare('SELECT 1').get();
      return c.json({ ok: true });
    } catch {
      return c.json({ ok: false }, 503);
    }
  });

  registerPublicRoutes(app, ctx);
  registerAdminSubscriberApi(app, ctx);
  registerAdminFeedsApi(app, ctx);
  // Feature route modules register here (feeds, issues, deliveries, admin console).
  registerAdminDeliveriesApi(app, ctx);
  registerAdminIssuesApi(app, ctx);
  registerArchiveRoutes(app, ctx);
  registerConsole(app, ctx);
  return app;
}
