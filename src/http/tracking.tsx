/** @jsxImportSource hono/jsx */
// GET /r/:token redirects a tracked article link to its stored URL (302) and records the click; GET /v/:token asks
// "more / less like this" on a confirm page whose POST records the vote. Nothing here ever redirects to a URL taken
// from the request, and a scanner that follows every link of a mail changes no vote.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Hono } from 'hono';
import type { AppContext } from '../context.js';
import { createTracker } from '../feedback/clicks.js';
import { AppError } from '../lib/errors.js';
import { MessagePage } from './pages/public.js';
import { clientIp, createSharedRateLimiter, readBody, type Body } from './request.js';

/** Redirects one address may ask for in a window before it gets 429: far above any reader, far below a flood. */
export const REDIRECTS_PER_WINDOW = 60;
const REDIRECT_WINDOW_MS = 10_000;

const html = (node: unknown) => '<!doctype html>' + String(node);

/**
 * A per-process fixed-window counter by key: the redirect's flood guard costs no database write and, after a send,
 * no allocation per reader's address. Keys share 2^20 counters by hash; two addresses in one counter would need
 * `limit` redirects between them in one window to be held back, far beyond what a burst of readers makes.
 */
function windowCounter(limit: number, windowMs: number) {
  const counts = new Uint8Array(1 << 20);
  let windowStart = 0;
  return (key: string, now: number): boolean => {
    if (now - windowStart >= windowMs) {
      windowStart = now;
      counts.fill(0);
    }
    // FNV-1a over the key's characters.
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const slot = (h >>> 0) & 0xfffff;
    if (counts[slot]! >= limit) return false;
    counts[slot]!++;
    return true;
  };
}

/** What the tracking routes borrow from the public routes: the origin check and the invalid-link page. */
export interface TrackingHelpers {
  checkOrigin(c: Context): void;
  invalidLink(c: Context): Promise<Response>;
}

/** The last X-Forwarded-For hop behind a trusted proxy, else the socket's peer (as clientIp does for the router). */
function rawClientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',').map((x) => x.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1]!;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

const fastPaths = new WeakMap<AppContext, (req: IncomingMessage, res: ServerResponse) => boolean>();
const flushers = new WeakMap<AppContext, () => Promise<void>>();

/** Writes the clicks the redirect still holds in memory (at shutdown, once the server stopped taking requests). */
export async function flushClicks(ctx: AppContext): Promise<void> {
  await flushers.get(ctx)?.();
}

/**
 * The redirect without the router, for the server to try first: a verified token whose link is in memory is
 * answered at once and its click written in the next batch. Anything else (an unknown link, a bad token, a flood)
 * returns false and goes through the router, which answers it the same way as before.
 */
export function redirectFastPath(ctx: AppContext): ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined {
  return fastPaths.get(ctx);
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
/** The redirect's headers besides Location, as the flat list node writes fastest. */
const REDIRECT_HEADERS = ['Cache-Control', 'no-store', 'Referrer-Policy', 'no-referrer', 'X-Content-Type-Options', 'nosniff', 'Content-Length', '0'];

export function registerTrackingRoutes(app: Hono, ctx: AppContext, h: TrackingHelpers): void {
  const site = ctx.config.newsletterName;
  const tracker = createTracker(ctx);
  flushers.set(ctx, () => tracker.flush());
  const allow = windowCounter(REDIRECTS_PER_WINDOW, REDIRECT_WINDOW_MS);
  fastPaths.set(ctx, (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith('/r/') || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const q = url.indexOf('?');
    // Tokens are URL-safe as built; only a client's own escaping needs decoding.
    let token = url.slice(3, q < 0 ? undefined : q);
    if (token.includes('%')) {
      try {
        token = decodeURIComponent(token);
      } catch {
        return false;
      }
    }
    const r = tracker.resolveCached(token);
    if (!r) return false;
    const ip = rawClientIp(req, ctx.config.trustProxy);
    if (!allow(ip, ctx.clock.now())) return false;
    const hd = req.headers;
    tracker.clickSoon(r, { method: req.method, userAgent: first(hd['user-agent']), purpose: first(hd['sec-purpose'] ?? hd['purpose'] ?? hd['x-purpose'] ?? hd['x-moz']), client: ip });
    res.writeHead(302, ['Location', r.link.url, ...REDIRECT_HEADERS]);
    res.end();
    return true;
  });
  const votes = createSharedRateLimiter(ctx, 'vote', 30, 60_000);

  const redirect = async (c: Context) => {
    const ip = clientIp(c, ctx.config.trustProxy);
    if (!allow(ip, ctx.clock.now())) throw new AppError(429, 'RATE_LIMITED', 'Too many requests. Please try again in a minute.');
    const r = await tracker.resolve(c.req.param('token') ?? '');
    if (!r) return h.invalidLink(c);
    const purpose = c.req.header('sec-purpose') ?? c.req.header('purpose') ?? c.req.header('x-purpose') ?? c.req.header('x-moz');
    await tracker.click(r, { method: c.req.method, userAgent: c.req.header('user-agent'), purpose, client: ip });
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(r.link.url, 302);
  };
  app.get('/r/:token', redirect);
  app.on('HEAD', '/r/:token', redirect);

  const voteValue = (raw: unknown): 1 | -1 | null => (raw === 'more' ? 1 : raw === 'less' ? -1 : null);

  app.get('/v/:token', async (c) => {
    const token = c.req.param('token');
    const r = await tracker.resolve(token);
    if (!r) return h.invalidLink(c);
    const q = c.req.query();
    const value = 'less' in q ? 'less' : 'more';
    const { getIssueArticles } = await import('../issues/repo.js');
    const article = (await getIssueArticles(ctx, r.link.issueId)).find((a) => a.id === r.link.articleId);
    const title = article?.title ?? 'this story';
    return c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'Your feedback',
          title: value === 'more' ? 'More stories like this one?' : 'Fewer stories like this one?',
          children: (
            <p>
              “{title}”{article ? ` (${article.sourceName})` : ''}. Your answer helps choose what the next issues lead with.
            </p>
          ),
          action: { url: `/v/${encodeURIComponent(token)}`, label: value === 'more' ? 'Yes, more like this' : 'Yes, less like this', fields: { value } },
          secondary: { url: r.link.url, label: 'Read the story instead' },
        }),
      ),
    );
  });

  app.post('/v/:token', async (c) => {
    h.checkOrigin(c);
    const ip = clientIp(c, ctx.config.trustProxy);
    if (!(await votes.hit(ip))) throw new AppError(429, 'RATE_LIMITED', 'Too many requests. Please try again in a minute.');
    const r = await tracker.resolve(c.req.param('token'));
    if (!r) return h.invalidLink(c);
    const form = await readBody(c).catch(() => ({}) as Body);
    const value = voteValue(form.value);
    if (value === null) throw new AppError(400, 'BAD_REQUEST', 'Say "more" or "less".', { value: 'more or less' });
    const counted = await tracker.vote(r, value, ip);
    return c.html(
      html(
        MessagePage({
          siteName: site,
          eyebrow: 'Thank you',
          title: counted ? 'Noted' : 'Thanks for reading',
          children: <p>{counted ? (value === 1 ? 'You will see more stories like this one.' : 'You will see fewer stories like this one.') : 'This copy does not collect feedback.'}</p>,
          secondary: { url: r.link.url, label: 'Read the story' },
        }),
      ),
    );
  });
}
