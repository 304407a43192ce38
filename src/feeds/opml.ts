// The sources file: OPML outlines with xmlUrl become sources (name, feed URL, site URL, ranking weight, the company
// the digest names, whether to fetch article pages).
import { XMLParser } from 'fast-xml-parser';
import { cleanLine } from './clean.js';
import { FeedError } from './errors.js';
import { checkXmlDocument } from './xml-guard.js';

/** One source as the OPML file declares it. */
export interface SourceEntry {
  name: string;
  feedUrl: string;
  siteUrl: string | null;
  weight: number;
  /** The name the digest shows (`company`), e.g. "Netflix" for "Netflix TechBlog - Medium"; null: the feed's name. */
  company: string | null;
  /** `fulltext="true"`: always fetch the article page; "false": never; absent: when the feed gives only a teaser. */
  fulltext: boolean | null;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'outline',
  processEntities: true,
  htmlEntities: true,
});

type Outline = Record<string, unknown> & { outline?: Outline[] };

/** Parses OPML text into source entries (nested outlines included, the first of two equal feed URLs kept). */
export function parseOpml(text: string): SourceEntry[] {
  const root = checkXmlDocument(text.replace(/^\ufeff/, ''));
  if (root.toLowerCase() !== 'opml') throw new FeedError(`not an OPML file (root element <${root.slice(0, 40)}>)`);
  const doc = parser.parse(text) as { opml?: { body?: { outline?: Outline[] } } };
  const out: SourceEntry[] = [];
  const seen = new Set<string>();
  const walk = (outlines: Outline[] | undefined) => {
    for (const o of outlines ?? []) {
      const xmlUrl = typeof o.xmlUrl === 'string' ? o.xmlUrl.trim() : typeof o.xmlurl === 'string' ? o.xmlurl.trim() : '';
      if (xmlUrl && !seen.has(xmlUrl)) {
        seen.add(xmlUrl);
        const name = cleanLine(String(o.text ?? o.title ?? ''), 200) ?? xmlUrl;
        const w = Number(o.weight ?? 1);
        const htmlUrl = typeof o.htmlUrl === 'string' && /^https?:\/\//i.test(o.htmlUrl.trim()) ? o.htmlUrl.trim() : null;
        const company = cleanLine(typeof o.company === 'string' ? o.company : null, 100);
        const ft = typeof o.fulltext === 'string' ? o.fulltext.trim().toLowerCase() : '';
        const fulltext = ft === 'true' ? true : ft === 'false' ? false : null;
        out.push({ name, feedUrl: xmlUrl, siteUrl: htmlUrl, weight: Number.isFinite(w) && w >= 0 && w <= 100 ? w : 1, company, fulltext });
      }
      walk(o.outline);
    }
  };
  walk(doc.opml?.body?.outline);
  return out;
}
