// Pure: parsed items → clean articles ready to store (canonical URL, title, dates, sanitized content, summary).
import { canonicalUrl, safeHttpUrl } from './canonical.js';
import { cleanContent, cleanLine, cleanTitle, contentHash, htmlToText, summarize } from './clean.js';
import { resolvePublished } from './dates.js';
import type { ParsedFeed, RawItem } from './parse.js';

/** An article as ingest stores it (no source id yet). */
export interface CleanArticle {
  guid: string;
  url: string;
  canonicalUrl: string;
  title: string;
  author: string | null;
  publishedAt: number;
  dateSource: 'feed' | 'first_seen';
  firstSeenAt: number;
  contentHtml: string;
  contentText: string;
  summary: string;
  contentHash: string;
}

/** Articles from one feed plus how many items were left out and why. */
export interface NormalizeResult {
  articles: CleanArticle[];
  /** Items without a usable http(s) link. */
  skippedNoLink: number;
  /** Repeats of a GUID or canonical URL within this feed. */
  skippedDuplicate: number;
  /** Items already stored (by the isKnown check), not cleaned again. */
  skippedKnown: number;
}

/** What identifies an item: its link, canonical URL and GUID (the canonical URL when the feed gives none). */
export interface ItemKey {
  url: string;
  canonicalUrl: string;
  guid: string;
}

/** The identity of an item, cheap to compute; null when it has no usable http(s) link. */
export function itemKey(item: RawItem): ItemKey | null {
  const url = safeHttpUrl(item.link, item.base);
  const canonical = url ? canonicalUrl(url) : null;
  if (!url || !canonical) return null;
  return { url, canonicalUrl: canonical, guid: (item.guid ?? '').trim().slice(0, 1000) || canonical };
}

/** Cleans one item; null when it has no usable http(s) link. */
export function normalizeItem(item: RawItem, now: number, key: ItemKey | null = itemKey(item)): CleanArticle | null {
  if (!key) return null;
  const { url, canonicalUrl: canonical, guid } = key;
  const { html: contentHtml, text: contentText } = cleanContent(item.contentHtml ?? item.summaryHtml, item.base ?? url);
  // The description is often a teaser cut mid-word: the full content, when the feed carries it, is the better source.
  const teaser = item.summaryHtml && item.summaryHtml !== item.contentHtml ? htmlToText(item.summaryHtml) : '';
  const summary = summarize(contentText.length > teaser.length ? contentText : teaser || contentText);
  let title = cleanTitle(item.title, item.titleHtml);
  if (!title) title = cleanTitle(summary.split(/(?<=[.!?])\s/)[0] ?? '') || new URL(canonical).pathname.split('/').filter(Boolean).pop() || canonical;
  const { publishedAt, dateSource } = resolvePublished(item.dates, now);
  return {
    guid,
    url,
    canonicalUrl: canonical,
    title,
    author: cleanLine(item.author),
    publishedAt,
    dateSource,
    firstSeenAt: now,
    contentHtml,
    contentText,
    summary,
    contentHash: contentHash(title, contentText),
  };
}

/**
 * Cleans every item of a feed, dropping items without a usable link and repeats within the feed. Items for which
 * isKnown says they are stored already are skipped before the costly cleaning (sanitizing is most of the work).
 */
export function normalizeFeed(feed: ParsedFeed, now: number, isKnown?: (key: ItemKey) => boolean): NormalizeResult {
  const articles: CleanArticle[] = [];
  const seen = new Set<string>();
  let skippedNoLink = 0;
  let skippedDuplicate = 0;
  let skippedKnown = 0;
  for (const item of feed.items) {
    const key = itemKey(item);
    if (!key) {
      skippedNoLink++;
      continue;
    }
    if (seen.has(`g:${key.guid}`) || seen.has(`u:${key.canonicalUrl}`)) {
      skippedDuplicate++;
      continue;
    }
    seen.add(`g:${key.guid}`);
    seen.add(`u:${key.canonicalUrl}`);
    if (isKnown?.(key)) {
      skippedKnown++;
      continue;
    }
    articles.push(normalizeItem(item, now, key)!);
  }
  return { articles, skippedNoLink, skippedDuplicate, skippedKnown };
}
