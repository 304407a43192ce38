import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Where screenshots go for people to look at (git-ignored). */
export const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Full-page screenshots of a console page at 1280 and 390 px (the preview frame in view too); nothing may scroll sideways. */
export async function shootConsolePage(page: Page, name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = (await page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
    // A sandboxed frame paints only once scrolled into view; full-page captures otherwise show it blank.
    const frame = page.locator('iframe.preview');
    if (await frame.count()) {
      await frame.scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(ARTIFACTS, `console-${name}-preview-${width}.png`) });
      await page.evaluate('window.scrollTo(0, 0)');
    }
    await page.screenshot({ path: join(ARTIFACTS, `console-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
