// Pure: item HTML → allowlisted HTML and its plain text, in one linear pass.
//
// Safety rests on what is written, not on agreeing with a browser about what was read: text runs are copied with
// every '<' escaped, and each kept tag is rebuilt from the allowlist with its values decoded, checked and written
// back quoted and escaped. Whatever the input, the output is tags of the allowlist in canonical form and text.
import { safeHttpUrl } from './canonical.js';
import { decodeEntities, foldText } from './entities.js';

/** Tags kept, each with the attributes it may keep (a's href and rel, img's src are written by the cleaner). */
const KEEP: Record<string, readonly string[]> = {
  a: ['title'], abbr: ['title'], b: [], blockquote: [], br: [], caption: [], cite: [], code: [], dd: [], del: [],
  dfn: [], div: [], dl: [], dt: [], em: [], figcaption: [], figure: [], h1: [], h2: [], h3: [], h4: [], h5: [],
  h6: [], hr: [], i: [], img: ['alt', 'title', 'width', 'height'], ins: [], kbd: [], li: [], mark: [], ol: ['start'],
  p: [], pre: [], q: [], s: [], samp: [], small: [], span: [], strike: [], strong: [], sub: [], sup: [],
  table: [], tbody: [], td: ['colspan', 'rowspan'], tfoot: [], th: ['colspan', 'rowspan', 'scope'], thead: [],
  time: ['datetime'], tr: [], u: [], ul: [], var: [],
};
/** Sectioning tags that are not kept but whose content reads as a block: written as div. */
const AS_DIV = ['article', 'aside', 'section', 'header', 'footer', 'main', 'nav', 'address', 'center', 'hgroup', 'details', 'summary'];
/** Elements dropped with everything inside them (active, foreign or form content). */
const DROP_CONTENT = ['script', 'style', 'textarea', 'title', 'iframe', 'noscript', 'noembed', 'noframes', 'xmp', 'plaintext', 'option'];
/** The same for elements that hold markup and may nest (the others end at their first end tag, as in a browser). */
const DROP_NESTED = ['template', 'svg', 'math', 'object', 'applet', 'select', 'button', 'frameset'];

/** Opening one of these closes an open p, as a browser does. */
const CLOSES_P = new Set(['blockquote', 'div', 'dl', 'dd', 'dt', 'figure', 'figcaption', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'li', 'ol', 'p', 'pre', 'table', 'ul']);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const TABLE_SCOPE = new Set(['table', 'td', 'th', 'caption']);
const LIST_SCOPE = new Set(['ul', 'ol', 'dl', 'table', 'td', 'th', 'caption', 'blockquote', 'figure', 'pre']);
const TABLE_ONLY = new Set(['table']);
const P_ONLY = ['p'];

/** What the cleaner does with one tag name, looked up once per tag. */
interface Rule {
  /** The tag written (div for sectioning tags). */
  name: string;
  /** Attributes kept; null when the tag is not kept. */
  attrs: readonly string[] | null;
  /** Dropped together with its content: 1 up to the first end tag, 2 counting nested ones. */
  dropContent: 0 | 1 | 2;
  isVoid: boolean;
  closesP: boolean;
  heading: boolean;
  /** Open elements a start tag closes first (li closes li, td closes td or th, …), searched up to closeStop. */
  closes: readonly string[] | null;
  closeStop: ReadonlySet<string> | null;
  /** Where the search for the element an end tag closes stops (a table cell ends no element outside it). */
  endStop: ReadonlySet<string> | null;
  /** [name], for that search. */
  self: readonly string[];
}

const SECTION_PARTS = ['tbody', 'thead', 'tfoot', 'tr', 'td', 'th'];
/** The open elements a start tag closes first, and where the search for them stops. */
const IMPLIED_CLOSES: Record<string, [string[], ReadonlySet<string>]> = {
  li: [['li'], LIST_SCOPE],
  dd: [['dd', 'dt'], LIST_SCOPE],
  dt: [['dd', 'dt'], LIST_SCOPE],
  tr: [['tr'], new Set(['table', 'tbody', 'thead', 'tfoot'])],
  td: [['td', 'th'], new Set(['tr', 'table'])],
  th: [['td', 'th'], new Set(['tr', 'table'])],
  tbody: [SECTION_PARTS, TABLE_ONLY],
  thead: [SECTION_PARTS, TABLE_ONLY],
  tfoot: [SECTION_PARTS, TABLE_ONLY],
  a: [['a'], TABLE_SCOPE],
};

const RULES = new Map<string, Rule>();
const rule = (name: string, attrs: readonly string[] | null, dropContent: 0 | 1 | 2 = 0): Rule => ({
  name,
  attrs,
  dropContent,
  isVoid: name === 'br' || name === 'hr' || name === 'img',
  closesP: CLOSES_P.has(name),
  heading: HEADINGS.has(name),
  closes: IMPLIED_CLOSES[name]?.[0] ?? null,
  closeStop: IMPLIED_CLOSES[name]?.[1] ?? null,
  endStop: name === 'table' ? null : name === 'caption' || SECTION_PARTS.includes(name) ? TABLE_ONLY : TABLE_SCOPE,
  self: [name],
});
for (const [name, attrs] of Object.entries(KEEP)) RULES.set(name, rule(name, attrs));
for (const name of AS_DIV) RULES.set(name, rule('div', KEEP.div!));
for (const name of DROP_CONTENT) RULES.set(name, rule(name, null, 1));
for (const name of DROP_NESTED) RULES.set(name, rule(name, null, 2));

/** Open elements deeper than this are not kept (their text is); bounds the work per end tag. */
export const MAX_DEPTH = 100;

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

const escapeAttr = (v: string) =>
  /[&"<>]/.test(v) ? v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : v;

/** Sanitized HTML and the plain text it shows (blocks on their own lines, list items bulleted, spaces folded). */
export interface CleanedHtml {
  html: string;
  text: string;
}

/** Closing these (and writing br and hr) ends a line of the plain text. */
const LINE_ENDS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'tr', 'table', 'ul', 'ol', 'dl', 'dd', 'dt', 'figure', 'figcaption']);

const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze({});

/** One document being cleaned: the input, the output so far, the open elements and the tag being read. */
class Cleaner {
  // The output is the input with edits: out holds everything before `from`; the input from `from` on is still to copy.
  out = '';
  from = 0;
  // The plain text so far, entities still encoded; textFrom is where the text run being read began.
  text = '';
  textFrom = 0;
  readonly n: number;
  readonly stack: string[] = [];
  // Attribute values of the tag just read, by name (first occurrence wins, as in a browser).
  attrs: Record<string, string> = NO_ATTRS;
  hasAttrs = false;
  selfClosing = false;

  constructor(
    readonly s: string,
    readonly base: string | undefined,
  ) {
    this.n = s.length;
  }

  /** Replaces input [at, to) by replacement in the output. */
  edit(at: number, to: number, replacement: string): void {
    this.out += at > this.from ? this.s.slice(this.from, at) + replacement : replacement;
    this.from = to;
  }

  /** Reads attributes from i up to and including '>'; keeps those named in wanted. -1 when the input ends first. */
  readTag(start: number, wanted: readonly string[] | null): number {
    const { s, n } = this;
    let i = start;
    this.attrs = NO_ATTRS;
    this.hasAttrs = false;
    this.selfClosing = false;
    for (;;) {
      let c = s.charCodeAt(i);
      while (i < n && (isWs(c) || c === 47)) {
        this.selfClosing = c === 47;
        c = s.charCodeAt(++i);
      }
      if (i >= n) return -1;
      if (c === 62) return i + 1;
      this.hasAttrs = true;
      this.selfClosing = false;
      const nameStart = i++;
      for (c = s.charCodeAt(i); i < n && !isWs(c) && c !== 47 && c !== 62 && c !== 61; c = s.charCodeAt(++i));
      const nameEnd = i;
      while (i < n && isWs(c)) c = s.charCodeAt(++i);
      let value = '';
      if (c === 61) {
        c = s.charCodeAt(++i);
        while (i < n && isWs(c)) c = s.charCodeAt(++i);
        if (c === 34 || c === 39) {
          const end = s.indexOf(c === 34 ? '"' : "'", i + 1);
          if (end === -1) return -1;
          value = s.slice(i + 1, end);
          i = end + 1;
        } else if (c !== 62) {
          const valueStart = i;
          while (i < n && !isWs(c) && c !== 62) c = s.charCodeAt(++i);
          value = s.slice(valueStart, i);
        }
      }
      if (wanted) {
        const name = s.slice(nameStart, nameEnd).toLowerCase();
        if ((name === 'href' || name === 'src' || wanted.includes(name)) && !Object.prototype.hasOwnProperty.call(this.attrs, name)) {
          if (this.attrs === NO_ATTRS) this.attrs = {};
          this.attrs[name] = value;
        }
      }
    }
  }

  /** Whether the tag name at k is name (any case), ended by whitespace, '/', '>' or the end of input. */
  nameAt(k: number, name: string): boolean {
    const { s, n } = this;
    for (let j = 0; j < name.length; j++) if ((s.charCodeAt(k + j) | 32) !== name.charCodeAt(j)) return false;
    const c = s.charCodeAt(k + name.length);
    return k + name.length >= n || isWs(c) || c === 47 || c === 62;
  }

  /** Index after the end tag that closes name (nested ones counted when nests); n when it never closes. */
  skipContent(i: number, name: string, nests: boolean): number {
    const { s, n } = this;
    let depth = 0;
    for (let lt = s.indexOf('<', i); lt !== -1; lt = s.indexOf('<', lt + 1)) {
      if (s.charCodeAt(lt + 1) === 47 && this.nameAt(lt + 2, name)) {
        if (depth-- === 0) {
          const gt = s.indexOf('>', lt);
          return gt === -1 ? n : gt + 1;
        }
      } else if (nests && this.nameAt(lt + 1, name)) depth++;
    }
    return n;
  }

  /** End tags for the open elements from stack index `to` up, innermost first (popped). */
  closeTags(to: number): string {
    let tags = '';
    while (this.stack.length > to) {
      const name = this.stack.pop()!;
      tags += `</${name}>`;
      if (LINE_ENDS.has(name)) this.text += '\n';
    }
    return tags;
  }

  /** Stack index of the nearest open element named in names, or -1 when one of stop comes first. */
  openIndex(names: readonly string[], stop: ReadonlySet<string> | null): number {
    const { stack } = this;
    for (let k = stack.length - 1; k >= 0; k--) {
      const open = stack[k]!;
      if (names.includes(open)) return k;
      if (stop?.has(open)) return -1;
    }
    return -1;
  }

  /** Closes (in the output, before the tag at lt) the nearest open element named in names, if one is in scope. */
  closeOpen(lt: number, names: readonly string[], stop: ReadonlySet<string> | null): void {
    const k = this.openIndex(names, stop);
    if (k !== -1) this.edit(lt, lt, this.closeTags(k));
  }

  url(raw: string | undefined, mailto: boolean): string | null {
    if (!raw) return null;
    const v = decodeEntities(raw).trim();
    if (mailto && /^mailto:/i.test(v)) return v;
    return safeHttpUrl(v, this.base);
  }

  writeAttrs(names: readonly string[]): string {
    let written = '';
    for (const k of names) {
      const v = this.attrs[k];
      if (v) written += ` ${k}="${escapeAttr(decodeEntities(v))}"`;
    }
    return written;
  }

  /** Handles the start tag at lt whose name (lowercased) ends at k; plain when the input wrote it in lowercase. */
  open(lt: number, tag: string, k: number, plain: boolean): number {
    const { stack } = this;
    const r = RULES.get(tag);
    const end = this.readTag(k, r?.attrs ?? null);
    if (end === -1) {
      this.edit(lt, this.n, '');
      return this.n;
    }
    if (!r || !r.attrs || (!r.isVoid && stack.length >= MAX_DEPTH)) {
      const next =
        !r?.dropContent || (this.selfClosing && (tag === 'svg' || tag === 'math')) ? end : tag === 'plaintext' ? this.n : this.skipContent(end, tag, r.dropContent === 2);
      this.edit(lt, next, '');
      return next;
    }
    const name = r.name;
    if (r.closesP) this.closeOpen(lt, P_ONLY, TABLE_SCOPE);
    if (r.heading && HEADINGS.has(stack[stack.length - 1]!)) this.edit(lt, lt, this.closeTags(stack.length - 1));
    else if (r.closes && name !== 'a') this.closeOpen(lt, r.closes, r.closeStop);

    if (name === 'img') {
      const src = this.url(this.attrs.src, false);
      this.edit(lt, end, src ? `<img src="${escapeAttr(src)}"${this.writeAttrs(r.attrs)}>` : '');
      return end;
    }
    if (name === 'a') {
      const href = this.url(this.attrs.href, true);
      if (!href) {
        this.edit(lt, end, '');
        return end;
      }
      this.closeOpen(lt, r.closes!, r.closeStop);
      this.edit(lt, end, `<a href="${escapeAttr(href)}"${this.writeAttrs(r.attrs)} rel="noopener noreferrer nofollow">`);
    } else if (!plain || end !== k + 1 || name !== tag) {
      // Anything but exactly <name> in the input is written anew.
      this.edit(lt, end, `<${name}${this.hasAttrs ? this.writeAttrs(r.attrs) : ''}>`);
    }
    if (r.isVoid) this.text += '\n';
    else {
      if (name === 'li') this.text += '\n• ';
      stack.push(name);
    }
    return end;
  }

  /** Handles the end tag at lt whose name (lowercased) ends at k. */
  close(lt: number, tag: string, k: number, plain: boolean): number {
    const after = this.readTag(k, null);
    if (after === -1) {
      this.edit(lt, this.n, '');
      return this.n;
    }
    const r = RULES.get(tag);
    const found = !r?.attrs || r.isVoid ? -1 : this.openIndex(r.self, r.endStop);
    if (found === -1) this.edit(lt, after, '');
    else if (found === this.stack.length - 1 && plain && r!.name === tag && after === k + 1) {
      if (LINE_ENDS.has(this.stack.pop()!)) this.text += '\n';
    } else this.edit(lt, after, this.closeTags(found));
    return after;
  }

  /** The whole document: tags handled where they start, comments and other markup dropped, stray '<' escaped. */
  run(): string {
    const { s, n } = this;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt === -1) break;
      const c = s.charCodeAt(lt + 1);
      // Everything but a '<' that starts no markup ends the text run.
      if (isAlpha(c) || c === 33 || c === 47 || c === 63) {
        if (lt > this.textFrom) this.text += s.slice(this.textFrom, lt);
      }
      if (isAlpha(c) || (c === 47 && isAlpha(s.charCodeAt(lt + 2)))) {
        const closing = c === 47;
        let k = closing ? lt + 2 : lt + 1;
        const nameStart = k;
        let plain = true;
        for (let d = s.charCodeAt(k); k < n && !isWs(d) && d !== 47 && d !== 62; d = s.charCodeAt(++k)) if (d >= 65 && d <= 90) plain = false;
        const raw = s.slice(nameStart, k);
        const name = plain ? raw : raw.toLowerCase();
        i = this.textFrom = closing ? this.close(lt, name, k, plain) : this.open(lt, name, k, plain);
      } else if (c === 33 && s.startsWith('--', lt + 2)) {
        // Comments end at -->, at --!>, or at once for <!--> and <!--->.
        let next: number;
        if (s.charCodeAt(lt + 4) === 62) next = lt + 5;
        else if (s.startsWith('->', lt + 4)) next = lt + 6;
        else {
          const a = s.indexOf('-->', lt + 4);
          const b = s.indexOf('--!>', lt + 4);
          next = a === -1 && b === -1 ? n : a === -1 || (b !== -1 && b < a) ? b + 4 : a + 3;
        }
        this.edit(lt, next, '');
        i = this.textFrom = next;
      } else if (c === 33 || c === 63 || c === 47) {
        // <!doctype …>, <![CDATA[ … >, <?…>, </ …> and </>: bogus comments up to the next '>'.
        const gt = s.indexOf('>', lt + 2);
        const next = gt === -1 ? n : gt + 1;
        this.edit(lt, next, '');
        i = this.textFrom = next;
      } else {
        // A '<' that starts no tag is text.
        this.edit(lt, lt + 1, '&lt;');
        i = lt + 1;
      }
    }
    if (n > this.textFrom) this.text += s.slice(this.textFrom);
    return this.out + s.slice(this.from) + this.closeTags(0);
  }
}

/**
 * Cleans item HTML to the allowlist: script, style, iframe, svg, math, object, forms and their content go; event
 * handlers, styles, classes and ids go; links keep http(s) and mailto only, images http(s) only, both resolved
 * against base; links get rel="noopener noreferrer nofollow". Unbalanced markup is closed the way a browser would.
 * Input that is already clean (lowercase tags without attributes, closed in order) is copied, not rebuilt.
 */
export function cleanHtml(input: string, base?: string | null): CleanedHtml {
  const cleaner = new Cleaner(input, base ?? undefined);
  const html = cleaner.run();
  return { html, text: foldText(decodeEntities(cleaner.text)) };
}
