// The signup form pasted into the operator's own site (another origin), submitted by a real browser.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedSnippet } from '../../src/http/console/subscribers.js';
import { findSubscriberByEmail } from '../../src/subscribers/repo.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { freePort, startLiveServer, type LiveServer } from '../helpers/server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';

describe('the signup form embedded on another site', () => {
  let browser: Browser;
  let sink: SmtpSink;
  let live: LiveServer;
  let site: http.Server;
  let siteUrl = '';

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    siteUrl = `http://127.0.0.1:${port}`;
    live = await startLiveServer({ SMTP_URL: sink.url, SIGNUP_ORIGINS: siteUrl });
    const snippet = embedSnippet(live.ctx.config.publicUrl);
    // The operator's site: the console's snippet pasted into a page, and a fetch() signup from script.
    site = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><body><h1>Our blog</h1>${snippet}</body></html>`);
    });
    await new Promise<void>((r) => site.listen(port, '127.0.0.1', r));
    expect((site.address() as AddressInfo).port).toBe(port);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => site.close(() => r()));
    await live?.close();
    await sink?.close();
  });

  it('a visitor submits it at once, presses one more button, and gets the confirmation mail', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(siteUrl + '/');
    await page.fill('input[name=email]', 'reader@example.com');
    await page.click('button[type=submit]');
    await page.waitForURL(live.url + '/subscribe');
    expect(await page.textContent('h1')).toContain('Finish signing up');
    expect(await page.inputValue('#email')).toBe('reader@example.com');
    expect(await findSubscriberByEmail(live.ctx, 'reader@example.com')).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'signup-one-more-step-375.png'), fullPage: true });
    await page.click('button[type=submit]');
    expect(await page.textContent('h1')).toContain('Check your inbox');
    const [mail] = await sink.waitFor(1);
    expect(mail!.envelopeTo).toEqual(['reader@example.com']);
    expect((await findSubscriberByEmail(live.ctx, 'reader@example.com'))!.status).toBe('pending');
    await page.close();
  });

  it('a JSON signup from the site\'s own script goes through CORS', async () => {
    const page = await browser.newPage();
    await page.goto(siteUrl + '/');
    const status = await page.evaluate(async (url) => {
      const r = await fetch(url + '/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'script@example.com' }) });
      return r.status;
    }, live.url);
    expect(status).toBe(202);
    await sink.waitFor(2);
    expect((await findSubscriberByEmail(live.ctx, 'script@example.com'))!.status).toBe('pending');
    await page.close();
  });
});
