// Full text for teaser items: the article's page fetched under the feed rules, its main content extracted
// (Mozilla's Readability over linkedom), cleaned by the feed cleaner, and stored once, with the reason when it failed.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { AppContext } from '../context.js';
import { isTeaser } from '../digest/features.js';
import { cleanContent } from './clean.js';
import { decodeFeedBytes } from './decode.js';
import { FeedError } from './errors.js';
import { fetchFeed } from './fetch.js';
import { pendingFullText, saveFullText, type FullTextCandidate, type FullTextResult } from './repo.js';

/** At most this many requests at once to one host. */
export const PER_HOST = 2;
/** Largest page read: an article page is far smaller than a feed may be. */
const MAX_PAGE_BYTES = 3 * 1024 * 1024;
/** Fewer words than this after extraction: the page held no article. */
const MIN_WORDS = 25;
/** How far back an ingest looks for articles whose page was never tried (a run cut short by its deadline). */
const PENDING_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;
/** Most pages one ingest fetches. */
const MAX_PER_RUN = 300;

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Whether an address is loopback, private, link-local, shared, multicast or unspecified. */
export function isPrivateAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return PRIVATE.check(ip, 'ipv4');
  if (v === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    return mapped ? PRIVATE.check(mapped[1]!, 'ipv4') : PRIVATE.check(ip, 'ipv6');
  }
  return false;
}

/** Every address a host name resolves to (an IP literal is its own). */
async function addressesOf(host: string): Promise<string[]> {
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h)) return [h];
  try {
    return (await lookup(h, { all: true, verbatim: true })).map((a) => a.address);
  } catch (err) {
    throw new FeedError(`cannot resolve the host (${(err as { code?: string }).code ?? 'error'})`);
  }
}

/** Whether a URL's host is on a private or loopback network (a source there may link to pages there). */
export async function onPrivateNetwork(url: string): Promise<boolean> {
  try {
    const addrs = await addressesOf(new URL(url).hostname);
    return addrs.some(isPrivateAddress);
  } catch {
    return false;
  }
}

/** Refuses a URL whose host resolves to a private or loopback address, unless allowed. */
export function targetChecker(allowPrivate: boolean): (url: URL) => Promise<void> {
  return async (url) => {
    if (allowPrivate) return;
    const addrs = await addressesOf(url.hostname);
    const bad = addrs.find(isPrivateAddress);
    if (bad) throw new FeedError(`refused: ${url.hostname} is on a private or loopback address (${bad})`);
  };
}

/** The main text of an article page, or why there is none. Hostile markup is cleaned like feed content. */
export async function extractArticle(html: string, pageUrl: string, feedText = ''): Promise<{ text: string } | { reason: string }> {
  const [{ parseHTML }, { Readability }] = await Promise.all([import('linkedom'), import('@mozilla/readability')]);
  let content: string | null | undefined;
  try {
    const { document } = parseHTML(html);
    // Consent and sign-up overlays are not the article, whatever their length next to a short post.
    for (const el of document.querySelectorAll('[id],[class]'))
      if (/(?:^|[\s_-])(?:cookie|cookies|consent|gdpr|cmp|newsletter-signup|subscribe-modal|paywall-overlay)(?:$|[\s_-])/i.test(`${el.getAttribute('id') ?? ''} ${el.getAttribute('class') ?? ''}`)) el.remove();
    content = new Readability(document as unknown as Document, { charThreshold: 300, keepClasses: false }).parse()?.content;
  } catch (err) {
    return { reason: `could not read the page (${(err as Error).message.slice(0, 120)})` };
  }
  if (!content) return { reason: 'no article found on the page' };
  const { text } = cleanContent(content, pageUrl);
  const words = text.split(/\s+/).filter(Boolean).length;
  if (words < 250 && /\b(?:(?:sign|log) ?in to (?:continue|read)|subscribe to (?:continue|read)|members[- ]only|create an? (?:free )?account to|accept (?:all )?cookies|we use cookies|enable javascript)\b/i.test(text))
    return { reason: 'the page is a login wall or a cookie banner' };
  if (words < MIN_WORDS) return { reason: `the page extracted to almost nothing (${words} words)` };
  const feedWords = feedText.split(/\s+/).filter(Boolean).length;
  if (words <= feedWords) return { reason: 'the page says no more than the feed' };
  return { text };
}

/** Fetches one article page and extracts its text; never throws (a failure is a result with its reason). */
export async function fetchFullText(
  c: FullTextCandidate,
  o: { timeoutMs: number; maxBytes: number; userAgent: string; allowPrivate: boolean; now: () => number },
): Promise<FullTextResult> {
  const failed = (reason: string): FullTextResult => ({ id: c.id, status: 'failed', reason, text: null, at: o.now() });
  try {
    const res = await fetchFeed(c.url, {
      timeoutMs: o.timeoutMs,
      maxBytes: Math.min(o.maxBytes, MAX_PAGE_BYTES),
      userAgent: o.userAgent,
      accept: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1',
      checkTarget: targetChecker(o.allowPrivate),
      what: 'the page',
      now: o.now,
    });
    if (res.status !== 'ok') return failed('the server answered 304 to a request without validators');
    const type = (res.contentType ?? '').toLowerCase();
    if (!/\b(?:text\/html|application\/xhtml\+xml)\b/.test(type)) return failed(`not an HTML page (${type.split(';')[0] || 'no content type'})`);
    const out = await extractArticle(decodeFeedBytes(res.body, res.contentType), res.finalUrl, c.contentText);
    if ('reason' in out) return failed(out.reason);
    return { id: c.id, status: 'ok', reason: null, text: out.text, at: o.now() };
  } catch (err) {
    return failed(err instanceof FeedError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** Whether an article needs its page: the source asks for it always, or leaves it to us and the feed gave a teaser. */
export function wantsFullText(c: FullTextCandidate): boolean {
  if (c.sourceFulltext === false) return false;
  return c.sourceFulltext === true || isTeaser(c.contentText);
}

/** What completing the full text of an ingest's articles came to. */
export interface FullTextReport {
  fetched: number;
  failed: number;
  skipped: number;
  /** Left for the next ingest: the run's deadline passed before their turn. */
  deferred: number;
}

/**
 * Completes the articles of recent ingests whose page was never tried: every page fetched at once but at most
 * PER_HOST per host, the whole step under one FEED_TIMEOUT_MS, so it adds at most one timeout to an ingest.
 */
export async function completeFullText(ctx: AppContext, userAgent: string): Promise<FullTextReport> {
  const now = () => ctx.clock.now();
  const started = now();
  const pending = await pendingFullText(ctx, started - PENDING_WINDOW_MS, MAX_PER_RUN);
  const report: FullTextReport = { fetched: 0, failed: 0, skipped: 0, deferred: 0 };
  if (!pending.length) return report;
  const results: FullTextResult[] = [];
  const wanted: FullTextCandidate[] = [];
  for (const c of pending) {
    if (wantsFullText(c)) wanted.push(c);
    else results.push({ id: c.id, status: 'skipped', reason: c.sourceFulltext === false ? 'the source has fulltext="false"' : 'the feed carries the full text', text: null, at: started });
  }
  const deadline = started + ctx.config.feedTimeoutMs;
  const privateFeed = new Map<string, Promise<boolean>>();
  const byHost = new Map<string, FullTextCandidate[]>();
  for (const c of wanted) {
    let host = '';
    try {
      host = new URL(c.url).host;
    } catch {
      /* an invalid URL fails in fetchFeed with its reason */
    }
    (byHost.get(host) ?? byHost.set(host, []).get(host)!).push(c);
  }
  // One lane per slot of each host: PER_HOST requests at once per host, every host at the same time.
  const lanes: Promise<void>[] = [];
  for (const list of byHost.values()) {
    for (let lane = 0; lane < PER_HOST; lane++) {
      lanes.push(
        (async () => {
          for (let i = lane; i < list.length; i += PER_HOST) {
            const c = list[i]!;
            const left = deadline - now();
            if (left < 50) {
              report.deferred++;
              continue;
            }
            const feedHost = new URL(c.sourceFeedUrl).host;
            if (!privateFeed.has(feedHost)) privateFeed.set(feedHost, onPrivateNetwork(c.sourceFeedUrl));
            const r = await fetchFullText(c, { timeoutMs: left, maxBytes: ctx.config.feedMaxBytes, userAgent, allowPrivate: await privateFeed.get(feedHost)!, now });
            results.push(r);
            if (r.status === 'ok') report.fetched++;
            else {
              report.failed++;
              ctx.log.info({ articleId: c.id, url: c.url, reason: r.reason }, 'full text not fetched; the feed content stands');
            }
          }
        })(),
      );
    }
  }
  await Promise.all(lanes);
  report.skipped = results.filter((r) => r.status === 'skipped').length;
  await saveFullText(ctx, results);
  ctx.log.info({ ...report, ms: now() - started }, 'full text completed');
  return report;
}
