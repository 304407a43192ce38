// The HTTP edge: one conditional GET of a feed with a total deadline, a streaming size cap and checked redirects.
import { FeedError } from './errors.js';

/** What a fetch needs besides the URL. */
export interface FetchOptions {
  etag?: string | null;
  lastModified?: string | null;
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  /** Aborts the fetch from outside (shutdown). */
  signal?: AbortSignal;
  /** Clock for Retry-After dates. */
  now?: () => number;
  /** The Accept header (feeds by default). */
  accept?: string;
  /** Checks each URL before it is requested, the first and every redirect target; throws FeedError to refuse it. */
  checkTarget?: (url: URL) => Promise<void>;
  /** What the errors call the thing fetched ("the feed", "the page"). */
  what?: string;
}

/** The outcome of a fetch that did not fail. */
export type FetchResult =
  | { status: 'not_modified'; finalUrl: string }
  | { status: 'ok'; body: Uint8Array; contentType: string | null; etag: string | null; lastModified: string | null; finalUrl: string };

/** Most redirects followed per fetch. */
export const MAX_REDIRECTS = 5;
/** Longest Retry-After honoured; a longer one is clamped (a typo should not silence a source for a year). */
const MAX_RETRY_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

function checkScheme(url: URL, what: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FeedError(`${what} uses the unsupported scheme "${url.protocol.replace(/:$/, '')}" (only http and https are fetched)`);
}

/** Reads Retry-After (seconds or an HTTP date) into an absolute time. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let at: number;
  if (/^\d+$/.test(v)) at = now + Number(v) * 1000;
  else {
    const t = Date.parse(v);
    if (!Number.isFinite(t)) return undefined;
    at = t;
  }
  return Math.min(Math.max(at, now), now + MAX_RETRY_AFTER_MS);
}

function describeNetworkError(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  const code = e?.cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host (${code})`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the server';
  if (code && /CERT|SSL|TLS/i.test(code)) return `TLS error (${code})`;
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  return `request failed: ${code ? `${code} ` : ''}${msg}`.slice(0, 300);
}

async function readCapped(res: Response, maxBytes: number, what = 'the feed'): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes && !res.headers.get('content-encoding')) {
    await res.body?.cancel().catch(() => {});
    throw new FeedError(`${what} exceeds the size cap of ${maxBytes} bytes (Content-Length ${declared})`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new FeedError(`${what} exceeds the size cap of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/**
 * Fetches a feed: http(s) only, conditional on the stored ETag/Last-Modified, at most MAX_REDIRECTS redirects each
 * checked for its scheme, the whole exchange (headers and body) under one deadline, the body cut off past maxBytes.
 * Throws FeedError with a clear reason (and retryAfter on 429/503).
 */
export async function fetchFeed(feedUrl: string, opts: FetchOptions): Promise<FetchResult> {
  let url: URL;
  try {
    url = new URL(feedUrl);
  } catch {
    throw new FeedError(`the feed URL is not a valid URL: ${feedUrl.slice(0, 200)}`);
  }
  checkScheme(url, 'the feed URL');
  const now = opts.now ?? Date.now;
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent,
    accept: opts.accept ?? ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  try {
    for (let hop = 0; ; hop++) {
      await opts.checkTarget?.(url);
      const res = await fetch(url, { headers, redirect: 'manual', signal });
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        await res.body?.cancel().catch(() => {});
        const location = res.headers.get('location');
        if (!location) throw new FeedError(`HTTP ${res.status} redirect without a Location header`);
        if (hop >= MAX_REDIRECTS) throw new FeedError(`too many redirects (more than ${MAX_REDIRECTS})`);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new FeedError(`HTTP ${res.status} redirect to an invalid URL`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
          throw new FeedError(`refused a redirect to the unsupported scheme "${next.protocol.replace(/:$/, '')}"`);
        url = next;
        continue;
      }
      if (res.status === 304) {
        await res.body?.cancel().catch(() => {});
        return { status: 'not_modified', finalUrl: url.href };
      }
      if (res.status === 429 || res.status === 503) {
        await res.body?.cancel().catch(() => {});
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), now());
        throw new FeedError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${retryAfter ? `; retry after ${new Date(retryAfter).toISOString()}` : ''}`, retryAfter);
      }
      if (res.status < 200 || res.status >= 300) {
        await res.body?.cancel().catch(() => {});
        throw new FeedError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
      }
      const body = await readCapped(res, opts.maxBytes, opts.what);
      return {
        status: 'ok',
        body,
        contentType: res.headers.get('content-type'),
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
        finalUrl: url.href,
      };
    }
  } catch (err) {
    if (err instanceof FeedError) throw err;
    if (deadline.aborted) throw new FeedError(`timed out after ${opts.timeoutMs} ms`);
    if (opts.signal?.aborted) throw new FeedError('aborted (shutting down)');
    throw new FeedError(describeNetworkError(err));
  }
}
