// Pure parsing: feed bytes → one ParsedFeed, whatever the format. Nothing after this sees XML or JSON.
import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser';
import { parseFeedDate } from './dates.js';
import { decodeFeedBytes } from './decode.js';
import { FeedError } from './errors.js';
import { checkXmlDocument } from './xml-guard.js';

/** One item as the feed gave it: strings still raw (HTML, entities, relative links). */
export interface RawItem {
  guid: string | null;
  link: string | null;
  title: string | null;
  author: string | null;
  /** Date strings in order of preference (published before updated). */
  dates: (string | null)[];
  /** Full content as HTML (text-typed content already escaped). */
  contentHtml: string | null;
  /** Description or summary as HTML. */
  summaryHtml: string | null;
  /** Base URL for relative links in this item (xml:base, else the item's link, else the feed's). */
  base: string | null;
}

/** A feed in one shape, whatever its format. */
export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom' | 'json';
  title: string | null;
  siteUrl: string | null;
  items: RawItem[];
  /** Items in the document beyond the per-run cap, left out. */
  truncatedItems: number;
}

/** Default per-feed, per-run item cap: the newest this many are considered. */
export const DEFAULT_MAX_ITEMS = 200;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const textToHtml = (s: string) => escapeHtml(s).replace(/\r?\n/g, '<br>');

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null);

function resolve(raw: string | null, base: string | null): string | null {
  if (!raw) return null;
  try {
    return base ? new URL(raw.trim(), base).href : new URL(raw.trim()).href;
  } catch {
    return raw.trim();
  }
}

function capItems(items: RawItem[], maxItems: number): { items: RawItem[]; truncatedItems: number } {
  if (items.length <= maxItems) return { items, truncatedItems: 0 };
  // Newest first; an undated item counts as new (it will be dated by first sight).
  const keyed = items.map((it, i) => {
    let t: number | null = null;
    for (const d of it.dates) if ((t = parseFeedDate(d)) !== null) break;
    return { it, i, t: t ?? Number.POSITIVE_INFINITY };
  });
  keyed.sort((a, b) => (b.t === a.t ? a.i - b.i : b.t - a.t));
  return { items: keyed.slice(0, maxItems).map((k) => k.it), truncatedItems: items.length - maxItems };
}

function parseJsonFeed(text: string, feedUrl: string | null, maxItems: number): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new FeedError('not a feed: the body is not valid JSON');
  }
  const o = doc as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o) || typeof o.version !== 'string' || !/jsonfeed\.org\/version\//i.test(o.version))
    throw new FeedError('not a feed: JSON without a JSON Feed version (an API or error response?)');
  if (!Array.isArray(o.items)) throw new FeedError('not a well-formed feed: JSON Feed without an items array');
  const base = str(o.feed_url) ? resolve(str(o.feed_url), feedUrl) : feedUrl;
  const feedAuthor = (() => {
    const a = Array.isArray(o.authors) ? o.authors[0] : o.author;
    return a && typeof a === 'object' ? str((a as Record<string, unknown>).name) : null;
  })();
  const items: RawItem[] = [];
  for (const raw of o.items) {
    if (!raw || typeof raw !== 'object') continue;
    const it = raw as Record<string, unknown>;
    const link = resolve(str(it.url) ?? str(it.external_url), base);
    const a = Array.isArray(it.authors) ? it.authors[0] : it.author;
    const html = str(it.content_html) ?? (str(it.content_text) ? textToHtml(str(it.content_text)!) : null);
    items.push({
      guid: str(it.id),
      link,
      title: str(it.title),
      author: (a && typeof a === 'object' ? str((a as Record<string, unknown>).name) : null) ?? feedAuthor,
      dates: [str(it.date_published), str(it.date_modified)],
      contentHtml: html,
      summaryHtml: str(it.summary) ? textToHtml(str(it.summary)!) : null,
      base: link && /^https?:/i.test(link) ? link : base,
    });
  }
  return { format: 'json', title: str(o.title), siteUrl: resolve(str(o.home_page_url), base), ...capItems(items, maxItems) };
}

type XmlFeed = ReturnType<typeof parseXmlFeed>;
type XmlItem = XmlFeed['items'][number];
type XmlElement = XmlItem['element'];

function rawText(el: XmlElement | null | undefined): string | null {
  const t = el?.textContent?.trim();
  return t ? t : null;
}

/** Atom text constructs: type="text" (the default) is plain text and must be escaped before it is treated as HTML. */
function atomHtml(el: XmlElement | null, fallback: string | null): string | null {
  if (!el) return fallback;
  const type = (el.getAttribute('type') ?? 'text').toLowerCase();
  if (type === 'html' || type === 'xhtml' || type === 'text/html' || type === 'application/xhtml+xml') return fallback;
  return fallback === null ? null : textToHtml(fallback);
}

function parseXml(text: string, feedUrl: string | null, maxItems: number): ParsedFeed {
  const root = checkXmlDocument(text);
  const local = root.toLowerCase().split(':').pop()!;
  if (local === 'html') throw new FeedError('not a feed: got an HTML page');
  if (local !== 'rss' && local !== 'rdf' && local !== 'feed')
    throw new FeedError(`not a feed: unsupported document (root element <${root.slice(0, 40)}>)`);
  let feed: XmlFeed;
  try {
    feed = parseXmlFeed(text);
  } catch (err) {
    throw new FeedError(`not a well-formed feed: ${(err as Error).message || 'the parser gave up'}`);
  }
  const atom = local === 'feed';
  const channelUrl = feed.url ? resolve(feed.url, feedUrl) : null;
  const feedBase = channelUrl ?? feedUrl;
  const elements = feed.items;
  const items: RawItem[] = [];
  for (const item of elements) {
    const el = item.element;
    const itemBase = el.baseUrl ? resolve(el.baseUrl, feedBase) : feedBase;
    const link = resolve(item.url, itemBase);
    let contentHtml: string | null;
    let summaryHtml: string | null;
    const dates: (string | null)[] = [];
    if (atom) {
      contentHtml = atomHtml(el.findElementWithName('content'), item.content);
      summaryHtml = atomHtml(el.findElementWithName('summary'), item.description);
      for (const n of ['published', 'issued', 'created', 'updated', 'modified']) dates.push(rawText(el.findElementWithName(n)));
    } else {
      contentHtml = item.content;
      summaryHtml = item.description;
      for (const n of ['pubdate', 'date', 'published', 'updated']) dates.push(rawText(el.findElementWithName(n)));
    }
    const contentEl = el.findElementWithName('content');
    const contentBase = contentEl?.baseUrl ? resolve(contentEl.baseUrl, itemBase) : null;
    items.push({
      guid: item.id,
      link,
      title: item.title,
      author: item.authors.find((a) => a.name)?.name ?? null,
      dates,
      contentHtml,
      summaryHtml,
      base: contentBase ?? (link && /^https?:/i.test(link) ? link : itemBase),
    });
  }
  return {
    format: atom ? 'atom' : local === 'rdf' ? 'rdf' : 'rss',
    title: feed.title,
    siteUrl: channelUrl,
    ...capItems(items, maxItems),
  };
}

/**
 * Parses a feed body (RSS 2.0, RSS 1.0/RDF, Atom or JSON Feed) into a ParsedFeed. feedUrl (the URL fetched, after
 * redirects) resolves relative links. Throws FeedError with a clear reason for anything that is not a complete feed.
 */
export function parseFeedBody(
  body: Uint8Array | string,
  opts: { contentType?: string | null; feedUrl?: string | null; maxItems?: number } = {},
): ParsedFeed {
  const text = typeof body === 'string' ? body.replace(/^\ufeff/, '') : decodeFeedBytes(body, opts.contentType);
  const maxItems = opts.maxItems ?? DEFAULT_MAX_ITEMS;
  const start = /\S/.exec(text)?.index;
  if (start === undefined) throw new FeedError('not a feed: the response body is empty');
  const first = text[start];
  if (first === '{' || first === '[') return parseJsonFeed(text, opts.feedUrl ?? null, maxItems);
  if (first !== '<') throw new FeedError('not a feed: the body is neither XML nor JSON');
  if (/^\s*(?:<!--[\s\S]*?-->\s*)*(?:<!doctype\s+html|<html[\s>])/i.test(text.slice(start, start + 4096)))
    throw new FeedError('not a feed: got an HTML page');
  return parseXml(text, opts.feedUrl ?? null, maxItems);
}
