// Pure parsing: feed bytes → one ParsedFeed, whatever the format. Nothing after this sees XML or JSON.
import { parseFeedDate } from './dates.js';
import { decodeFeedBytes } from './decode.js';
import { FeedError } from './errors.js';
import { checkXmlDocument } from './xml-guard.js';
import { attr, child, childrenNamed, htmlOf, innerMarkup, parseXmlTree, textOf, type XElement } from './xml.js';

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
  /** The title is HTML (Atom type="html"); every other title is text. */
  titleHtml?: boolean;
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

const isHttp = (u: string | null): u is string => !!u && /^https?:\/\//i.test(u);

/** "ops@example.com (Grace Hopper)" → "Grace Hopper"; "Ann <ann@example.com>" → "Ann". */
function contactName(raw: string | null): string | null {
  if (!raw) return null;
  const s = raw.trim();
  const paren = /^\S+@\S+\s*\((.+)\)$/.exec(s);
  if (paren) return paren[1]!.trim();
  const angle = /^(.+?)\s*<[^>]*@[^>]*>$/.exec(s);
  if (angle) return angle[1]!.replace(/^"|"$/g, '').trim();
  return s;
}

/** Atom text constructs: type="text" (the default) is plain text and is escaped; html is decoded; xhtml is serialized. */
function atomHtml(el: XElement | null): string | null {
  if (!el || el.attrs.src !== undefined) return null;
  const type = (attr(el, 'type') ?? 'text').toLowerCase();
  if (type === 'xhtml' || type === 'application/xhtml+xml') {
    const div = child(el, 'div');
    return div ? innerMarkup(div).trim() || null : htmlOf(el);
  }
  if (type === 'html' || type === 'text/html') return htmlOf(el);
  const t = textOf(el);
  return t === null ? null : textToHtml(t);
}

function atomLink(el: XElement): string | null {
  const links = childrenNamed(el, 'link');
  const pick =
    links.find((l) => attr(l, 'rel') === 'alternate' && (!attr(l, 'type') || /html/i.test(attr(l, 'type')!))) ??
    links.find((l) => attr(l, 'rel') === 'alternate') ??
    links.find((l) => attr(l, 'rel') === null && attr(l, 'href'));
  const href = attr(pick, 'href');
  return href ? resolve(href, pick!.base) : null;
}

function atomAuthor(el: XElement | null): string | null {
  const a = child(el, 'author');
  return textOf(child(a, 'name')) ?? textOf(child(a, 'email')) ?? null;
}

function parseAtom(root: XElement, feedUrl: string | null, maxItems: number): ParsedFeed {
  const siteUrl = atomLink(root);
  const feedAuthor = atomAuthor(root);
  const items: RawItem[] = [];
  for (const entry of childrenNamed(root, 'entry')) {
    const link = atomLink(entry);
    const content = child(entry, 'content');
    items.push({
      guid: textOf(child(entry, 'id')),
      link,
      title: textOf(child(entry, 'title')),
      titleHtml: attr(child(entry, 'title'), 'type')?.toLowerCase() === 'html',
      author: atomAuthor(entry) ?? feedAuthor,
      dates: ['published', 'issued', 'created', 'updated', 'modified'].map((n) => textOf(child(entry, n))),
      contentHtml: atomHtml(content),
      summaryHtml: atomHtml(child(entry, 'summary')),
      base: (content && content.base !== entry.base ? content.base : null) ?? (isHttp(link) ? link : entry.base),
    });
  }
  return { format: 'atom', title: textOf(child(root, 'title')), siteUrl, ...capItems(items, maxItems) };
}

function rssLink(item: XElement, base: string | null): string | null {
  for (const l of childrenNamed(item, 'link')) {
    const t = textOf(l);
    if (t) return resolve(t, l.xmlBase ? l.base : base);
    const href = attr(l, 'href');
    if (href && (attr(l, 'rel') ?? 'alternate') === 'alternate') return resolve(href, l.xmlBase ? l.base : base);
  }
  const guid = child(item, 'guid');
  const g = textOf(guid);
  if (g && attr(guid, 'isPermaLink') !== 'false' && isHttp(g)) return g;
  const about = attr(item, 'rdf:about');
  return about && isHttp(about) ? about : null;
}

function parseRss(root: XElement, rdf: boolean, feedUrl: string | null, maxItems: number): ParsedFeed {
  const channel = child(root, 'channel');
  const channelLinkEl = channel ? childrenNamed(channel, 'link').find((l) => l.prefix === '' && textOf(l)) : undefined;
  const siteUrl = channelLinkEl ? resolve(textOf(channelLinkEl), channelLinkEl.base) : null;
  // Relative item links resolve against xml:base, else the channel's link, else the feed's own URL.
  const linkBase = isHttp(siteUrl) ? siteUrl : feedUrl;
  const itemEls = [...childrenNamed(root, 'item'), ...(channel ? childrenNamed(channel, 'item') : [])];
  const feedAuthor = contactName(textOf(child(channel, 'creator')) ?? textOf(child(channel, 'managingeditor')));
  const items: RawItem[] = [];
  for (const item of itemEls) {
    const base = item.xmlBase ? item.base : linkBase;
    const link = rssLink(item, base);
    const encoded = childrenNamed(item, 'encoded').find((e) => e.prefix === 'content' || e.prefix === '') ?? null;
    const description = child(item, 'description') ?? child(item, 'summary');
    items.push({
      guid: textOf(child(item, 'guid')) ?? attr(item, 'rdf:about'),
      link,
      title: textOf(child(item, 'title')),
      author: contactName(textOf(child(item, 'creator')) ?? textOf(child(item, 'author'))) ?? feedAuthor,
      dates: ['pubdate', 'date', 'published', 'issued', 'updated', 'modified'].map((n) => textOf(child(item, n))),
      contentHtml: htmlOf(encoded),
      summaryHtml: htmlOf(description),
      base: isHttp(link) ? link : base,
    });
  }
  return { format: rdf ? 'rdf' : 'rss', title: textOf(child(channel, 'title')), siteUrl, ...capItems(items, maxItems) };
}

function parseXml(text: string, feedUrl: string | null, maxItems: number): ParsedFeed {
  const rootName = checkXmlDocument(text);
  const local = rootName.toLowerCase().split(':').pop()!;
  if (local === 'html') throw new FeedError('not a feed: got an HTML page');
  if (local !== 'rss' && local !== 'rdf' && local !== 'feed')
    throw new FeedError(`not a feed: unsupported document (root element <${rootName.slice(0, 40)}>)`);
  const root = parseXmlTree(text, feedUrl);
  if (root.local === 'feed') return parseAtom(root, feedUrl, maxItems);
  return parseRss(root, root.local === 'rdf', feedUrl, maxItems);
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
