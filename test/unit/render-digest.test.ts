import { caniemail } from 'caniemail';
import { describe, expect, it } from 'vitest';
import { renderDigestEmail } from '../../emails/digest/index.js';
import { buildDigest } from '../../src/digest/build.js';
import type { CandidateArticle } from '../../src/digest/types.js';
import { createPersonalizer, POSTAL_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, withPostalAddress } from '../../src/issues/personalize.js';
import { emailProps, renderIssue } from '../../src/issues/render.js';
import { createUrls } from '../../src/lib/urls.js';
import { FIXTURE_DAY, FIXTURE_SOURCES } from '../fixtures/digest-day.js';
import { candidates, fixtureTermHistory } from '../fixtures/digest-candidates.js';

const urls = createUrls('https://news.example');
const opts = { urls };
const history = fixtureTermHistory();

function digestOf(articles: CandidateArticle[]) {
  return buildDigest({ date: '2026-04-06', newsletterName: 'Engineering @ Scale', windowStart: 0, cutoffAt: 1, articles, history, sources: FIXTURE_SOURCES.map((s) => s.name) }).digest;
}

/** Thirty articles: the fixture day plus five more from the same sources. */
function thirty(): CandidateArticle[] {
  return candidates([...FIXTURE_DAY, ...FIXTURE_DAY.slice(0, 5).map((f) => ({ ...f, title: `${f.title} (part two)` }))]);
}

const sectionOrder = ['SIGNAL OF THE DAY', 'Deep Dives', 'Patterns Across Companies', 'Sources'];

describe('digest email rendering', () => {
  it('renders the sections in order with every article linked to its canonical URL', async () => {
    const d = digestOf(candidates());
    const r = await renderIssue(d, opts);
    const idx = sectionOrder.map((s) => r.html.indexOf(s));
    expect(idx.every((i) => i > 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    for (const a of [d.signal!, ...d.deepDives]) expect(r.html).toContain(`href="${a.url}"`);
    expect(r.html).toContain(`href="${urls.issue('2026-04-06')}"`); // view in browser
    expect(r.html).toContain(POSTAL_PLACEHOLDER);
    expect(r.html).toContain(`href="${UNSUBSCRIBE_PLACEHOLDER}"`);
    expect(r.text).toContain(UNSUBSCRIBE_PLACEHOLDER);
  });

  it('a Deep Dive title looks like a link (accent colour, underlined) and each one has a "Read on <source>" link', async () => {
    const d = digestOf(candidates());
    const r = await renderIssue(d, opts);
    for (const a of d.deepDives.filter((x) => x.url)) {
      const esc = a.url!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(r.html).toMatch(new RegExp(`<a href="${esc}" class="t-link" style="color: ?#2447d6; ?text-decoration: ?underline;">`));
      expect(r.html).toMatch(new RegExp(`<a href="${esc}" class="t-link"[^>]*>Read on `));
    }
  });

  it('fills the postal address in when the issue goes out, from the configuration of that moment', async () => {
    const r = await renderIssue(digestOf(candidates()), opts);
    const set = withPostalAddress(r, '1 Example Street, <Sample> Town & Co');
    expect(set.html).toContain('1 Example Street, &lt;Sample&gt; Town &amp; Co');
    expect(set.text).toContain('1 Example Street, <Sample> Town & Co');
    const none = withPostalAddress(r, undefined);
    expect(none.html).not.toContain(POSTAL_PLACEHOLDER);
    expect(none.text).not.toContain(POSTAL_PLACEHOLDER);
    expect(none.text).toMatch(/Archive: .*\n?$/);
    const long = withPostalAddress(r, 'Newsdesk Publishing Ltd, Unit 4, The Old Brewery, 12 Long Street Name, Sample Town, Some County, AB1 2CD, United Kingdom');
    for (const line of long.text.split('\n')) if (!/https?:\/\/|__NEWSDESK/.test(line)) expect(line.length).toBeLessThanOrEqual(72);
  });

  it('is a responsive, accessible email: lang, role="presentation", 600 px, color-scheme, no images without alt', async () => {
    const r = await renderIssue(digestOf(candidates()), opts);
    expect(r.html).toMatch(/<html[^>]* lang="en"/);
    expect(r.html).toContain('role="presentation"');
    expect(r.html).toContain('max-width:600px');
    expect(r.html).toContain('<meta name="color-scheme" content="light dark">');
    expect(r.html).toContain('prefers-color-scheme: dark');
    expect(r.html).toContain('<!--[if mso | IE]>'); // Outlook ghost tables
    for (const img of r.html.match(/<img\b[^>]*>/g) ?? []) expect(img).toMatch(/\balt="/);
    expect(r.html).not.toMatch(/<link\b|@import|<script/i);
  });

  it('stays under 102 KB (Gmail clips larger messages) with 30 articles', async () => {
    const r = await renderIssue(digestOf(thirty()), opts);
    expect(digestOf(thirty()).deepDives.length + 1).toBe(30);
    expect(Buffer.byteLength(r.html)).toBeLessThan(102 * 1024);
  });

  it('never lets hostile feed content through as markup', async () => {
    const evil = candidates().slice(0, 3);
    evil[0] = {
      ...evil[0]!,
      title: '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" </mj-text></mj-column>',
      summary: '<a href="javascript:alert(3)">click</a> <iframe src="https://evil.test"></iframe> Text &lt;b&gt;escaped&lt;/b&gt; stays text.',
      canonicalUrl: 'javascript:alert(4)',
    };
    evil[1] = { ...evil[1]!, canonicalUrl: 'data:text/html,<script>alert(5)</script>', sourceName: '<b>Evil</b> "Source"' };
    const r = await renderIssue(digestOf(evil), opts);
    // Titles and summaries are text: whatever looks like markup is shown, escaped, and never becomes an element.
    expect(r.html).not.toMatch(/<(script|iframe|img|b)\b/i);
    const tags = r.html.match(/<[a-z][^>]*>/gi) ?? [];
    for (const t of tags) expect(t).not.toMatch(/onerror|javascript:|data:text/i);
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.html).toContain('&quot;quoted&quot;');
    expect(r.text).toContain('<script>alert(1)</script>'); // the text part shows the words as they are
    const hrefs = [...r.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    for (const h of hrefs) expect(h === UNSUBSCRIBE_PLACEHOLDER || h === `${UNSUBSCRIBE_PLACEHOLDER}?preferences` || /^https?:\/\//.test(h)).toBe(true);
  });

  it('has a text part wrapped at 72 columns, with every link listed', async () => {
    const d = digestOf(candidates());
    const r = await renderIssue(d, opts);
    for (const line of r.text.split('\n')) if (!/https?:\/\/|__NEWSDESK/.test(line)) expect(line.length).toBeLessThanOrEqual(72);
    for (const a of [d.signal!, ...d.deepDives]) expect(r.text).toContain(a.url!);
    const order = ['SIGNAL OF THE DAY', 'DEEP DIVES', 'PATTERNS ACROSS COMPANIES', 'SOURCES', 'LINKS'].map((s) => r.text.indexOf(s));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r.text).toContain(`Unsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}`);
  });

  it('personalizes per recipient without re-rendering', async () => {
    const r = await renderIssue(digestOf(candidates()), opts);
    const p = createPersonalizer(r)({ unsubscribeUrl: 'https://news.example/unsubscribe/tok?a=1&b=2' });
    expect(p.html).toContain('href="https://news.example/unsubscribe/tok?a=1&amp;b=2"');
    expect(p.html).not.toContain(UNSUBSCRIBE_PLACEHOLDER);
    expect(p.text).toContain('Unsubscribe: https://news.example/unsubscribe/tok?a=1&b=2');
  });

  // Features the template uses that caniemail marks unsupported in some of these clients, and why that is fine.
  const DELIBERATE: Record<string, string> = {
    '@media': 'responsive and dark-mode rules are progressive; Outlook for Windows gets fixed 600 px ghost tables instead',
    'color-scheme CSS property': 'a dark-mode hint; clients without it keep the explicit light colours',
    'color-scheme meta tag': 'the same hint as a meta tag',
    'Chaining selectors': 'only in the dark-mode overrides; inline styles carry the design',
    'Attribute selector': 'only [data-ogsc] for Outlook.com dark mode',
    'Class selector': 'Gmail mobile webmail with non-Google accounts ignores <style>; inline styles carry the design',
    'Type selector': 'same as above',
    'ID selector': 'MJML reset (#outlook a); same as above',
    'Descendant combinator': 'same as above',
    '<style> element': 'same as above',
    'display:none': 'hides the preheader; at worst it shows as the first line',
    opacity: 'preheader hiding, as above',
    'max-height property': 'preheader hiding, as above',
    overflow: 'preheader hiding, as above',
    cursor: 'MJML button default; no effect on reading',
    'target attribute': 'MJML button default; webmail opens links in a new tab anyway',
    outline: 'MJML image reset; no images in the template',
    'word-spacing': 'MJML body reset',
    'border-radius': 'rounded corners become square in Outlook for Windows',
    'word-break': 'long words may overflow in Windows Mail; titles are short',
    'aria-label attribute': 'accessibility extra; ignored where unsupported',
    'role attribute': 'accessibility extra; ignored where unsupported',
    '<body> element': 'Outlook for Mac rewrites <body>; the content is wrapped in its own div',
  };

  it('uses no email feature unsupported by Gmail, Outlook or Apple Mail beyond the listed deliberate exceptions', async () => {
    const r = await renderIssue(digestOf(candidates()), opts);
    const res = caniemail({ clients: ['gmail.*', 'outlook.*', 'apple-mail.*'], html: r.html });
    const errors = res.issues.errors as unknown as Map<string, { title: string }[]> | Record<string, { title: string }[]>;
    const entries = errors instanceof Map ? [...errors.entries()] : Object.entries(errors);
    const unexpected = new Set<string>();
    for (const [client, list] of entries) for (const i of list) if (!(i.title in DELIBERATE)) unexpected.add(`${client}: ${i.title}`);
    expect([...unexpected]).toEqual([]);
  });

  it('compiles the sample PreviewProps', async () => {
    const { PreviewProps } = await import('../../emails/digest/index.js');
    const r = await renderDigestEmail(PreviewProps);
    expect(r.html).toContain('How we cache rolling-window queries');
    expect(emailProps(digestOf(candidates()), opts).articleCount).toBe(25);
  });
});
