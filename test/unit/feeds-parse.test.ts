import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../src/feeds/errors.js';
import { normalizeFeed } from '../../src/feeds/normalize.js';
import { parseOpml } from '../../src/feeds/opml.js';
import { parseFeedBody } from '../../src/feeds/parse.js';

const dir = join(import.meta.dirname, '../fixtures/feeds');
const fixture = (name: string) => readFileSync(join(dir, name));
const NOW = Date.UTC(2026, 3, 7, 12, 0, 0);
const load = (name: string, contentType?: string) => {
  const parsed = parseFeedBody(fixture(name), { feedUrl: `https://feeds.example/${name}`, contentType });
  return { parsed, ...normalizeFeed(parsed, NOW) };
};
const byGuid = <T extends { guid: string }>(list: T[], guid: string): T => list.find((a) => a.guid === guid)!;

function expectFeedError(fn: () => unknown, pattern: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FeedError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('RSS 2.0', () => {
  const { parsed, articles, skippedNoLink, skippedDuplicate } = load('rss2.xml');

  it('reads the channel and keeps items with an http(s) link, once each', () => {
    expect(parsed.format).toBe('rss');
    expect(parsed.title).toBe('Fixture Engineering & Friends');
    expect(articles.map((a) => a.canonicalUrl)).toEqual([
      'https://eng.example.com/blog/scaling-queues',
      'https://eng.example.com/blog/posts/zero-downtime.html',
      'https://eng.example.com/blog/bidi',
      'https://eng.example.com/blog/undated',
    ]);
    // javascript:, data: and a missing link are skipped and counted; a repeated GUID is dropped.
    expect(skippedNoLink).toBe(3);
    expect(skippedDuplicate).toBe(1);
  });

  it('handles CDATA titles, dc:creator, content:encoded and strips tracking from the canonical URL', () => {
    const a = byGuid(articles, 'fixture-rss-1');
    expect(a.title).toBe('Scaling queues & workers');
    expect(a.author).toBe('Ada Lovelace');
    expect(a.url).toContain('utm_source=rss');
    expect(a.canonicalUrl).toBe('https://eng.example.com/blog/scaling-queues');
    expect(a.publishedAt).toBe(Date.UTC(2026, 3, 6, 8, 30));
    expect(a.dateSource).toBe('feed');
    expect(a.contentHtml).toContain('<strong>body</strong>');
  });

  it('sanitizes the content: no script, style, iframe, form, svg, handlers, javascript: or data: URLs', () => {
    const html = byGuid(articles, 'fixture-rss-1').contentHtml;
    for (const bad of ['<script', 'alert', '<style', 'color:red', '<iframe', '<form', '<input', '<svg', 'svg text', 'onclick', 'onerror', 'javascript:', 'data:'])
      expect(html).not.toContain(bad);
    expect(html).toContain('href="https://eng.example.com/blog/related"');
    expect(html).toContain('src="https://eng.example.com/img/chart.png"');
    expect(byGuid(articles, 'fixture-rss-1').contentText).toContain('Full body with a relative link.');
  });

  it('summarizes the description in at most five sentences without the "appeared first" line', () => {
    const s = byGuid(articles, 'fixture-rss-1').summary;
    expect(s).toBe(
      'We moved our job queue to a new design, e.g. sharded by tenant. The U.S. region went first. Version v2.5 of the scheduler shipped with Node.js 20. "Is it faster?" the team asked. It is, by a lot.',
    );
    expect(s).not.toMatch(/appeared first/);
  });

  it('resolves relative links against the channel link, folds titles, reads a stray & and zone-less dates as UTC', () => {
    const a = byGuid(articles, 'https://eng.example.com/blog/posts/zero-downtime.html');
    expect(a.title).toBe("Tom & Jerry's guide to zero downtime");
    expect(a.author).toBe('Grace Hopper');
    expect(a.publishedAt).toBe(Date.UTC(2026, 3, 6, 10, 0));
    expect(a.summary).toBe('Plain description with escaped markup.');
  });

  it('drops bidi and zero-width controls; a far-future or missing date becomes the first-seen time', () => {
    const a = byGuid(articles, 'fixture-rss-3');
    expect(a.title).toBe('Reversed title with bidi controls');
    expect(a.dateSource).toBe('first_seen');
    expect(a.publishedAt).toBe(NOW);
    const undated = articles.find((x) => x.canonicalUrl.endsWith('/undated'))!;
    expect(undated.dateSource).toBe('first_seen');
    expect(undated.guid).toBe('https://eng.example.com/blog/undated');
  });
});

describe('RSS 1.0 / RDF', () => {
  it('reads items outside the channel with dc:date and dc:creator', () => {
    const { parsed, articles } = load('rss1-rdf.xml');
    expect(parsed.format).toBe('rdf');
    expect(articles).toHaveLength(2);
    expect(articles[0]!.publishedAt).toBe(Date.UTC(2026, 3, 5, 7, 15));
    expect(articles[0]!.author).toBe('Tim B.');
    expect(articles[1]!.publishedAt).toBe(Date.UTC(2026, 3, 5));
    expect(articles[1]!.contentHtml).toBe('<p>Encoded <em>content</em> for B.</p>');
  });
});

describe('Atom', () => {
  const { parsed, articles } = load('atom.xml');
  it('resolves links against nested xml:base and prefers published over updated', () => {
    expect(parsed.format).toBe('atom');
    const a = articles[0]!;
    expect(a.canonicalUrl).toBe('https://atom.example.net/posts/2026/html-entry');
    expect(a.publishedAt).toBe(Date.UTC(2026, 3, 6, 12, 0));
    expect(a.title).toBe('HTML title & more');
    expect(a.author).toBe('Entry Author');
    expect(a.contentHtml).toContain('src="https://atom.example.net/posts/2026/pic.png"');
    expect(a.summary).toBe('An HTML summary. With a relative link.');
  });
  it('escapes type="text" content instead of treating it as markup', () => {
    const a = articles[1]!;
    expect(a.contentHtml).toBe('Plain text content: use &lt;div&gt; elements &amp; keep them as text.');
    expect(a.contentText).toBe('Plain text content: use <div> elements & keep them as text.');
    expect(a.author).toBe('Feed Author');
  });
  it('reads xhtml content and the alternate link, dropping ref=', () => {
    const a = articles[2]!;
    expect(a.canonicalUrl).toBe('https://atom.example.net/xhtml-entry?page=2');
    expect(a.contentHtml).toBe('<p>XHTML <em>content</em> here.</p>');
  });
});

describe('JSON Feed', () => {
  it('parses items, resolves relative URLs against feed_url, escapes content_text, skips unusable links', () => {
    const { parsed, articles, skippedNoLink } = load('jsonfeed.json', 'application/feed+json');
    expect(parsed.format).toBe('json');
    expect(articles.map((a) => a.canonicalUrl)).toEqual(['https://json.example.io/posts/one?lang=en', 'https://json.example.io/posts/two']);
    expect(skippedNoLink).toBe(2);
    expect(articles[0]!.contentHtml).toBe('<p>JSON <b>HTML</b> content.</p>');
    expect(articles[0]!.summary).toBe('A JSON summary sentence. Another one.');
    expect(articles[0]!.author).toBe('Jo Json');
    expect(articles[1]!.contentHtml).toBe('Plain &lt;text&gt; content.<br>Second line.');
    expect(articles[1]!.publishedAt).toBe(Date.UTC(2026, 3, 5, 5, 0));
    expect(articles[1]!.author).toBe('JSON Team');
  });
});

describe('encodings', () => {
  it('decodes ISO-8859-1 by the XML declaration', () => {
    const { articles, parsed } = load('latin1.xml');
    expect(parsed.title).toBe('Café Latin');
    expect(articles[0]!.title).toBe('Résumé naïve façade');
    expect(articles[0]!.summary).toBe('Crème brûlée à la carte.');
  });
  it('decodes Windows-1252 quotes, dashes and the euro sign', () => {
    const { articles } = load('cp1252.xml');
    expect(articles[0]!.title).toBe('“Smart” quotes — and € prices');
    expect(articles[0]!.publishedAt).toBe(Date.UTC(2026, 3, 5, 17, 0));
  });
  it('uses the Content-Type charset when the document declares none, and honours a BOM', () => {
    const xml = '<rss><channel><title>Ærø</title><item><title>Ærø</title><link>https://x.example/a</link></item></channel></rss>';
    const latin = Buffer.from(xml, 'latin1');
    expect(parseFeedBody(latin, { contentType: 'application/rss+xml; charset=ISO-8859-1' }).title).toBe('Ærø');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]);
    expect(parseFeedBody(bom).title).toBe('Ærø');
  });
  it('replaces invalid UTF-8 with U+FFFD rather than failing', () => {
    const bytes = Buffer.concat([Buffer.from('<rss><channel><title>a'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('</title></channel></rss>')]);
    expect(parseFeedBody(bytes).title).toBe('a\ufffd\ufffdA');
  });
});

describe('cross-feed duplicates', () => {
  it('gives the same canonical URL to the same article seen through Medium (source=rss…, host case, :443)', () => {
    const a = load('rss2.xml').articles[0]!;
    const b = load('medium-dup.xml').articles[0]!;
    expect(b.canonicalUrl).toBe(a.canonicalUrl);
    expect(load('medium-dup.xml').articles[1]!.summary).toBe('Unique to this feed.');
  });
});

describe('refusals: every one a FeedError with a clear reason', () => {
  it('billion laughs and XXE are refused before any parser runs', () => {
    expectFeedError(() => parseFeedBody(fixture('billion-laughs.xml')), /DOCTYPE.*entity declarations are not allowed/);
    expectFeedError(() => parseFeedBody(fixture('xxe.xml')), /entity declarations are not allowed/);
  });
  it('a quadratic blowup (100 KB entity referenced 20,000 times) fails fast', () => {
    const doc = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${'x'.repeat(100_000)}">]><rss><channel><title>${'&a;'.repeat(20_000)}</title></channel></rss>`;
    expectFeedError(() => parseFeedBody(doc), /entity declarations are not allowed/);
  });
  it('a plain DOCTYPE without an internal subset (RSS 0.91) is fine', () => {
    expect(load('doctype-ok.xml').articles[0]!.title).toBe('Old item');
  });
  it('100,000 nested elements fail without a stack overflow', () => {
    const deep = '<rss><channel>' + '<x>'.repeat(100_000) + '</x>'.repeat(100_000) + '</channel></rss>';
    expectFeedError(() => parseFeedBody(deep), /nested more than \d+ deep/);
  });
  it('truncated documents are refused even where a lenient parser would accept them', () => {
    expectFeedError(() => parseFeedBody(fixture('truncated.xml')), /truncated|not closed/);
    const rss = fixture('rss2.xml').toString('utf8');
    const cut = rss.slice(0, rss.indexOf('</item>') + '</item>'.length);
    expectFeedError(() => parseFeedBody(cut), /root element <rss> is not closed/);
  });
  it('HTML pages, empty bodies, JSON error bodies and other XML are "not a feed"', () => {
    expectFeedError(() => parseFeedBody(fixture('not-a-feed.html')), /not a feed: got an HTML page/);
    expectFeedError(() => parseFeedBody(fixture('empty.xml')), /not a feed: the response body is empty/);
    expectFeedError(() => parseFeedBody('  \n '), /empty/);
    expectFeedError(() => parseFeedBody(fixture('error.json')), /not a feed: JSON without a JSON Feed version/);
    expectFeedError(() => parseFeedBody('{"version": "https://jsonfeed.org/version/1.1"'), /not valid JSON/);
    expectFeedError(() => parseFeedBody('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), /unsupported document \(root element <svg>\)/);
    expectFeedError(() => parseFeedBody('Internal Server Error'), /neither XML nor JSON/);
  });
});

describe('per-run item cap', () => {
  it('keeps the newest items of a 20,000-item feed', () => {
    const items: string[] = [];
    for (let i = 0; i < 20_000; i++)
      items.push(`<item><title>Item ${i}</title><link>https://big.example/${i}</link><pubDate>${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString()}</pubDate></item>`);
    // Oldest first in the document: the cap must still keep the newest.
    const parsed = parseFeedBody(`<rss><channel><title>Big</title>${items.join('')}</channel></rss>`, { maxItems: 200 });
    expect(parsed.items).toHaveLength(200);
    expect(parsed.truncatedItems).toBe(19_800);
    expect(parsed.items[0]!.title).toBe('Item 19999');
    expect(parsed.items[199]!.title).toBe('Item 19800');
  });
});

describe('OPML', () => {
  it('the bundled sources file lists the 31 default sources, both entries of a blog followed twice kept', () => {
    const entries = parseOpml(readFileSync(join(import.meta.dirname, '../../sources.opml'), 'utf8'));
    expect(entries).toHaveLength(31);
    const names = entries.map((e) => e.name);
    for (const n of ['Netflix Tech Blog', 'The Netflix Tech Blog', 'Dropbox Tech Blog', 'The Dropbox Blog', 'GitHub Engineering', 'The GitHub Blog', "O'Reilly Radar"])
      expect(names).toContain(n);
    expect(new Set(entries.map((e) => e.feedUrl)).size).toBe(31);
    expect(entries.every((e) => e.weight === 1 && /^https:\/\//.test(e.feedUrl))).toBe(true);
    // Every default source names its company, as the digest shows it.
    expect(entries.filter((e) => !e.company).map((e) => e.name)).toEqual([]);
    const company = (name: string) => entries.find((e) => e.name === name)?.company;
    expect([company('Netflix Tech Blog'), company('The Netflix Tech Blog'), company('AWS Architecture Blog'), company("O'Reilly Radar")]).toEqual(['Netflix', 'Netflix', 'AWS', "O'Reilly"]);
  });
  it('reads nested outlines, weight, and keeps the first of two equal feed URLs', () => {
    const entries = parseOpml(`<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline text="Group"><outline text="A &amp; B" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/" weight="1.5"/></outline>
      <outline title="C" xmlUrl="https://c.example/feed" weight="bogus"/>
      <outline text="A again" xmlUrl="https://a.example/feed"/></body></opml>`);
    expect(entries).toEqual([
      { name: 'A & B', feedUrl: 'https://a.example/feed', siteUrl: 'https://a.example/', weight: 1.5, company: null, fulltext: null },
      { name: 'C', feedUrl: 'https://c.example/feed', siteUrl: null, weight: 1, company: null, fulltext: null },
    ]);
  });
  it('reads company and fulltext: a company is one clean line, fulltext only true or false (anything else is "when a teaser")', () => {
    const entries = parseOpml(`<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline text="Netflix TechBlog - Medium" company="  Netflix&#10;Inc " xmlUrl="https://n.example/feed" fulltext="TRUE"/>
      <outline text="Radar" company="O&apos;Reilly" xmlUrl="https://r.example/feed" fulltext="false"/>
      <outline text="Odd" company="" xmlUrl="https://o.example/feed" fulltext="sometimes"/></body></opml>`);
    expect(entries.map((e) => [e.company, e.fulltext])).toEqual([
      ['Netflix Inc', true],
      ["O'Reilly", false],
      [null, null],
    ]);
  });
  it('refuses a file that is not OPML', () => {
    expectFeedError(() => parseOpml('<rss></rss>'), /not an OPML file/);
  });
});

describe('known items', () => {
  it('skips items the store already has (by GUID or canonical URL) before cleaning them', () => {
    const parsed = parseFeedBody(fixture('rss2.xml'), { feedUrl: 'https://feeds.example/rss2.xml' });
    const r = normalizeFeed(parsed, NOW, (k) => k.guid === 'fixture-rss-1' || k.canonicalUrl === 'https://eng.example.com/blog/bidi');
    expect(r.skippedKnown).toBe(2);
    expect(r.articles.map((a) => a.canonicalUrl)).toEqual(['https://eng.example.com/blog/posts/zero-downtime.html', 'https://eng.example.com/blog/undated']);
  });
});
