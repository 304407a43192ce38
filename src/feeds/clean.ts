// Pure cleaning of feed text: titles, allowlisted HTML, plain text and summaries.
import { createHash } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import sbd from 'sbd';
import { safeHttpUrl } from './canonical.js';

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›', bull: '•', middot: '·', copy: '©', reg: '®', trade: '™',
  deg: '°', plusmn: '±', times: '×', divide: '÷', frac12: '½', frac14: '¼', frac34: '¾', sup2: '²', sup3: '³',
  euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', dagger: '†', Dagger: '‡', permil: '‰',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', rArr: '⇒', lArr: '⇐', hArr: '⇔', le: '≤', ge: '≥', ne: '≠',
  asymp: '≈', infin: '∞', minus: '−', micro: 'µ', alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', lambda: 'λ', mu: 'μ',
  pi: 'π', sigma: 'σ', omega: 'ω', Delta: 'Δ', Sigma: 'Σ', Omega: 'Ω', iexcl: '¡', iquest: '¿', shy: '\u00ad',
  zwj: '\u200d', zwnj: '\u200c', lrm: '\u200e', rlm: '\u200f', acute: '´', uml: '¨', ordf: 'ª', ordm: 'º', not: '¬',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç', Egrave: 'È',
  Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï', Ntilde: 'Ñ', Ograve: 'Ò',
  Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü',
  Yacute: 'Ý', szlig: 'ß', agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ',
  ccedil: 'ç', egrave: 'è', eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï',
  ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù', uacute: 'ú',
  ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', oelig: 'œ', OElig: 'Œ', scaron: 'š', Scaron: 'Š', Yuml: 'Ÿ',
};

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
// Named references browsers also accept without the semicolon.
const LEGACY_NO_SEMI = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp']);

/** Decodes HTML character references (numeric and the common named ones); unknown names stay as written. One linear scan. */
export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  const n = s.length;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    let j = amp + 1;
    let replacement: string | undefined;
    if (s.charCodeAt(j) === 35 /* # */) {
      j++;
      const hex = s.charCodeAt(j) === 120 || s.charCodeAt(j) === 88;
      if (hex) j++;
      const start = j;
      const max = hex ? 6 : 7;
      while (j < n && j - start < max && (hex ? isHex(s.charCodeAt(j)) : s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57)) j++;
      if (j > start) {
        const cp = parseInt(s.slice(start, j), hex ? 16 : 10);
        replacement = cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
        if (s.charCodeAt(j) === 59) j++;
      }
    } else {
      const start = j;
      const c0 = s.charCodeAt(j);
      if ((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122)) {
        while (j < n && j - start < 32 && isAlnum(s.charCodeAt(j))) j++;
        const name = s.slice(start, j);
        const v = j - start >= 2 ? NAMED[name] : undefined;
        if (v !== undefined && s.charCodeAt(j) === 59) {
          replacement = v;
          j++;
        } else if (v !== undefined && LEGACY_NO_SEMI.has(name)) replacement = v;
      }
    }
    if (replacement !== undefined) {
      out += s.slice(last, amp) + replacement;
      last = j;
      amp = s.indexOf('&', j);
    } else amp = s.indexOf('&', amp + 1);
  }
  return last === 0 ? s : out + s.slice(last);
}

// Controls, bidi overrides/isolates, zero-width characters and other invisible format characters.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

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

/** Removes tags, decodes entities, drops invisible and bidi controls, folds whitespace (CR/LF included), caps the length. */
export function cleanTitle(raw: string | null | undefined): string {
  if (!raw) return '';
  let s = raw.length > 20_000 ? raw.slice(0, 20_000) : raw;
  s = s
    .replace(/<!\[CDATA\[|\]\]>/g, '')
    .replace(/<(?:br|\/?p|\/?div|\/?li|\/?h\d|\/?tr|\/?td)\b[^<>]*>/gi, ' ')
    .replace(/<[A-Za-z/!][^<>]*>/g, '');
  s = decodeEntities(s).replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return cut(s, MAX_TITLE_LENGTH);
}

/** Folds whitespace and drops invisible characters in a short text such as an author name. */
export function cleanLine(raw: string | null | undefined, max = 200): string | null {
  if (!raw) return null;
  const s = decodeEntities(raw.replace(/<[^<>]*>/g, ' ')).replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return s ? cut(s, max) : null;
}

const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'dd', 'del', 'dfn', 'div', 'dl', 'dt', 'em',
  'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p',
  'pre', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th',
  'thead', 'time', 'tr', 'u', 'ul', 'var',
];

/** Longest item HTML we keep; a bigger body is cut before sanitizing (sanitize-html closes what the cut leaves open). */
export const MAX_CONTENT_CHARS = 300_000;

/**
 * Sanitizes item HTML to an allowlist: no script, style, iframe, form, svg, event handlers or inline styles;
 * links and images only http(s) (relative ones resolved against base), links open without a referrer.
 */
export function sanitizeContent(html: string | null | undefined, base?: string | null): string {
  if (!html) return '';
  const input = html.length > MAX_CONTENT_CHARS ? html.slice(0, MAX_CONTENT_CHARS) : html;
  const abs = (v: string | undefined) => (v ? safeHttpUrl(v, base ?? undefined) : null);
  return sanitizeHtml(input, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      abbr: ['title'],
      time: ['datetime'],
      ol: ['start'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'svg', 'math', 'object', 'embed', 'template', 'select', 'button', 'head', 'title'],
    transformTags: {
      a: (tagName, attribs) => {
        const href = attribs.href;
        const out: Record<string, string> = {};
        if (href && /^mailto:/i.test(href.trim())) out.href = href.trim();
        else if (href) {
          const u = abs(href);
          if (u) out.href = u;
        }
        if (attribs.title) out.title = attribs.title;
        if (out.href) out.rel = 'noopener noreferrer nofollow';
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        const src = abs(attribs.src);
        const out: Record<string, string> = {};
        if (src) out.src = src;
        for (const k of ['alt', 'title', 'width', 'height']) if (attribs[k]) out[k] = attribs[k]!;
        return { tagName, attribs: out };
      },
    },
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  });
}

const BREAKS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'tr', 'table', 'ul', 'ol', 'dl', 'dd', 'dt', 'figure', 'figcaption', 'br', 'hr']);

/** Plain text of (sanitized or raw) HTML: blocks become line breaks, tags go, entities are decoded, spaces folded. */
export function htmlToText(html: string): string {
  if (!html) return '';
  let s = /<(script|style|noscript|template|svg|iframe)\b/i.test(html)
    ? html.replace(/<(script|style|noscript|template|svg|iframe)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    : html;
  // One pass over the tags: block ends and <br> become line breaks, list items bullets, the rest nothing.
  s = s.replace(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>|<[^>]*>/g, (_m, close: string | undefined, name: string | undefined) => {
    if (!name) return '';
    const n = name.toLowerCase();
    if (n === 'li') return close ? '' : '\n• ';
    return (close || n === 'br' || n === 'hr') && BREAKS.has(n) ? '\n' : '';
  });
  s = decodeEntities(s).replace(INVISIBLE, '');
  return s
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim();
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

/** Most sentences and characters a summary may have. */
export const SUMMARY_SENTENCES = 5;
export const SUMMARY_MAX_CHARS = 600;

/** At most five whole sentences (≤ 600 characters) of the item's description or content, boilerplate removed. */
export function summarize(text: string): string {
  // Only the head matters: a sentence ending past 600 characters can never be kept, and boilerplate is shorter than
  // the margin, so it is removed whole from a 1,600-character head before the splitter sees 800 characters.
  let s = text.length > 1600 ? text.slice(0, 1600) : text;
  for (const re of BOILERPLATE) s = s.replace(re, ' ');
  s = s.replace(/\s+/g, ' ').trim();
  if (!s) return '';
  const head = s.length > 800 ? s.slice(0, 800) : s;
  const sentences = sbd.sentences(head, { newline_boundaries: false, preserve_whitespace: false });
  let out = '';
  let count = 0;
  for (const raw of sentences) {
    const sentence = raw.trim();
    if (!sentence) continue;
    const next = out ? `${out} ${sentence}` : sentence;
    if (next.length > SUMMARY_MAX_CHARS) break;
    out = next;
    if (++count >= SUMMARY_SENTENCES) break;
  }
  // A first sentence longer than the cap is cut at a word boundary.
  if (!out) out = cut(sentences[0]?.trim() ?? s, SUMMARY_MAX_CHARS);
  return out;
}

/** A stable fingerprint of an item's visible content. */
export function contentHash(title: string, text: string): string {
  return createHash('sha256').update(title).update('\u0000').update(text).digest('hex').slice(0, 32);
}
