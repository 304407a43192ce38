import { addConfirmed } from '../helpers/context.js';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSender, type Sender } from '../../src/deliveries/sender.js';
import { getIssueByDate } from '../../src/issues/repo.js';
import { localDate, scheduledInstant } from '../../src/lib/cron-time.js';
import { findSubscriberByEmail } from '../../src/subscribers/repo.js';
import { seedFixtureDay } from '../fixtures/digest-seed.js';
import { ARTIFACTS, launchChromium, shootConsolePage } from '../helpers/browser.js';
import { addSubscribers } from '../helpers/deliver-fixtures.js';
import { startLiveServer, type LiveServer } from '../helpers/server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';

const TOKEN = 'test-admin-token-0123456789';
const PAGES = ['/admin', '/admin/issues', '/admin/subscribers', '/admin/sources'];
const BULK = 40;

const shoot = shootConsolePage;

/** The text of the preview frame's Signal of the Day section. */
async function signalInPreview(page: Page): Promise<string> {
  const text = (await page.frameLocator('iframe.preview').locator('body').innerText()).toLowerCase();
  const start = text.indexOf('signal of the day');
  const end = text.indexOf('deep dives');
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return text.slice(start, end);
}

describe('the operator console in headless Chromium', () => {
  let browser: Browser;
  let sink: SmtpSink;
  let live: LiveServer;
  let sender: Sender;
  let page: Page;
  let issueUrl = '';
  let today = '';

  beforeAll(async () => {
    sink = await startSmtpSink();
    // Midnight sends: today's cutoff has always passed, so today's issue can be assembled whenever this runs.
    live = await startLiveServer({ SMTP_URL: sink.url, DIGEST_CRON: '0 0 * * *', SEND_RATE: '15', SMTP_POOL_SIZE: '2' });
    const ctx = live.ctx;
    today = localDate(Date.now(), 'UTC');
    seedFixtureDay(ctx, scheduledInstant(today, '0 0 * * *', 'UTC')!);
    addSubscribers(ctx, BULK);
    await addConfirmed(ctx, [{ email: 'ann@example.com', name: 'Ann Operator' }, { email: 'bob@example.com', name: 'Bob Reader' }], Date.now());
    sender = createSender(ctx, { maintenanceMs: 200, idlePollMs: 50 });
    ctx.signals.onWakeSender(() => sender.wake());
    sender.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    live?.ctx.signals.onWakeSender(null);
    await sender?.stop();
    await browser?.close();
    await live?.close();
    await sink?.close();
  }, 90_000);

  it('signs in with the admin token', async () => {
    await page.goto(live.url + '/admin/issues');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await shoot(page, 'signin');
    await page.fill('#token', 'not-the-token');
    await page.click('form[action="/admin/login"] button[type=submit]');
    expect(await page.textContent('.notice.error')).toContain('not the admin token');
    await page.fill('#token', TOKEN);
    await page.click('form[action="/admin/login"] button[type=submit]');
    await page.waitForURL('**/admin/issues');
    expect(await page.textContent('h1')).toBe('Issues');
    await shoot(page, 'issues-empty');
    await page.goto(live.url + '/admin');
    expect(await page.textContent('body')).toContain('waiting for it');
    await shoot(page, 'today-before');
  }, 90_000);

  it('assembles the fixture day, pins another signal and sees the preview change', async () => {
    await page.goto(live.url + '/admin/issues');
    await page.fill('#date', today);
    await page.click('form[action="/admin/issues/assemble"] button[type=submit]');
    await page.waitForURL(/\/admin\/issues\/\d+/);
    issueUrl = page.url().replace(/[#?].*$/, '');
    expect(await page.textContent('.notice.ok')).toContain('is ready');
    const before = await signalInPreview(page);
    const rows = page.locator('tr[data-article-id]');
    expect(await rows.count()).toBeGreaterThan(10);
    // The third-ranked article becomes the signal.
    const target = rows.nth(2);
    const title = (await target.locator('td.title-cell > a').textContent())!.trim();
    expect(before).not.toContain(title.toLowerCase());
    await shoot(page, 'issue-draft');
    await target.getByRole('button', { name: 'Pin as signal' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('.notice.ok')).toContain('Signal pinned');
    const after = await signalInPreview(page);
    expect(after).toContain(title.toLowerCase());
    expect(await page.locator('tr[data-article-id] .badge.signal').first().textContent()).toContain('pinned');
    // The text part follows too.
    await page.goto(issueUrl + '?view=text');
    const text = (await page.textContent('pre.text-part'))!;
    const at = text.indexOf(title.slice(0, 20));
    expect(at).toBeGreaterThan(text.indexOf('SIGNAL OF THE DAY'));
    expect(at).toBeLessThan(text.indexOf('DEEP DIVES'));
    await shoot(page, 'issue-text');
  }, 90_000);

  it('sends to every confirmed subscriber and watches the progress reach 100% without reloading', async () => {
    await page.goto(issueUrl);
    await page.getByRole('link', { name: /^Send to / }).click();
    await page.waitForURL(/\/send$/);
    expect(await page.textContent('.big')).toContain(String(BULK + 2));
    await shoot(page, 'send-confirm');
    let navigations = 0;
    const seen = new Set<string>();
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.waitForURL(issueUrl);
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    // Sample the bar as the script updates it in place.
    let shotMid = false;
    for (;;) {
      const pct = (await page.textContent('[data-field="percent"]').catch(() => null)) ?? '';
      if (pct) seen.add(pct);
      if (!shotMid && pct !== '0%' && pct !== '100%' && navigations === 0) {
        await page.screenshot({ path: join(ARTIFACTS, 'console-issue-sending-1280.png'), fullPage: true });
        shotMid = true;
      }
      if (pct === '100%') break;
      await page.waitForTimeout(100);
    }
    expect(navigations).toBe(0); // it reached 100% on the page that started the send
    expect([...seen].some((p) => p !== '100%')).toBe(true);
    expect(await page.textContent('[data-field="finished"]')).toContain(`${BULK + 2} of ${BULK + 2}`);
    await sink.waitFor(BULK + 2, 30_000);
    expect(new Set(sink.received.map((m) => m.envelopeTo[0])).size).toBe(BULK + 2);
    // After the finish the page reloads once to offer the resends.
    await page.waitForSelector('form[action$="/resend"] input[name="email"]:not([disabled])', { timeout: 15_000 });
    await shoot(page, 'issue-sent');
  }, 90_000);

  it('resends to one address after a confirmation that says how many it reaches', async () => {
    const before = sink.received.length;
    await page.fill('#resend-email', 'ann@example.com');
    await page.getByRole('button', { name: 'Resend…' }).click();
    await page.waitForURL(/\/resend\?kind=email/);
    expect(await page.textContent('.big')).toContain('1');
    expect(await page.textContent('h1')).toContain('ann@example.com');
    await shoot(page, 'resend-confirm');
    await page.getByRole('button', { name: /^Resend to 1 person/ }).click();
    await page.waitForURL(issueUrl);
    expect(await page.textContent('.notice.ok')).toContain('1 copy queued');
    await sink.waitFor(before + 1, 15_000);
    const copy = sink.received[before]!;
    expect(copy.envelopeTo).toEqual(['ann@example.com']);
    const issue = await getIssueByDate(live.ctx, today);
    expect(copy.parsed.subject).toBe(issue!.subjectOverride ?? issue!.subject);
    // The missing: nobody yet; a confirmation page for them says so.
    await page.goto(issueUrl + '/resend?kind=missing');
    expect(await page.textContent('.big')).toContain('0');
    expect(await page.locator('button[type=submit]:disabled').count()).toBe(1);
  }, 90_000);

  it('searches a subscriber and unsubscribes them on their behalf', async () => {
    await page.goto(live.url + '/admin/subscribers');
    await shoot(page, 'subscribers');
    await page.fill('#q', 'bob@');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=bob/);
    const links = page.locator('table.data tbody a');
    expect(await links.count()).toBe(1);
    await links.first().click();
    await page.waitForURL(/\/admin\/subscribers\/\d+$/);
    expect(await page.textContent('h1')).toBe('bob@example.com');
    expect(await page.textContent('body')).toContain('250'); // the SMTP answer of their delivery
    await shoot(page, 'subscriber');
    await page.getByRole('button', { name: 'Unsubscribe on their behalf' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('.notice.ok')).toContain('is unsubscribed');
    expect(await page.textContent('.page-head .badge')).toBe('Unsubscribed');
    expect(await page.textContent('.timeline')).toContain('Unsubscribed by the operator');
    expect((await findSubscriberByEmail(live.ctx, 'bob@example.com'))?.status).toBe('unsubscribed');
  }, 90_000);

  it('shows today, the issue list and the sources', async () => {
    await page.goto(live.url + '/admin');
    expect(await page.textContent('body')).toContain(`${BULK + 1}`); // confirmed after Bob left
    await shoot(page, 'today');
    await page.goto(live.url + '/admin/issues');
    expect(await page.locator('table.data tbody tr').count()).toBe(1);
    await shoot(page, 'issues');
    await page.goto(live.url + '/admin/sources');
    expect(await page.locator('table.data tbody tr').count()).toBeGreaterThanOrEqual(12);
    await shoot(page, 'sources');
  }, 90_000);

  it('signs out, and every admin page is closed afterwards', async () => {
    await page.goto(live.url + '/admin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/admin/login?out=1');
    expect(await page.textContent('.notice.ok')).toContain('signed out');
    for (const p of [...PAGES, new URL(issueUrl).pathname, '/admin/subscribers/1']) {
      await page.goto(live.url + p);
      expect(new URL(page.url()).pathname, p).toBe('/admin/login');
    }
    const res = await page.request.get(issueUrl + '/progress.json', { failOnStatusCode: false });
    expect(res.status()).toBe(401);
  }, 90_000);
});
