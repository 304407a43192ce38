// Public pages rendered once per change of what they show (a new or edited issue, a source change), with an ETag
// so browsers and proxies revalidate cheaply. Every process asks the store at most once a second whether anything
// changed, so a page published by another instance shows within a second.
import { createHash } from 'node:crypto';
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

/** Builds the cache of one app; `serve` answers a request from it, rendering only when stale. */
export function createPageCache(ctx: Pick<AppContext, 'store'>, security: Promise<[string, string][]> = Promise.resolve([]), now: () => number = Date.now) {
  let version = '';
  let versionAt = -Infinity;
  let pending: Promise<string> | null = null;
  const pages = new Map<string, CachedPage & { version: string }>();

  async function currentVersion(): Promise<string> {
    if (now() - versionAt < VERSION_TTL_MS) return version;
    pending ??= ctx.store.issues
      .publicVersion()
      .then((v) => {
        if (v !== version) pages.clear();
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
  };
}

/** One app's page cache. */
export type PageCache = ReturnType<typeof createPageCache>;

/** Answers with a cached page: 304 when the client has it, else the body; `transform` fills per-request parts. */
export function sendPage(c: Context, p: CachedPage, cacheControl: string, transform?: (body: string) => string): Response {
  const headers = { ...p.headers, 'Cache-Control': cacheControl };
  const inm = c.req.header('if-none-match');
  const res =
    inm && inm.split(',').some((t) => t.trim() === p.etag)
      ? new Response(null, { status: 304, headers })
      : new Response(transform ? transform(p.body) : p.body, { status: 200, headers });
  prebuilt.add(res);
  return res;
}
