import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalUrl, safeHttpUrl } from '../../src/feeds/canonical.js';
import { cleanContent, cleanTitle, htmlToText, summarize } from '../../src/feeds/clean.js';
import { decodeEntities } from '../../src/feeds/entities.js';
import { parseFeedDate, resolvePublished } from '../../src/feeds/dates.js';
import { decodeFeedBytes } from '../../src/feeds/decode.js';
import { parseRetryAfter } from '../../src/feeds/fetch.js';

describe('canonicalUrl', () => {
  it('drops utm_*, click ids, Medium source=rss…, ref, fragments and default ports; lowercases the host', () => {
    expect(canonicalUrl('HTTPS://Blog.Example.COM:443/post/1?utm_source=rss&utm_medium=feed#section')).toBe('https://blog.example.com/post/1');
    expect(canonicalUrl('http://example.com:80/a?fbclid=x&gclid=y&mc_cid=1&mc_eid=2&_hsenc=z')).toBe('http://example.com/a');
    expect(canonicalUrl('https://medium.com/netflix-techblog/some-post-abc123?source=rss----2615bd06b42e---4')).toBe('https://medium.com/netflix-techblog/some-post-abc123');
    expect(canonicalUrl('https://example.com/a?ref=hackernews&ref_src=twsrc%5Etfw')).toBe('https://example.com/a');
  });
  it('keeps meaningful parameters (sorted, so two feeds agree) and non-default ports', () => {
    expect(canonicalUrl('https://example.com/search?q=kafka&page=2&utm_source=x')).toBe('https://example.com/search?page=2&q=kafka');
    expect(canonicalUrl('https://example.com/search?page=2&q=kafka')).toBe(canonicalUrl('https://example.com/search?q=kafka&page=2'));
    expect(canonicalUrl('https://example.com:8443/p?id=7')).toBe('https://example.com:8443/p?id=7');
    expect(canonicalUrl('https://example.com/p?source=github')).toBe('https://example.com/p?source=github');
    expect(canonicalUrl('https://example.com/p?a=1&b=%20x')).toBe('https://example.com/p?a=1&b=%20x');
  });
  it('refuses anything but http(s) and resolves relative URLs against a base', () => {
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>', 'mailto:a@b.c', 'file:///etc/passwd', 'ftp://x/y', '', 'not a url', 'http://'])
      expect(canonicalUrl(bad)).toBeNull();
    expect(canonicalUrl('../b?utm_term=x', 'https://example.com/blog/a/')).toBe('https://example.com/blog/b');
    expect(safeHttpUrl('  https://example.com/x  ')).toBe('https://example.com/x');
  });
});

describe('safeHttpUrl', () => {
  // What the parser says: the reference the shortcuts for plain URLs must agree with.
  const reference = (raw: string, base?: string) => {
    const t = raw.trim();
    if (!t) return null;
    const parse = (b?: string) => {
      try {
        return new URL(t, b);
      } catch {
        return null;
      }
    };
    const u = (base && parse(base)) || parse();
    return u && (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u.href : null;
  };
  it('agrees with the URL parser on random links, plain or not', () => {
    const start = fc.constantFrom('https://', 'http://', 'HTTPS://', '/', '//', '', 'javascript:', 'mailto:', ' https://', '/\\', 'ftp://');
    const host = fc.constantFrom('a.com', 'A.com', 'a.b1', 'xn--zz.com', 'xn--bcher-kva.de', '1.2.3.4', 'a.0x7f', '0x7f.com', 'a..b', 'a.com.', 'user@a.com', 'a.com:443', 'a.com:8080', 'a-b.c-d', '');
    // Half the time only characters the shortcut takes, so that it is exercised; half the time anything.
    const plain = ['/', 'x', 'Y', '.', '..', '/./', '/../', '%2e', '%2E', '%41', '%', '?', '#', '&', '=', '~', ':', '@', ';', '!', '*', '(', ')', ',', '+', '$'];
    const rest = fc.oneof(
      fc.array(fc.constantFrom(...plain), { maxLength: 10 }).map((p) => '/' + p.join('')),
      fc.array(fc.constantFrom(...plain, "'", ' ', '\\', 'é', '<', '"', '`', '{', '|', '\t'), { maxLength: 12 }).map((p) => p.join('')),
    );
    const base = fc.constantFrom(undefined, 'https://blog.example.com/post/', 'http://h.test:8080/a/b', 'https://u:p@h.test/', 'ftp://f.test/', 'not a url');
    fc.assert(
      fc.property(start, host, rest, base, (a, h, r, b) => {
        const raw = a.startsWith('/') ? a + r : a + h + r;
        expect(safeHttpUrl(raw, b)).toBe(reference(raw, b));
      }),
      { numRuns: 20000, seed: 11 },
    );
  });
});

describe('summaries from a teaser feed', () => {
  const item = (summaryHtml: string | null, contentHtml: string | null) => ({
    guid: 'g1',
    link: 'https://blog.example/post',
    title: 'T',
    author: null,
    dates: ['2026-04-06T05:00:00Z'],
    contentHtml,
    summaryHtml,
    base: null,
  });
  it('a teaser cut mid-word is not the summary when the item carries its content', async () => {
    const { normalizeItem } = await import('../../src/feeds/normalize.js');
    const teaser = 'We moved our queue to a log and cut p99 latency from 800 ms to 90 ms. The migration took six wee';
    const content = `<p>We moved our queue to a log and cut p99 latency from 800 ms to 90 ms.</p><p>The migration took six weeks and no downtime.</p>`;
    const a = normalizeItem(item(teaser, content), Date.now())!;
    expect(a.summary).toBe('We moved our queue to a log and cut p99 latency from 800 ms to 90 ms. The migration took six weeks and no downtime.');
  });
  it('a teaser alone: the cut fragment is dropped after whole sentences, or marked with an ellipsis', async () => {
    const { normalizeItem } = await import('../../src/feeds/normalize.js');
    expect(normalizeItem(item('One whole sentence here. And a cut one th', null), Date.now())!.summary).toBe('One whole sentence here.');
    expect(normalizeItem(item('Only a fragment of a sentence that stops mi', null), Date.now())!.summary).toBe('Only a fragment of a sentence that stops mi…');
  });
});

describe('cleanTitle', () => {
  it('an HTML title (Atom type="html"): decodes entities, removes tags, folds CR/LF and whitespace', () => {
    expect(cleanTitle('  <b>Fast</b> &amp; <i>safe</i>:\r\n  a &quot;story&quot; &#8212; &#x2713; &hellip;  ', true)).toBe('Fast & safe: a "story" — ✓ …');
  });
  it('a text title keeps what looks like a tag: those are words; inline formatting tags go', () => {
    expect(cleanTitle('Scaling <em>queues</em> &amp; <code>workers</code>')).toBe('Scaling queues & workers');
    expect(cleanTitle('Markdown & <Shell> Tricks')).toBe('Markdown & <Shell> Tricks');
    expect(cleanTitle('Why <dialog> beats modals\r\n')).toBe('Why <dialog> beats modals');
  });
  it('drops bidi overrides and zero-width characters', () => {
    expect(cleanTitle('\u202Eevil\u202C \u200Bhidden\u200D\uFEFF \u2066iso\u2069')).toBe('evil hidden iso');
  });
  it('caps at 300 characters without splitting a surrogate pair', () => {
    const long = cleanTitle('word '.repeat(20_000));
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long.endsWith('…')).toBe(true);
    const emoji = cleanTitle('😀'.repeat(400));
    expect(emoji.length).toBeLessThanOrEqual(300);
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
  it('keeps decoded angle brackets as text (escaping is the renderer’s job)', () => {
    expect(cleanTitle('Why &lt;3 matters')).toBe('Why <3 matters');
  });
});

describe('decodeEntities', () => {
  it('decodes numeric and common named references, leaves unknown ones and refuses invalid code points', () => {
    expect(decodeEntities('&lt;&#60;&#x3C;&nbsp;&eacute;&rsquo;&unknown;&#0;&#xD800;')).toBe('<<<\u00a0é’&unknown;\ufffd\ufffd');
    expect(decodeEntities('a & b &amp c &ampx &copy d &#65 &#x42; &#; &#1114112; &')).toBe('a & b & c &ampx &copy d A B &#; \ufffd &');
  });
  it('agrees with a plain regular-expression decoder on random input', () => {
    const NAMES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', nbsp: '\u00a0', eacute: 'é', copy: '©', hellip: '…', comma: ',', commat: '@' };
    const oracle = (s: string) =>
      s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?/g, (m, ref: string) => {
        if (ref[0] === '#') {
          const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
          return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
        }
        const v = NAMES[ref];
        return v !== undefined && (m.endsWith(';') || ['amp', 'lt', 'gt', 'quot', 'nbsp'].includes(ref)) ? v : m;
      });
    const unit = fc.constantFrom('&', '#', 'x', 'X', ';', 'a', 'm', 'p', 'l', 't', 'g', 'c', 'o', 'y', '1', '6', '9', 'F', ' ', 'eacute', 'hellip', 'nbsp');
    fc.assert(fc.property(fc.string({ unit, maxLength: 60 }), (s) => {
        expect(decodeEntities(s)).toBe(oracle(s));
      }), { numRuns: 2000 });
  });
});

describe('cleanContent', () => {
  it('keeps an allowlist and removes everything active', () => {
    const { html } = cleanContent(
      '<p style="x" onclick="y">Hi <a href="javascript:alert(1)" onmouseover="z">js</a> <a href="/rel" target="_blank">rel</a></p>' +
        '<script>s()</script><style>.a{}</style><iframe src="https://x"></iframe><object data="x"></object><embed src="x">' +
        '<form><button>Go</button></form><svg><script>1</script></svg><math><mi>x</mi></math>' +
        '<img src="data:image/svg+xml;base64,AAA"><img src="//cdn.example.com/a.png"><img src="https://ok.example/b.png" onerror="x">' +
        '<a href="data:text/html,hi">d</a><a href="vbscript:x">v</a><a href="mailto:hi@example.com">mail</a>',
      'https://blog.example.com/post/',
    );
    for (const bad of ['style', 'onclick', 'onmouseover', 'onerror', 'javascript', 'script', 'iframe', 'object', 'embed', 'form', 'button', 'svg', 'math', 'data:', 'vbscript', 'target'])
      expect(html).not.toContain(bad);
    expect(html).toContain('<a href="https://blog.example.com/rel" rel="noopener noreferrer nofollow">rel</a>');
    expect(html).toContain('<img src="https://ok.example/b.png">');
    expect(html).toContain('href="mailto:hi@example.com"');
    // Protocol-relative URLs are resolved against the base, never left scheme-less.
    expect(html).toContain('src="https://cdn.example.com/a.png"');
  });
  it('makes plain text with paragraph breaks', () => {
    expect(htmlToText('<p>One &amp; two</p><p>Three<br>four</p><ul><li>a</li><li>b</li></ul>')).toBe('One & two\nThree\nfour\n• a\n• b');
  });
});

describe('summarize', () => {
  it('keeps at most five sentences and survives e.g., U.S., v2.5, Node.js and quotes', () => {
    const text =
      'Teams use queues, e.g. Kafka, at scale. The U.S. team led it. Version v2.5 ships today. It needs Node.js 20. "Is it fast?" she asked. Sixth sentence here.';
    expect(summarize(text)).toBe('Teams use queues, e.g. Kafka, at scale. The U.S. team led it. Version v2.5 ships today. It needs Node.js 20. "Is it fast?" she asked.');
  });
  it('stays within 600 characters, whole sentences when it can', () => {
    const s = summarize(('This sentence is about forty characters. ').repeat(40));
    expect(s.length).toBeLessThanOrEqual(600);
    expect(s.endsWith('.')).toBe(true);
    const one = summarize('word '.repeat(500));
    expect(one.length).toBeLessThanOrEqual(600);
  });
  it('removes feed boilerplate', () => {
    expect(summarize('Real content here. The post Real Title appeared first on Some Blog.')).toBe('Real content here.');
    expect(summarize('We shipped it. Continue reading on Medium »')).toBe('We shipped it.');
    expect(summarize('We shipped it. Read more')).toBe('We shipped it.');
    // What is left of a teaser the feed cut is marked as cut.
    expect(summarize('Intro text [&hellip;]')).toBe('Intro text…');
    expect(summarize('Intro text […]')).toBe('Intro text…');
    expect(summarize('')).toBe('');
  });
});

describe('parseFeedDate', () => {
  const utc = (...a: [number, number, number, number?, number?, number?]) => Date.UTC(a[0], a[1] - 1, a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0);
  it('reads RFC 822 with names, numeric zones and two-digit years', () => {
    expect(parseFeedDate('Mon, 06 Apr 2026 08:30:00 GMT')).toBe(utc(2026, 4, 6, 8, 30));
    expect(parseFeedDate('Mon, 6 Apr 2026 08:30:00 +0200')).toBe(utc(2026, 4, 6, 6, 30));
    expect(parseFeedDate('Mon, 06 Apr 2026 08:30 EST')).toBe(utc(2026, 4, 6, 13, 30));
    expect(parseFeedDate('Mon, 06 Apr 2026 08:30:00 PDT')).toBe(utc(2026, 4, 6, 15, 30));
    expect(parseFeedDate('06 Apr 26 08:30:00 Z')).toBe(utc(2026, 4, 6, 8, 30));
    expect(parseFeedDate('Monday, 06-Apr-2026 08:30:00 UTC')).toBe(utc(2026, 4, 6, 8, 30));
    expect(parseFeedDate('Mon, 06 April 2026 08:30:00 GMT+01:00')).toBe(utc(2026, 4, 6, 7, 30));
  });
  it('reads ISO 8601 and its sloppy forms', () => {
    expect(parseFeedDate('2026-04-06T08:30:00Z')).toBe(utc(2026, 4, 6, 8, 30));
    expect(parseFeedDate('2026-04-06T08:30:00.250+05:30')).toBe(utc(2026, 4, 6, 3, 0) + 250);
    expect(parseFeedDate('2026-04-06 08:30')).toBe(utc(2026, 4, 6, 8, 30));
    expect(parseFeedDate('2026-04-06')).toBe(utc(2026, 4, 6));
    expect(parseFeedDate('20260406T083000Z')).toBe(utc(2026, 4, 6, 8, 30));
    expect(parseFeedDate('2026-04-06T08:30:00-0400')).toBe(utc(2026, 4, 6, 12, 30));
    expect(parseFeedDate('April 6, 2026 8:30 pm')).toBe(utc(2026, 4, 6, 20, 30));
    expect(parseFeedDate('Apr 6th, 2026')).toBe(utc(2026, 4, 6));
  });
  it('reads a date without a zone as UTC whatever the host zone is', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      expect(parseFeedDate('2026-04-06 08:30:00')).toBe(utc(2026, 4, 6, 8, 30));
      expect(parseFeedDate('Mon, 06 Apr 2026 08:30:00')).toBe(utc(2026, 4, 6, 8, 30));
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
  it('returns null for nonsense', () => {
    for (const bad of ['', 'yesterday', 'Mon, 32 Apr 2026 08:00:00 GMT', '2026-02-30', '2026-13-01', 'Mon, 06 Foo 2026 08:00 GMT', '06 Apr 2026 08:00 +9999', 'x'.repeat(500)])
      expect(parseFeedDate(bad)).toBeNull();
  });
  it('falls back to first seen for missing, unreadable, too-early or far-future dates', () => {
    const now = utc(2026, 4, 7, 12);
    expect(resolvePublished([null, 'garbage'], now)).toEqual({ publishedAt: now, dateSource: 'first_seen' });
    expect(resolvePublished(['Thu, 01 Jan 2099 00:00:00 GMT'], now)).toEqual({ publishedAt: now, dateSource: 'first_seen' });
    expect(resolvePublished(['1970-01-01T00:00:00Z'], now)).toEqual({ publishedAt: now, dateSource: 'first_seen' });
    // Less than a day ahead is clock skew, kept.
    expect(resolvePublished(['2026-04-08T06:00:00Z'], now)).toEqual({ publishedAt: utc(2026, 4, 8, 6), dateSource: 'feed' });
    expect(resolvePublished([null, '2026-04-06T00:00:00Z'], now)).toEqual({ publishedAt: utc(2026, 4, 6), dateSource: 'feed' });
  });
});

describe('decodeFeedBytes', () => {
  it('maps Windows-1252 C1 bytes (Node decodes them as Latin-1)', () => {
    expect(decodeFeedBytes(Buffer.from([0x3c, 0x61, 0x3e, 0x80, 0x93, 0x94, 0x97, 0xe9]), 'text/xml; charset=windows-1252')).toBe('<a>€“”—é');
  });
  it('falls back to UTF-8 for an unknown label', () => {
    expect(decodeFeedBytes(Buffer.from('<?xml version="1.0" encoding="x-bogus"?><a>é</a>'))).toContain('<a>é</a>');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 3, 7);
  it('reads seconds and HTTP dates, clamps to a week', () => {
    expect(parseRetryAfter('120', now)).toBe(now + 120_000);
    expect(parseRetryAfter('Tue, 07 Apr 2026 01:00:00 GMT', now)).toBe(now + 3_600_000);
    expect(parseRetryAfter('999999999', now)).toBe(now + 7 * 24 * 3_600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
