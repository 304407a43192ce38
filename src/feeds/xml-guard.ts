import { FeedError } from './errors.js';

/** Deeper than this is an attack or garbage, never a feed (real feeds nest under 20). */
export const MAX_XML_DEPTH = 256;

const isNameStart = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127;

/**
 * One linear pass over an XML document before any parser sees it: rejects a DOCTYPE with an internal subset
 * (entity declarations: billion laughs, quadratic blowup, XXE), nesting deeper than MAX_XML_DEPTH, unterminated
 * markup, and a document whose root element is not closed (a cut-off body that a lenient parser would accept).
 * Returns the root element's name.
 */
export function checkXmlDocument(xml: string): string {
  const n = xml.length;
  let i = 0;
  let depth = 0;
  let root: string | undefined;
  let lastClose = '';
  let lastCloseEnd = -1;
  let rootClosed = false;
  while (i < n) {
    i = xml.indexOf('<', i);
    if (i === -1) break;
    const c = xml.charCodeAt(i + 1);
    if (c === 33 /* ! */) {
      if (xml.startsWith('<![CDATA[', i)) {
        const j = xml.indexOf(']]>', i + 9);
        if (j === -1) throw new FeedError('not a well-formed feed: unterminated CDATA section (truncated document?)');
        i = j + 3;
        continue;
      }
      if (xml.startsWith('<!--', i)) {
        const j = xml.indexOf('-->', i + 4);
        if (j === -1) throw new FeedError('not a well-formed feed: unterminated comment (truncated document?)');
        i = j + 3;
        continue;
      }
      if (/^<!DOCTYPE/i.test(xml.slice(i, i + 9))) {
        const gt = xml.indexOf('>', i);
        const br = xml.indexOf('[', i);
        if (br !== -1 && (gt === -1 || br < gt))
          throw new FeedError('refused: the document declares a DOCTYPE with an internal subset (entity declarations are not allowed)');
        if (gt === -1) throw new FeedError('not a well-formed feed: unterminated DOCTYPE');
        if (/<!ENTITY/i.test(xml.slice(i, gt))) throw new FeedError('refused: entity declarations are not allowed');
        i = gt + 1;
        continue;
      }
      if (/^<!ENTITY/i.test(xml.slice(i, i + 8))) throw new FeedError('refused: entity declarations are not allowed');
      i += 2;
      continue;
    }
    if (c === 63 /* ? */) {
      const j = xml.indexOf('?>', i + 2);
      if (j === -1) throw new FeedError('not a well-formed feed: unterminated processing instruction');
      i = j + 2;
      continue;
    }
    if (c === 47 /* / */) {
      const j = xml.indexOf('>', i + 2);
      if (j === -1) throw new FeedError('not a well-formed feed: the document ends inside a closing tag (truncated)');
      lastClose = xml.slice(i + 2, j).trim();
      lastCloseEnd = j + 1;
      if (depth > 0) depth--;
      if (depth === 0 && lastClose === root) rootClosed = true;
      i = j + 1;
      continue;
    }
    if (!isNameStart(c)) {
      // A stray '<' in text: lenient parsers cope, so do we.
      i++;
      continue;
    }
    // An opening tag: find its end, skipping quoted attribute values.
    const j = tagEnd(xml, i + 1);
    if (j >= n) throw new FeedError('not a well-formed feed: the document ends inside a tag (truncated)');
    if (root === undefined) {
      let k = i + 1;
      while (k < j && !/[\s/>]/.test(xml[k]!)) k++;
      root = xml.slice(i + 1, k);
    }
    if (xml.charCodeAt(j - 1) !== 47 /* self-closing */) {
      depth++;
      if (depth > MAX_XML_DEPTH) throw new FeedError(`refused: elements nested more than ${MAX_XML_DEPTH} deep`);
    } else if (lastCloseEnd < j) {
      lastClose = '';
      lastCloseEnd = j + 1;
    }
    i = j + 1;
  }
  if (root === undefined) throw new FeedError('not a feed: no XML element found');
  // Only whitespace, comments and processing instructions may follow the root's closing tag.
  const tail = xml
    .slice(lastCloseEnd < 0 ? n : lastCloseEnd)
    .replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g, '')
    .trim();
  if (!rootClosed && (lastClose !== root || tail !== ''))
    throw new FeedError(`not a well-formed feed: the root element <${root}> is not closed (truncated document?)`);
  return root;
}

/** Index of the `>` that ends the tag begun before `from`, skipping quoted attribute values; the length when none. */
export function tagEnd(xml: string, from: number): number {
  const n = xml.length;
  let j = from;
  let quote = 0;
  for (; j < n; j++) {
    const d = xml.charCodeAt(j);
    if (quote) {
      if (d === quote) quote = 0;
    } else if (d === 34 || d === 39) quote = d;
    else if (d === 62 /* > */) break;
  }
  return j;
}
