import { addConfirmed } from '../helpers/context.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleIssue } from '../../src/issues/assemble.js';
import { localDate, scheduledInstant } from '../../src/lib/cron-time.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedFixtureDay, writeFixtureOpml } from '../fixtures/digest-seed.js';
import { launchChromium, shootConsolePage } from '../helpers/browser.js';
import { addSubscribers } from '../helpers/deliver-fixtures.js';
import { startLiveServer, type LiveServer } from '../helpers/server.js';

const TOKEN = 'test-admin-token-0123456789';

const shoot = shootConsolePage;

describe('the console without SMTP: the outbox, failing sources, erasure', () => {
  let browser: Browser;
  let live: LiveServer;
  let page: Page;
  let issueId = 0;

  beforeAll(async () => {
    live = await startLiveServer({ DIGEST_CRON: '0 0 * * *', DIGEST_TIMEZONE: 'Europe/Berlin', SOURCES_FILE: writeFixtureOpml(mkdtempSync(join(tmpdir(), 'newsdesk-opml-'))) });
    const ctx = live.ctx;
    const today = localDate(Date.now(), 'Europe/Berlin');
    seedFixtureDay(ctx, Math.min(scheduledInstant(today, '0 0 * * *', 'Europe/Berlin')!, Date.now() - 60_000));
    const r = await assembleIssue(ctx, today);
    issueId = r.issue!.id;
    addSubscribers(ctx, 5);
    await addConfirmed(ctx, [{ email: 'erin@example.com', name: 'Erin Leaving' }], Date.now());
    const now = Date.now();
    ctx.sqlite.prepare('UPDATE sources SET last_fetch_at = ?, last_success_at = ?').run(now - 600_000, now - 600_000);
    ctx.sqlite
      .prepare(`UPDATE sources SET consecutive_failures = 4, last_error = 'HTTP 503 Service Unavailable', last_success_at = ? WHERE name IN ('InfoQ', 'Vercel Blog')`)
      .run(now - 2 * 86_400_000);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(live.url + '/admin');
    await page.fill('#token', TOKEN);
    await page.click('form[action="/admin/login"] button[type=submit]');
    await page.waitForURL('**/admin');
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  }, 90_000);

  it('shows failing sources on Today and on Sources', async () => {
    expect(await page.textContent('body')).toContain('of 12 sources failing');
    expect(await page.textContent('body')).toContain('HTTP 503 Service Unavailable');
    await shoot(page, 'today-failing');
    await page.goto(live.url + '/admin/sources');
    expect(await page.locator('.badge.bad', { hasText: /^failing$/ }).count()).toBe(2);
    await shoot(page, 'sources-failing');
  }, 90_000);

  it('sends a test copy and shows it in the outbox as the recipient sees it', async () => {
    await page.goto(`${live.url}/admin/issues/${issueId}`);
    await page.fill('#test-email', 'editor@example.com');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('.notice.ok')).toContain('Test copy sent to editor@example.com');
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.waitForURL('**/admin/outbox');
    const row = page.locator('table.data tbody tr').first();
    expect(await row.textContent()).toContain('editor@example.com');
    expect(await row.textContent()).toContain('[Test]');
    await shoot(page, 'outbox');
    await row.locator('a').click();
    await page.waitForURL(/\/admin\/outbox\/.+\.eml$/);
    const frameText = (await page.frameLocator('iframe.preview').locator('body').innerText()).toLowerCase();
    expect(frameText).toContain('signal of the day');
    expect(frameText).toContain('unsubscribe');
    // Scripts never run in the frame: it is sandboxed and its policy allows none.
    expect(await page.locator('iframe.preview').getAttribute('sandbox')).not.toContain('allow-scripts');
    await shoot(page, 'outbox-mail');
    await page.getByRole('link', { name: 'Text' }).click();
    expect(await page.textContent('pre.text-part')).toContain('SIGNAL OF THE DAY');
  }, 90_000);

  it('erases a subscriber after a confirmation step', async () => {
    await page.goto(live.url + '/admin/subscribers?q=erin');
    await page.locator('table.data tbody a').first().click();
    await page.getByRole('link', { name: 'Erase…' }).click();
    await page.waitForURL(/\/erase$/);
    await shoot(page, 'erase-confirm');
    await page.getByRole('button', { name: 'Erase for good' }).click();
    await page.waitForURL('**/admin/subscribers');
    expect(await page.textContent('.notice.ok')).toContain('erased');
    expect(await page.textContent('body')).not.toContain('erin@example.com');
    const row = live.ctx.sqlite.prepare("SELECT email, name, erased_at AS erasedAt FROM subscribers WHERE erased_at IS NOT NULL").get() as { email: string | null; name: string | null };
    expect(row).toMatchObject({ email: null, name: null });
  }, 90_000);
});
