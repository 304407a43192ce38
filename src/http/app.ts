import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
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
import { registerArchiveRoutes } from './archive.js';
import { registerWebhooks } from './webhooks.js';
import { errorHandler } from './errors.js';
import { faviconSvg } from './pages/brand.js';
import { SITE_CSS } from './pages/site.css.js';
import { createPageCache, isPrebuilt } from './page-cache.js';
import { registerPublicRoutes } from './public.js';
import { redirectFastPath } from './tracking.js';

/** Public request bodies are small forms; admin JSON and forms stay under a megabyte; only CSV imports are larger. */
export const PUBLIC_BODY_LIMIT = 64 * 1024;
export const ADMIN_BODY_LIMIT = 1024 * 1024;
export const IMPORT_BODY_LIMIT = 25 * 1024 * 1024;
const IMPORT_PATHS = new Set(['/api/admin/subscribers/import', '/admin/subscribers/import']);
const tooLarge = () => {
  throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
};

/** The headers a hono middleware sets, read once by running it on an empty request. */
async function securityHeaders(mw: MiddlewareHandler): Promise<[string, string][]> {
  const probe = new Hono();
  probe.use('*', mw);
  probe.get('/', (c) => c.body(''));
  const res = await probe.fetch(new Request('http://localhost/'));
  return [...res.headers].filter(([k]) => k !== 'content-type');
}

/** A request handler tried before the router: answers what it can from cached bytes, else returns false. */
export type FastPath = ((req: IncomingMessage, res: ServerResponse) => boolean) & { hits(): number };
const fastPaths = new WeakMap<Hono, FastPath>();
/** The app's fast path for cached public pages, if it has one (the server puts it in front of the router). */
export const fastPathOf = (app: Hono): FastPath | undefined => fastPaths.get(app);

/** Builds the whole HTTP app on a context; no listening, so tests call app.request directly. */
export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  app.onError(errorHandler(ctx.log, ctx.store));
  app.notFound(notFoundPage);

  if (ctx.log.isLevelEnabled('debug'))
    app.use('*', async (c, next) => {
      const start = performance.now();
      await next();
      ctx.log.debug({ method: c.req.method, path: redactPath(c.req.path), status: c.res.status, ms: Math.round(performance.now() - start) }, 'request');
    });
  // The security headers are worked out once. A cached page is built with them already (plain headers: the server's
  // fast path); every other response gets them added after its handler, unless the handler set its own.
  const security = securityHeaders(
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
  app.use('*', async (c, next) => {
    await next();
    if (isPrebuilt(c.res)) return;
    const h = c.res.headers;
    for (const [k, v] of await security) if (!h.has(k)) h.set(k, v);
  });
  const limits = {
    public: bodyLimit({ maxSize: PUBLIC_BODY_LIMIT, onError: tooLarge }),
    admin: bodyLimit({ maxSize: ADMIN_BODY_LIMIT, onError: tooLarge }),
    import: bodyLimit({ maxSize: IMPORT_BODY_LIMIT, onError: tooLarge }),
  };
  // Checked while the body streams in, before anything parses it: a 100 MB post is cut at its limit.
  app.use('*', async (c, next) => {
    // A GET or HEAD has no body to limit; looking for one would build the full Request for every page view.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const path = c.req.path;
    if (IMPORT_PATHS.has(path)) return limits.import(c, next);
    if (path.startsWith('/api/admin/') || path === '/admin' || path.startsWith('/admin/') || path.startsWith('/webhooks/')) return limits.admin(c, next);
    return limits.public(c, next);
  });
  app.use('/api/admin/*', requireAdminToken(ctx.config.adminToken));

  const favicon = faviconSvg(ctx.config.newsletterName);
  for (const path of ['/favicon.svg', '/favicon.ico'])
    app.get(path, (c) => {
      c.header('Cache-Control', 'public, max-age=86400');
      return c.body(favicon, 200, { 'Content-Type': 'image/svg+xml' });
    });
  app.get('/assets/site.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(SITE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  // Healthy only when the database answers and can take writes: a full disk is degraded, not ok.
  app.get('/healthz', async (c) => {
    const db = ctx.store.backend;
    const h = await ctx.store.health().catch(() => ({ ok: false as const, reason: 'the database does not answer' }));
    return h.ok ? c.json({ ok: true, db }) : c.json({ ok: false, db, reason: h.reason }, 503);
  });

  // Landing, archive and feeds are rendered once per change and served with an ETag.
  const pages = createPageCache(ctx, security);
  // With request logging on (debug), every request goes through the router so that each one is logged.
  if (!ctx.log.isLevelEnabled('debug'))
    fastPaths.set(
      app,
      Object.assign((req: IncomingMessage, res: ServerResponse) => redirectFastPath(ctx)?.(req, res) || pages.serveFast(req, res), { hits: pages.fastHits }),
    );
  registerPublicRoutes(app, ctx, pages);
  registerAdminSubscriberApi(app, ctx);
  registerAdminFeedsApi(app, ctx);
  // Feature route modules register here (feeds, issues, deliveries, admin console).
  registerAdminDeliveriesApi(app, ctx);
  registerAdminIssuesApi(app, ctx);
  registerArchiveRoutes(app, ctx, pages);
  registerWebhooks(app, ctx);
  registerLazyConsole(app, ctx);
  return app;
}

const notFoundPage = (c: Context): never => {
  throw new AppError(404, 'NOT_FOUND', c.req.path.startsWith('/api/') ? 'No such endpoint.' : 'There is no page at this address.');
};

/**
 * The operator console is loaded by its first request: its pages are a large part of a web process's memory, and
 * most web processes never serve one. Its requests go on to it whole (headers, body, the connection's address).
 */
function registerLazyConsole(app: Hono, ctx: AppContext): void {
  let loaded: Promise<Hono> | undefined;
  const load = () =>
    (loaded ??= import('./console/index.js').then(({ registerConsole }) => {
      const sub = new Hono();
      sub.onError(errorHandler(ctx.log, ctx.store));
      sub.notFound(notFoundPage);
      registerConsole(sub, ctx);
      return sub;
    }));
  const forward = async (c: Context) => (await load()).fetch(c.req.raw, c.env);
  app.all('/admin', forward);
  app.all('/admin/*', forward);
}
