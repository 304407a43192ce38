import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriberByEmail } from '../../src/subscribers/repo.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { linkIn, listUnsubscribeUrl } from '../helpers/http.js';
import { startLiveServer, type LiveServer } from '../helpers/server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';

describe('signup to unsubscribe in headless Chromium', () => {
  let browser: Browser;
  let sink: SmtpSink;
  let live: LiveServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    live = await startLiveServer({ SMTP_URL: sink.url });
    live.ctx.sqlite
      .prepare("INSERT INTO sources (feed_url, name, created_at) VALUES ('https://a.example/feed', 'Alpha Engineering', 0), ('https://b.example/feed', 'Beta Tech Blog', 0)")
      .run();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
    await sink?.close();
  });

  for (const width of [375, 1280]) {
    it(`the landing page fits ${width}px, labels every field and lists the sources`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(live.url + '/');
      const overflow = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      for (const id of ['email', 'name']) expect(await page.locator(`label[for="${id}"]`).count()).toBe(1);
      expect(await page.getByRole('textbox', { name: 'Email address' }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Subscribe' }).isVisible()).toBe(true);
      const hp = await page.locator('#website').boundingBox(); // the honeypot sits off-screen
      expect(hp === null || hp.x + hp.width <= 0).toBe(true);
      expect(await page.textContent('body')).toContain('Beta Tech Blog');
      const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.lead')!).fontSize));
      expect(fontSize).toBeGreaterThanOrEqual(16);
      await page.screenshot({ path: join(ARTIFACTS, `landing-${width}.png`), fullPage: true });
      await page.close();
    });
  }

  it('submit → confirm link from the mail → Confirm → welcome mail → one-click unsubscribe', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(live.url + '/');
    await page.getByRole('textbox', { name: 'Email address' }).fill('reader@example.com');
    await page.getByRole('textbox', { name: /Name/ }).fill('Reader');
    await page.waitForTimeout(2100); // the form rejects bots that post within 2 s of rendering
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toBe('Check your inbox');
    await page.screenshot({ path: join(ARTIFACTS, 'signup-done-375.png'), fullPage: true });

    const [confirmMail] = await sink.waitFor(1);
    const confirmUrl = linkIn(confirmMail!.parsed.text ?? '', 'confirm');
    await page.goto(confirmUrl);
    expect((await findSubscriberByEmail(live.ctx, 'reader@example.com'))!.status).toBe('pending');
    await page.screenshot({ path: join(ARTIFACTS, 'confirm-375.png'), fullPage: true });
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toMatch(/subscribed/);
    expect((await findSubscriberByEmail(live.ctx, 'reader@example.com'))!.status).toBe('confirmed');

    const [, welcome] = await sink.waitFor(2);
    expect(welcome!.parsed.subject).toMatch(/Welcome/);
    const unsubUrl = listUnsubscribeUrl(welcome!.raw);
    expect(unsubUrl.startsWith(live.url)).toBe(true);

    // What a mailbox provider does for RFC 8058: a bare POST, no cookies, no Origin.
    const res = await fetch(unsubUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual' });
    expect(res.status).toBe(200);
    expect((await findSubscriberByEmail(live.ctx, 'reader@example.com'))!.status).toBe('unsubscribed');

    await page.goto(unsubUrl);
    expect(await page.textContent('h1')).toMatch(/unsubscribed/);
    await page.screenshot({ path: join(ARTIFACTS, 'unsubscribed-375.png'), fullPage: true });
    await page.close();
  });
});
