// A reader, from the Preferences link of a mail they received, switches to the weekly edition and leaves out a
// company in a real browser at phone width; the operator then reads the Readers charts at phone width.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssueArticles } from '../../src/issues/repo.js';
import { manualClock } from '../../src/lib/clock.js';
import { seedFixtureDay } from '../fixtures/digest-seed.js';
import { ARTIFACTS, launchChromium } from '../helpers/browser.js';
import { createSender, type Sender } from '../../src/deliveries/sender.js';
import { addSubscribers, deliveryRows, until } from '../helpers/deliver-fixtures.js';
import { startLiveServer, type LiveServer } from '../helpers/server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';

const CUTOFF = Date.UTC(2026, 3, 6, 6);

async function noSideScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

describe('readers choose, in a browser', () => {
  let browser: Browser;
  let sink: SmtpSink;
  let live: LiveServer;
  let issueId = 0;
  let sender: Sender | undefined;

  beforeAll(async () => {
    sink = await startSmtpSink();
    live = await startLiveServer({ SMTP_URL: sink.url, TRACKING: 'subscriber' }, manualClock(CUTOFF + 60_000));
    seedFixtureDay(live.ctx, CUTOFF);
    addSubscribers(live.ctx, 2);
    issueId = (await assembleIssue(live.ctx, '2026-04-06')).issue!.id;
    await sendIssue(live.ctx, issueId);
    sender = createSender(live.ctx, { maintenanceMs: 50, idlePollMs: 20 });
    sender.start();
    await sink.waitFor(2);
    await until(() => deliveryRows(live.ctx, issueId).every((r) => r.status === 'sent'), 10_000, 'sent');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await sender?.stop();
    await browser?.close();
    await live?.close();
    await sink?.close();
  });

  it('from the mail’s Preferences link: weekly only, one company left out, saved and on the history', async () => {
    const mail = sink.received[0]!;
    const email = mail.envelopeTo[0]!;
    const prefs = /href="([^"]+\?preferences)"/.exec(String(mail.parsed.html))![1]!.replace(/&amp;/g, '&');
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(prefs);
    expect(new URL(page.url()).pathname).toMatch(/^\/preferences\/p\./);
    await noSideScroll(page);
    const company = (await getIssueArticles(live.ctx, issueId))[0]!.sourceName;
    await page.check('input[name=frequency][value=weekly]');
    await page.check(`input[name=exclude][value="${company}"]`);
    await page.screenshot({ path: join(ARTIFACTS, 'preferences-390.png'), fullPage: true });
    await page.click('button[type=submit]');
    expect(await page.textContent('.notice')).toContain('Saved');
    expect(await page.isChecked('input[name=frequency][value=weekly]')).toBe(true);
    expect(await page.isChecked(`input[name=exclude][value="${company}"]`)).toBe(true);
    const s = live.ctx.sqlite.prepare('SELECT id, frequency, excluded_companies AS ex FROM subscribers WHERE email = ?').get(email) as { id: number; frequency: string; ex: string };
    expect(s).toMatchObject({ frequency: 'weekly', ex: JSON.stringify([company]) });
    const history = live.ctx.sqlite.prepare("SELECT detail FROM consent_events WHERE subscriber_id = ? AND type = 'preferences'").pluck().all(s.id);
    expect(history).toEqual([`weekly edition only; leaves out ${company}`]);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, 'preferences-1280.png'), fullPage: true });
    await page.close();
  });

  it('the Readers page draws its charts within a phone’s width', async () => {
    // Some readers' clicks on the issue's stories.
    const arts = (await getIssueArticles(live.ctx, issueId)).filter((a) => !a.excluded);
    const links = await live.ctx.store.feedback.ensureLinks(issueId, arts.map((a) => ({ articleId: a.id, url: a.canonicalUrl })));
    await live.ctx.store.feedback.recordClicks(
      arts.slice(0, 6).flatMap((a, i) => Array.from({ length: 6 - i }, (_, k) => ({ linkId: links.get(a.id)!.id, issueId, articleId: a.id, subscriberId: 100 + k, at: CUTOFF, machine: false, reason: null }))),
    );
    const res = await fetch(`${live.url}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=test-admin-token-0123456789', redirect: 'manual' });
    const cookie = /nd_console=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.context().addCookies([{ name: 'nd_console', value: cookie, url: live.url }]);
    await page.goto(`${live.url}/admin/readers`);
    await noSideScroll(page);
    for (const sel of ['#growth svg', '#per-issue svg', '#per-article svg.hbar-plot', '#per-source svg.hbar-plot']) {
      const box = await page.locator(sel).first().boundingBox();
      expect(box, sel).not.toBeNull();
      expect(box!.width, sel).toBeGreaterThan(40);
      expect(box!.x + box!.width, sel).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'console-readers-390.png'), fullPage: true });
    await page.close();
  });
});
