// Proves with Chromium's own HTML parser that cleanHtml output holds only allowlisted tags/attributes and safe URLs, and that none of it runs.
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanHtml } from '../../src/feeds/html.js';
import { launchChromium } from '../helpers/browser.js';
import { ALLOWED, VECTORS, tagSoup } from '../helpers/hostile-html.js';

const BASE = 'https://blog.example.com/post/';

const inputs = [
  ...VECTORS,
  ...VECTORS.map((v) => `<p>before ${v} after</p>`),
  ...VECTORS.map((v) => `<ul><li><a href="https://ok.test/">ok</a> ${v}</li></ul><p>tail</p>`),
  ...fc.sample(tagSoup(60), { numRuns: 2000, seed: 42 }),
];
const cleaned = inputs.map((input) => cleanHtml(input, BASE).html);

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface Harness {
  page: Page;
  hits: () => number;
  dialogs: string[];
}

/** A page that reaches no network, counts __hit() calls and records every dialog. */
async function harness(): Promise<Harness> {
  const page = await browser.newPage();
  let hits = 0;
  const dialogs: string[] = [];
  await page.route('**/*', (r) => r.abort());
  await page.exposeFunction('__hit', () => {
    hits++;
  });
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { page, hits: () => hits, dialogs };
}

interface Structure {
  violations: { index: number; problem: string; html: string }[];
  elements: number;
}

/** Parses each document with Chromium's DOMParser and lists every element, attribute or URL the allowlist does not permit. */
async function structure(docs: string[]): Promise<Structure> {
  const page = await browser.newPage();
  const result = await page.evaluate(
    ({ docs, allowed }): Structure => {
      const XHTML = 'http://www.w3.org/1999/xhtml';
      const violations: Structure['violations'] = [];
      let elements = 0;
      docs.forEach((html, index) => {
        const doc = new DOMParser().parseFromString('<!doctype html><body>' + html, 'text/html');
        const bad = (problem: string) => violations.push({ index, problem, html });
        for (const el of Array.from(doc.body.querySelectorAll('*'))) {
          elements++;
          const tag = el.localName.toLowerCase();
          if (el.namespaceURI !== XHTML) bad(`element ${tag} in namespace ${el.namespaceURI}`);
          const attrs = Object.prototype.hasOwnProperty.call(allowed, tag) ? allowed[tag]! : null;
          if (!attrs) bad(`tag ${tag}`);
          for (const a of Array.from(el.attributes)) {
            if (!attrs?.includes(a.name)) bad(`attribute ${a.name} on ${tag}`);
            if (a.name === 'href' && !/^(https?:\/\/|mailto:)/.test(a.value)) bad(`href ${a.value}`);
            if (a.name === 'src' && !/^https?:\/\//.test(a.value)) bad(`src ${a.value}`);
          }
        }
      });
      return { violations, elements };
    },
    { docs, allowed: ALLOWED },
  );
  await page.close();
  return result;
}

describe('cleanHtml in Chromium', () => {
  it(`corpus of ${cleaned.length} cleaned documents parses to allowlisted elements only`, async () => {
    const result = await structure(cleaned);
    expect(result.violations).toEqual([]);
    expect(result.elements).toBeGreaterThan(0);
    console.log(`feeds-sanitize: ${cleaned.length} documents, ${result.elements} elements checked`);
  });

  it('control: the structural check flags the raw, uncleaned vectors', async () => {
    const result = await structure(VECTORS);
    expect(result.violations.length).toBeGreaterThan(0);
    for (const p of ['tag script', 'attribute onerror on img', 'href javascript:__hit()', 'element svg in namespace http://www.w3.org/2000/svg']) {
      expect(result.violations.map((v) => v.problem)).toContain(p);
    }
  });

  it('nothing in the cleaned corpus runs, parsed as a page or inserted with innerHTML', async () => {
    const { page, hits, dialogs } = await harness();
    await page.setContent('<!doctype html><body>' + cleaned.join('\n') + '</body>');
    await page.evaluate((docs) => {
      for (const html of docs) {
        const div = document.createElement('div');
        document.body.appendChild(div);
        div.innerHTML = html;
      }
    }, cleaned);
    await page.waitForTimeout(500);
    // Bindings answer asynchronously; a round trip makes sure any pending call has been counted.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(hits()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('control: the harness sees a raw vector run (so the check above could fail)', async () => {
    const { page, hits } = await harness();
    const raw = '<img src=x onerror=__hit()>';
    expect(VECTORS).toContain(raw);
    await page.setContent('<!doctype html><body>' + raw + '</body>');
    await expect.poll(hits, { timeout: 5_000 }).toBeGreaterThan(0);
    await page.close();
  });
});
