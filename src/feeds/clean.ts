// Pure cleaning of feed text: titles, allowlisted HTML, plain text and summaries.
import { hash } from 'node:crypto';
import { splitSentences } from '../lib/sentences.js';
import { decodeEntities, INVISIBLE, SPACES } from './entities.js';
import { cleanHtml, type CleanedHtml } from './html.js';

/** Longest title we store; longer ones are cut at a word boundary with an ellipsis. */
export const MAX_TITLE_LENGTH = 300;

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const space = s.lastIndexOf(' ', end);
  if (space > max * 0.6) end = space;
  // Never split a surrogate pair.
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return s.slice(0, end).trimEnd() + '…';
}

/** Inline formatting tags seen inside RSS titles; anything else in angle brackets is a word. */
const INLINE_TAG = /<\/?(?:em|strong|b|i|u|s|code|span|a|br|sup|sub|small|mark|abbr|q|cite|kbd|var|samp|del|ins|font|tt)(?:\s[^<>]*)?\/?>/gi;

/** Title text: markup dropped as described below, entities decoded, invisible and bidi controls dropped, whitespace folded, capped. */
export function cleanTitle(raw: string | null | undefined, html = false): string {
  if (!raw) return '';
  let s = raw.length > 20_000 ? raw.slice(0, 20_000) : raw;
  // A title the feed marks as HTML (Atom type="html") loses all its markup. Any other title is text, so
  // "Markdown & <Shell> Tricks" keeps every word; only inline formatting tags that feeds put into RSS titles
  // anyway (<em>, <code>, <b> …) are dropped there.
  s = s.replace(/<!\[CDATA\[|\]\]>/g, '');
  if (html) s = s.replace(/<(?:br|\/?p|\/?div|\/?li|\/?h\d|\/?tr|\/?td)\b[^<>]*>/gi, ' ').replace(/<[A-Za-z/!][^<>]*>/g, '');
  else s = s.replace(INLINE_TAG, '');
  s = decodeEntities(s).replace(INVISIBLE, '').replace(SPACES, ' ').trim();
  return cut(s, MAX_TITLE_LENGTH);
}

/** Folds whitespace and drops invisible characters in a short text such as an author name. */
export function cleanLine(raw: string | null | undefined, max = 200): string | null {
  if (!raw) return null;
  const s = decodeEntities(raw.replace(/<[^<>]*>/g, ' ')).replace(INVISIBLE, '').replace(SPACES, ' ').trim();
  return s ? cut(s, max) : null;
}

/** Longest item HTML we keep; a bigger body is cut before cleaning (the cleaner closes what the cut leaves open). */
export const MAX_CONTENT_CHARS = 300_000;

/** Item HTML cleaned to the allowlist (see cleanHtml) together with its plain text, in one pass. */
export function cleanContent(html: string | null | undefined, base?: string | null): CleanedHtml {
  if (!html) return { html: '', text: '' };
  return cleanHtml(html.length > MAX_CONTENT_CHARS ? html.slice(0, MAX_CONTENT_CHARS) : html, base);
}

/** Plain text of (sanitized or raw) HTML: blocks become line breaks, list items bullets, entities decoded, spaces folded. */
export function htmlToText(html: string | null | undefined): string {
  return cleanContent(html).text;
}

/** Lines feeds append to every item that say nothing about it. */
const BOILERPLATE: RegExp[] = [
  /\bThe post\s.{1,400}?\sappeared first on\s.{1,200}?(\.|$)/gis,
  /\bThis (?:post|article|entry) (?:was )?(?:originally )?(?:appeared|published|posted) (?:first )?on\s.{1,200}?(\.|$)/gis,
  /\bContinue reading\b.{0,160}$/gis,
  /\bRead (?:the )?(?:full|rest of the) (?:post|article|story)\b.{0,160}$/gis,
  /\bRead more\b.{0,160}$/gis,
  /\[(?:…|\.\.\.|&hellip;)\]|\(more…\)|\[more\]/gi,
];

/** How a whole sentence ends: terminal punctuation, perhaps inside quotes or brackets. */
const ENDS_SENTENCE = /[.!?…]["'”’»)\]]*$/;

/** Most sentences and characters a summary may have. */
export const SUMMARY_SENTENCES = 5;
export const SUMMARY_MAX_CHARS = 600;

/** At most five whole sentences (≤ 600 characters) of the item's description or content, boilerplate removed. */
export function summarize(text: string): string {
  // Only the head matters: a sentence ending past 600 characters can never be kept, and boilerplate is shorter than
  // the margin, so it is removed whole from a 1,600-character head before the splitter sees 800 characters.
  let s = text.length > 1600 ? text.slice(0, 1600) : text;
  for (const re of BOILERPLATE) s = s.replace(re, ' ');
  s = s.replace(SPACES, ' ').trim();
  if (!s) return '';
  const head = s.length > 800 ? s.slice(0, 800) : s;
  const sentences = splitSentences(head);
  const kept: string[] = [];
  let length = 0;
  for (const raw of sentences) {
    const sentence = raw.trim();
    if (!sentence) continue;
    if (length + (kept.length ? 1 : 0) + sentence.length > SUMMARY_MAX_CHARS) break;
    kept.push(sentence);
    length += (kept.length > 1 ? 1 : 0) + sentence.length;
    if (kept.length >= SUMMARY_SENTENCES) break;
  }
  // A first sentence longer than the cap is cut at a word boundary.
  if (!kept.length) return cut(sentences[0]?.trim() ?? s, SUMMARY_MAX_CHARS);
  // A teaser cut off by the feed ends in a fragment: dropped when whole sentences precede it, else marked as cut.
  const last = kept[kept.length - 1]!;
  if (!ENDS_SENTENCE.test(last)) {
    if (kept.length > 1) kept.pop();
    else kept[0] = last.replace(/[\s,;:\-–—.]+$/, '') + '…';
  }
  return kept.join(' ');
}

/** A stable fingerprint of an item's visible content. */
export function contentHash(title: string, text: string): string {
  return hash('sha256', `${title}\u0000${text}`).slice(0, 32);
}
