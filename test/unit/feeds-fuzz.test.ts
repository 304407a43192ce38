import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../src/feeds/errors.js';
import { normalizeFeed } from '../../src/feeds/normalize.js';
import { parseFeedBody } from '../../src/feeds/parse.js';

const dir = join(import.meta.dirname, '../fixtures/feeds');
const goodFixtures = ['rss2.xml', 'rss1-rdf.xml', 'atom.xml', 'jsonfeed.json', 'latin1.xml', 'cp1252.xml', 'medium-dup.xml', 'doctype-ok.xml'].map((f) =>
  readFileSync(join(dir, f)),
);
const NOW = Date.UTC(2026, 3, 7, 12);

/** The contract under fuzzing: either a parsed feed whose articles are clean, or a FeedError with a message. Nothing else. */
function parseOrClearError(input: Uint8Array | string): 'ok' | 'error' {
  try {
    const feed = parseFeedBody(input, { feedUrl: 'https://fuzz.example/feed' });
    const { articles } = normalizeFeed(feed, NOW);
    for (const a of articles) {
      expect(a.canonicalUrl).toMatch(/^https?:\/\//);
      expect(a.title.length).toBeLessThanOrEqual(300);
      expect(a.title).not.toMatch(/[\r\n\u202e\u200b]/);
      expect(a.summary.length).toBeLessThanOrEqual(600);
      // Text may mention "javascript:"; markup may not carry it, nor scripts or handlers.
      // Text is escaped (no raw '<'), so every '<' starts a tag: check inside tags only.
      expect(a.contentHtml).not.toMatch(/<script|<[^>]+\son\w+\s*=|<[^>]+\s(?:href|src)\s*=\s*["']?\s*(?:javascript|data|vbscript):/i);
      expect(Number.isFinite(a.publishedAt)).toBe(true);
    }
    return 'ok';
  } catch (err) {
    if (!(err instanceof FeedError)) throw err;
    expect(err.message.length).toBeGreaterThan(5);
    return 'error';
  }
}

describe('parser fuzzing', () => {
  it('every fixture cut at any point gives a clear error, never a crash or a silently partial feed', () => {
    for (const bytes of goodFixtures) {
      const text = bytes.toString('latin1');
      const end = text.trimEnd().length;
      fc.assert(
        fc.property(fc.integer({ min: 0, max: end - 2 }), (cut) => {
          expect(parseOrClearError(bytes.subarray(0, cut))).toBe('error');
        }),
        { numRuns: 150 },
      );
    }
  });

  it('random bytes and random strings never crash the parser', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => void parseOrClearError(b)), { numRuns: 400 });
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => void parseOrClearError(s)), { numRuns: 400 });
  });

  it('fixtures with random bytes spliced in parse or fail cleanly', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...goodFixtures),
        fc.nat(),
        fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '/', '!', '[', ']', '?', '-', 'a', ' ', '\u0000', '\u202e', ';', '#', 'x'), maxLength: 40 }),
        (bytes, at, junk) => {
          const text = bytes.toString('utf8');
          const i = at % text.length;
          void parseOrClearError(text.slice(0, i) + junk + text.slice(i));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('XML-shaped random documents made of feed elements never crash', () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('<![CDATA[<p>x</p>]]>', '&amp;', '&', '&#xD800;', '&bogus;', '<br>', '</x>', 'https://a.example/p?utm_source=1'),
    );
    const el = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc
          .tuple(fc.constantFrom('item', 'entry', 'title', 'link', 'guid', 'pubDate', 'description', 'content', 'content:encoded', 'channel', 'id', 'updated', 'summary', 'a'), fc.array(tie('node'), { maxLength: 4 }))
          .map(([name, kids]) => `<${name}${name === 'link' ? ' href="/rel"' : ''}>${kids.join('')}</${name}>`),
      ),
    })).node;
    fc.assert(
      fc.property(fc.constantFrom('rss', 'feed', 'rdf:RDF'), fc.array(el, { maxLength: 8 }), (root, kids) => {
        void parseOrClearError(`<?xml version="1.0"?><${root}>${kids.join('')}</${root}>`);
      }),
      { numRuns: 400 },
    );
  });
});
