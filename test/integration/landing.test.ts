import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';

describe('landing page', () => {
  let ctx: TestContext;
  afterEach(() => ctx.cleanup());

  it('shows the form, the sources, and the latest sent issues with a link to the archive', async () => {
    ctx = await makeTestContext();
    ctx.sqlite.prepare("INSERT INTO sources (feed_url, name, created_at) VALUES ('https://a.example/feed', 'Alpha Engineering', 0)").run();
    const ins = ctx.sqlite.prepare('INSERT INTO issues (date, status, window_start, cutoff_at, subject, preheader, created_at, updated_at) VALUES (?, ?, 0, 1, ?, ?, 0, 0)');
    ins.run('2026-11-25', 'sent', 'Engineering @ Scale, 25 Nov: Caches that learn', 'Twelve articles from nine teams');
    ins.run('2026-11-26', 'draft', 'Draft that must not show', '');
    const html = await (await createApp(ctx).request('/')).text();
    expect(html).toContain('action="/subscribe"');
    expect(html).toContain('Alpha Engineering');
    expect(html).toContain('href="/issues/2026-11-25"');
    expect(html).toContain('Caches that learn');
    expect(html).not.toContain('Draft that must not show');
    expect(html).toContain('href="/issues"');
    expect(html).toContain('rel="alternate" type="application/atom+xml"');
  });

  it('says when the first issue comes when there is none yet', async () => {
    ctx = await makeTestContext({ env: { DIGEST_CRON: '30 7 * * *', DIGEST_TIMEZONE: 'Europe/Berlin' } });
    const html = await (await createApp(ctx).request('/')).text();
    expect(html).toContain('The first issue goes out at 07:30 (Europe/Berlin)');
  });
});
