import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issues } from '../../src/db/sqlite/schema.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { personalize } from '../../src/issues/personalize.js';
import { getIssue, getIssueArticles } from '../../src/issues/repo.js';
import { manualClock } from '../../src/lib/clock.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { startLiveServer, type LiveServer } from '../helpers/server.js';
import { seedArticle, seedFixtureDay } from '../fixtures/digest-seed.js';

// The digest email and the archive page in a real browser, at a phone width and a desktop width.

const cutoff = Date.parse('2026-04-06T06:00:00Z');
let browser: Browser;
let server: LiveServer;
let html: string;
let links: string[];

beforeAll(async () => {
  server = await startLiveServer({}, manualClock(cutoff + 60_000));
  seedFixtureDay(server.ctx, cutoff);
  // A hostile item: an unbroken 140-character token in the title and summary must not widen the page.
  seedArticle(server.ctx, {
    source: 'Long Words Weekly',
    title: `Why ${'x'.repeat(140)} <script>alert(1)</script>`,
    summary: `See https://example.com/${'a/'.repeat(70)}path for details.`,
    publishedAt: cutoff - 30 * 60_000,
  });
  const i = (await assembleIssue(server.ctx, '2026-04-06')).issue!;
  const row = (await getIssue(server.ctx, i.id))!;
  html = personalize({ html: row.html, text: row.text }, { unsubscribeUrl: `${server.url}/unsubscribe/sample-token` }).html;
  links = (await getIssueArticles(server.ctx, i.id)).map((a) => a.canonicalUrl);
  server.ctx.db.update(issues).set({ status: 'sent', sentAt: cutoff }).where(eq(issues.id, i.id)).run();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface PageMetrics {
  scrollWidth: number;
  innerWidth: number;
  hrefs: string[];
  small: string[];
  minBody: number;
}

/** Checks a rendered page: no horizontal scroll, readable body text, every article link. */
async function check(page: Page, width: number, minBodyPx: number) {
  // Runs in the page (a string, since this project compiles without DOM types).
  const m = await page.evaluate<PageMetrics>(`(() => {
    const se = document.scrollingElement;
    const small = [];
    let minBody = Infinity;
    // Body text: any element with its own text of a sentence or more.
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const own = Array.from(el.childNodes)
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (own.length < 40) continue;
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.opacity === '0' || cs.maxHeight === '0px') continue; // the hidden preheader
      const px = parseFloat(cs.fontSize);
      minBody = Math.min(minBody, px);
      if (px < 14) small.push(\`\${px}px: \${own.slice(0, 50)}\`);
    }
    return {
      scrollWidth: se.scrollWidth,
      innerWidth: window.innerWidth,
      hrefs: Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href')),
      small,
      minBody,
    };
})()`);
  expect(m.scrollWidth, `horizontal scroll at ${width}px`).toBeLessThanOrEqual(m.innerWidth);
  expect(m.small).toEqual([]);
  expect(m.minBody).toBeGreaterThanOrEqual(minBodyPx);
  for (const l of links) expect(m.hrefs).toContain(l);
}

describe('digest in Chromium', () => {
  for (const width of [375, 800]) {
    it(`email HTML at ${width}px: one column, no horizontal scroll, text ≥ 14px, every link`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.setContent(html, { waitUntil: 'load' });
      await check(page, width, 14);
      if (width === 375) {
        // One column: the article blocks stack, each as wide as the viewport allows.
        const widths = await page.evaluate<number[]>(`Array.from(document.querySelectorAll('.mj-column-per-100')).map((e) => e.getBoundingClientRect().width)`);
        for (const w of widths) expect(w).toBeLessThanOrEqual(375);
      } else {
        const max = await page.evaluate<number>(`Math.max(...Array.from(document.querySelectorAll('.mj-column-per-100')).map((e) => e.getBoundingClientRect().width))`);
        expect(max).toBeLessThanOrEqual(600);
      }
      await page.screenshot({ path: join(ARTIFACTS, `digest-email-${width}.png`), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(ARTIFACTS, `digest-email-${width}-dark.png`), fullPage: false });
      const bg = await page.evaluate<string>(`getComputedStyle(document.querySelector('.bg-card td') ?? document.body).backgroundColor`);
      expect(bg).not.toBe('rgb(255, 255, 255)'); // dark-mode overrides applied where the client honours them
      await page.close();
    });

    it(`archive issue page at ${width}px`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const res = await page.goto(`${server.url}/issues/2026-04-06`);
      expect(res!.status()).toBe(200);
      await check(page, width, 14);
      const hrefs = await page.evaluate<string[]>(`Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href') ?? '')`);
      expect(hrefs.some((h) => /unsubscribe/.test(h))).toBe(false);
      await page.screenshot({ path: join(ARTIFACTS, `digest-archive-issue-${width}.png`), fullPage: true });
      await page.goto(`${server.url}/issues`);
      expect(await page.evaluate<boolean>(`document.scrollingElement.scrollWidth <= window.innerWidth`)).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `digest-archive-list-${width}.png`), fullPage: true });
      await page.close();
    });
  }
});
