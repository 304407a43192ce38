// Public pages rendered once per change of what they show (a new or edited issue, a source change), with an ETag
// so browsers and proxies revalidate cheaply. Every process asks the store at most once a second whether anything
// changed, so a page published by another instance shows within a second.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { AppContext } from '../context.js';

/** A rendered page: its body, content type and the headers it is served with. */
export interface CachedPage {
  body: string;
  type: string;
  etag: string;
  /** Every header it is served with but Cache-Control, as a plain object (the server's fast path). */
  headers: Record<string, string>;
}

/** Responses built here with every header already: the app's header middleware leaves them alone. */
const prebuilt = new WeakSet<Response>();
/** Whether a response was built by sendPage (its security headers are in it already). */
export const isPrebuilt = (res: Response): boolean => prebuilt.has(res);

/** How long a process trusts the public version it read before it asks again. */
export const VERSION_TTL_MS = 1000;
const MAX_PAGES = 500;

/** A part of a cached page filled per request (the landing page's form token). */
export interface PageSlot {
  marker: string;
  value: () => string;
}

/** A URL served from the cache without the router: the page, its headers as one flat list, its body as bytes. */
interface FastRoute {
  page: CachedPage & { version: string };
  headers: string[];
  body: Buffer | [Buffer, Buffer];
  slot?: PageSlot;
}
const MAX_FAST_ROUTES = 200;

/** Builds the cache of one app; `serve` answers a request from it, rendering only when stale. */
export function createPageCache(ctx: Pick<AppContext, 'store'>, security: Promise<[string, string][]> = Promise.resolve([]), now: () => number = Date.now) {
  let version = '';
  let versionAt = -Infinity;
  let pending: Promise<string> | null = null;
  const pages = new Map<string, CachedPage & { version: string }>();
  const fast = new Map<string, FastRoute>();
  let fastHits = 0;

  async function currentVersion(): Promise<string> {
    if (now() - versionAt < VERSION_TTL_MS) return version;
    pending ??= ctx.store.issues
      .publicVersion()
      .then((v) => {
        if (v !== version) {
          pages.clear();
          fast.clear();
        }
        version = v;
        versionAt = now();
        return v;
      })
      .finally(() => (pending = null));
    return pending;
  }

  return {
    /** The page under `key`, rendered by `render` when it is missing or stale. */
    async page(key: string, render: () => Promise<{ body: string; type: string }>): Promise<CachedPage> {
      const v = await currentVersion();
      const hit = pages.get(key);
      if (hit && hit.version === v) return hit;
      const { body, type } = await render();
      const etag = `W/"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
      const headers = { ...Object.fromEntries(await security), 'Content-Type': type, ETag: etag };
      const entry = { body, type, etag, headers, version: v };
      if (pages.size >= MAX_PAGES) pages.delete(pages.keys().next().value!);
      pages.set(key, entry);
      return entry;
    },

    /**
     * Answers with a cached page through the router: 304 when the client has it, else the body with its slot filled.
     * The request's URL then leads to this page without the router (see `serveFast`) while the page is current.
     */
    send(c: Context, p: CachedPage, cacheControl: string, slot?: PageSlot): Response {
      const headers = { ...p.headers, 'Cache-Control': cacheControl };
      const inm = c.req.header('if-none-match');
      const res =
        inm && etagMatches(inm, p.etag)
          ? new Response(null, { status: 304, headers })
          : new Response(slot ? p.body.replace(slot.marker, slot.value()) : p.body, { status: 200, headers });
      prebuilt.add(res);
      // The page objects this cache hands out carry the version they were rendered for.
      const entry = (p as Partial<FastRoute['page']>).version !== undefined ? (p as FastRoute['page']) : undefined;
      const url = new URL(c.req.url);
      const raw = url.pathname + url.search;
      // Registered once per page version: the router sees this URL again only when the version is re-read.
      if (entry && raw.length <= 200 && fast.get(raw)?.page !== entry) {
        const at = slot ? entry.body.indexOf(slot.marker) : -1;
        const body: FastRoute['body'] =
          at >= 0 ? [Buffer.from(entry.body.slice(0, at)), Buffer.from(entry.body.slice(at + slot!.marker.length))] : Buffer.from(entry.body);
        if (fast.size >= MAX_FAST_ROUTES && !fast.has(raw)) fast.delete(fast.keys().next().value!);
        fast.set(raw, { page: entry, headers: Object.entries(headers).flat(), body, slot: at >= 0 ? slot : undefined });
      }
      return res;
    },

    /**
     * Serves a GET or HEAD of a URL the router answered from this cache before, straight from the cached bytes, while
     * that page is current (the version was read within the last second). Returns false to leave it to the router.
     */
    /** How many requests serveFast answered (for tests and benchmarks). */
    fastHits: () => fastHits,

    serveFast(req: IncomingMessage, res: ServerResponse): boolean {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const route = fast.get(req.url ?? '');
      if (!route || route.page.version !== version || now() - versionAt >= VERSION_TTL_MS) return false;
      fastHits++;
      const inm = req.headers['if-none-match'];
      if (inm && etagMatches(inm, route.page.etag)) {
        res.writeHead(304, route.headers);
        res.end();
        return true;
      }
      const body = Array.isArray(route.body) ? Buffer.concat([route.body[0], Buffer.from(route.slot!.value()), route.body[1]]) : route.body;
      const h = route.headers;
      h.push('Content-Length', String(body.length));
      res.writeHead(200, h);
      h.length -= 2;
      res.end(body);
      return true;
    },
  };
}

const etagMatches = (header: string, etag: string) => header.split(',').some((t) => t.trim() === etag);

/** One app's page cache. */
export type PageCache = ReturnType<typeof createPageCache>;
