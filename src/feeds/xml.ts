// A small element tree built in one linear pass; lookups over it stay linear however many items a feed has.
import { decodeEntities } from './entities.js';
import { FeedError } from './errors.js';
import { MAX_XML_DEPTH, tagEnd } from './xml-guard.js';

/** A text run: raw as written (entities not decoded) unless it was CDATA. */
export interface XText {
  text: string;
  cdata: boolean;
}

/** An element: names lowercased and split at the prefix, attributes raw, xml:base resolved. */
export interface XElement {
  raw: string;
  local: string;
  prefix: string;
  attrs: Record<string, string>;
  children: (XElement | XText)[];
  /** The base URL in effect: the document's URL, or an xml:base on this element or an ancestor resolved against it. */
  base: string | null;
  /** Whether an xml:base (here or on an ancestor) set base. */
  xmlBase: boolean;
}

const isElement = (n: XElement | XText): n is XElement => (n as XElement).local !== undefined;

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127;

function resolveBase(xmlBase: string, parent: string | null): string | null {
  try {
    return parent ? new URL(xmlBase.trim(), parent).href : new URL(xmlBase.trim()).href;
  } catch {
    return null;
  }
}

const ATTR = /([^\s=/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

function makeElement(tag: string, parent: XElement): XElement {
  let k = 0;
  while (k < tag.length && !/[\s/]/.test(tag[k]!)) k++;
  const raw = tag.slice(0, k);
  const attrs: Record<string, string> = {};
  if (k < tag.length) {
    ATTR.lastIndex = k;
    for (let m = ATTR.exec(tag); m; m = ATTR.exec(tag)) attrs[m[1]!] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  const lower = raw.toLowerCase();
  const colon = lower.indexOf(':');
  const own = attrs['xml:base'] !== undefined ? resolveBase(decodeEntities(attrs['xml:base']), parent.base) : null;
  return {
    raw: lower,
    local: colon === -1 ? lower : lower.slice(colon + 1),
    prefix: colon === -1 ? '' : lower.slice(0, colon),
    attrs,
    children: [],
    base: own ?? parent.base,
    xmlBase: parent.xmlBase || own !== null,
  };
}

/**
 * Parses a document that passed checkXmlDocument into its root element, in one linear pass (text stays raw, entities
 * are decoded later, once, and CDATA is kept literal). Lenient like feed readers: a stray '<' is text, a closing tag
 * closes the nearest open element of that name, a closing tag with no open element is ignored. base is the document URL.
 */
export function parseXmlTree(xml: string, base: string | null): XElement {
  const doc: XElement = { raw: '#document', local: '#document', prefix: '', attrs: {}, children: [], base, xmlBase: false };
  const stack: XElement[] = [doc];
  const n = xml.length;
  let i = 0;
  let textStart = 0;
  const flush = (end: number) => {
    if (end > textStart && stack.length > 1) stack[stack.length - 1]!.children.push({ text: xml.slice(textStart, end), cdata: false });
  };
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      flush(n);
      break;
    }
    const c = xml.charCodeAt(lt + 1);
    if (c !== 33 && c !== 63 && c !== 47 && !isNameStart(c)) {
      i = lt + 1; // a stray '<' stays in the text run
      continue;
    }
    flush(lt);
    let next: number;
    if (c === 33 /* ! */) {
      if (xml.startsWith('<![CDATA[', lt)) {
        const j = xml.indexOf(']]>', lt + 9);
        const end = j === -1 ? n : j;
        if (stack.length > 1) stack[stack.length - 1]!.children.push({ text: xml.slice(lt + 9, end), cdata: true });
        next = end + 3;
      } else if (xml.startsWith('<!--', lt)) {
        const j = xml.indexOf('-->', lt + 4);
        next = j === -1 ? n : j + 3;
      } else {
        const j = xml.indexOf('>', lt);
        next = j === -1 ? n : j + 1;
      }
    } else if (c === 63 /* ? */) {
      const j = xml.indexOf('?>', lt + 2);
      next = j === -1 ? n : j + 2;
    } else if (c === 47 /* / */) {
      const j = xml.indexOf('>', lt + 2);
      if (j === -1) break;
      const name = xml.slice(lt + 2, j).trim().toLowerCase();
      for (let k = stack.length - 1; k > 0; k--) {
        if (stack[k]!.raw === name) {
          stack.length = k;
          break;
        }
      }
      next = j + 1;
    } else {
      const j = tagEnd(xml, lt + 1);
      if (j >= n) break;
      const selfClosing = xml.charCodeAt(j - 1) === 47;
      const parent = stack[stack.length - 1]!;
      const el = makeElement(xml.slice(lt + 1, selfClosing ? j - 1 : j), parent);
      parent.children.push(el);
      if (!selfClosing) {
        stack.push(el);
        if (stack.length > MAX_XML_DEPTH + 1) throw new FeedError(`refused: elements nested more than ${MAX_XML_DEPTH} deep`);
      }
      next = j + 1;
    }
    i = textStart = next;
  }
  const root = doc.children.find(isElement);
  if (!root) throw new FeedError('not a feed: no root element');
  return root;
}

/** Child elements with a local name (any prefix unless one is given). */
export function childrenNamed(el: XElement, local: string, prefix?: string): XElement[] {
  const out: XElement[] = [];
  for (const c of el.children) if (isElement(c) && c.local === local && (prefix === undefined || c.prefix === prefix)) out.push(c);
  return out;
}

/** The first child element with a local name. */
export function child(el: XElement | null | undefined, local: string, prefix?: string): XElement | null {
  if (!el) return null;
  for (const c of el.children) if (isElement(c) && c.local === local && (prefix === undefined || c.prefix === prefix)) return c;
  return null;
}

/** An attribute with entities decoded. */
export function attr(el: XElement | null | undefined, name: string): string | null {
  const v = el?.attrs[name];
  return v === undefined ? null : decodeEntities(v);
}

function collectText(el: XElement, parts: string[]): void {
  for (const c of el.children) {
    if (isElement(c)) collectText(c, parts);
    else parts.push(c.cdata ? c.text : decodeEntities(c.text));
  }
}

/** The element's text content, entities decoded once, CDATA literal. */
export function textOf(el: XElement | null | undefined): string | null {
  if (!el) return null;
  if (el.children.length === 1 && !isElement(el.children[0]!)) {
    const t = el.children[0] as XText;
    const s = (t.cdata ? t.text : decodeEntities(t.text)).trim();
    return s || null;
  }
  const parts: string[] = [];
  collectText(el, parts);
  const s = parts.join('').trim();
  return s || null;
}

const escapeAttr = (s: string) => s.replace(/&(?![#A-Za-z0-9]+;)/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function serialize(nodes: (XElement | XText)[], parts: string[]): void {
  for (const c of nodes) {
    if (!isElement(c)) {
      parts.push(c.cdata ? escapeText(c.text) : c.text);
      continue;
    }
    const name = c.local;
    parts.push('<', name);
    for (const [k, v] of Object.entries(c.attrs)) if (!k.startsWith('xmlns') && !k.includes(':')) parts.push(' ', k, '="', escapeAttr(v), '"');
    parts.push('>');
    serialize(c.children, parts);
    parts.push('</', name, '>');
  }
}

/** Inner markup as HTML: children serialized with text kept escaped (for XHTML content or unescaped HTML in a feed). */
export function innerMarkup(el: XElement): string {
  const parts: string[] = [];
  serialize(el.children, parts);
  return parts.join('');
}

/** Whether an element has child elements (markup written unescaped inside it). */
export function hasElementChildren(el: XElement): boolean {
  return el.children.some(isElement);
}

/** An element's content read as HTML: escaped or CDATA HTML is decoded to markup; unescaped child markup is serialized. */
export function htmlOf(el: XElement | null | undefined): string | null {
  if (!el) return null;
  if (hasElementChildren(el)) {
    const s = innerMarkup(el).trim();
    return s || null;
  }
  return textOf(el);
}
