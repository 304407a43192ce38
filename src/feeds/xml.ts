// A small element tree over fast-xml-parser's ordered output: built once per document, so lookups stay linear.
import { XMLParser } from 'fast-xml-parser';
import { decodeEntities } from './clean.js';
import { FeedError } from './errors.js';

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

/** The options of the bare parse, shared with the benchmark's baseline. */
export const XML_PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by us, once, after parsing: no expansion inside the parser, and CDATA stays literal.
  processEntities: false,
  cdataPropName: '#cdata',
} as const;

const parser = new XMLParser(XML_PARSER_OPTIONS);

const isElement = (n: XElement | XText): n is XElement => (n as XElement).local !== undefined;

type Ordered = Record<string, unknown>[];

function resolveBase(xmlBase: string, parent: string | null): string | null {
  try {
    return parent ? new URL(xmlBase.trim(), parent).href : new URL(xmlBase.trim()).href;
  } catch {
    return null;
  }
}

function build(list: Ordered, parentBase: string | null, parentXmlBase: boolean, out: (XElement | XText)[]): void {
  for (const node of list) {
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      const value = node[key];
      if (key === '#text') {
        out.push({ text: String(value), cdata: false });
      } else if (key === '#cdata') {
        for (const t of value as Ordered) if (t['#text'] !== undefined) out.push({ text: String(t['#text']), cdata: true });
      } else if (key) {
        const attrs = (node[':@'] as Record<string, string> | undefined) ?? {};
        const own = attrs['xml:base'] !== undefined ? resolveBase(decodeEntities(attrs['xml:base']), parentBase) : null;
        const lower = key.toLowerCase();
        const colon = lower.indexOf(':');
        const el: XElement = {
          raw: key,
          local: colon === -1 ? lower : lower.slice(colon + 1),
          prefix: colon === -1 ? '' : lower.slice(0, colon),
          attrs,
          children: [],
          base: own ?? parentBase,
          xmlBase: parentXmlBase || own !== null,
        };
        build(value as Ordered, el.base, el.xmlBase, el.children);
        out.push(el);
      }
    }
  }
}

/** Parses a checked XML document (see checkXmlDocument) into its root element; base is the document's URL. */
export function parseXmlTree(xml: string, base: string | null): XElement {
  let ordered: Ordered;
  try {
    ordered = parser.parse(xml) as Ordered;
  } catch (err) {
    throw new FeedError(`not a well-formed feed: ${String((err as Error).message ?? err).split('\n')[0]!.slice(0, 200)}`);
  }
  const top: (XElement | XText)[] = [];
  build(ordered, base, false, top);
  const root = top.find(isElement);
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
