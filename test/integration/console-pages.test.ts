import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { DAILY_JOB } from '../../src/jobs/daily.js';
import { finishJobRun } from '../../src/jobs/repo.js';
import { getIssue, getIssueArticles } from '../../src/issues/repo.js';
import { manualClock } from '../../src/lib/clock.js';
import { scheduledInstant } from '../../src/lib/cron-time.js';
import { listOutbox } from '../../src/mail/outbox.js';
import { findSubscriberById, listConsentEvents } from '../../src/subscribers/repo.js';
import { seedFixtureDay, writeEmptyOpml } from '../fixtures/digest-seed.js';
import { addSubscribers } from '../helpers/deliver-fixtures.js';
import { makeTestContext, type TestContext, addConfirmed } from '../helpers/context.js';

const TOKEN = 'test-admin-token-0123456789';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const DATE = '2026-11-26';

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

type App = ReturnType<typeof createApp>;

async function session(env: Record<string, string> = {}) {
  const clock = manualClock(Date.UTC(2026, 10, 26, 9, 30));
  ctx = await makeTestContext({ clock, env: { DIGEST_CRON: '0 6 * * *', ...env } });
  const app = createApp(ctx);
  const res = await app.request('/admin/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ token: TOKEN }) });
  const cookie = /nd_console=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
  const html = await (await app.request('/admin/subscribers', { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const get = (path: string) => app.request(path, { headers: { cookie } });
  const post = (path: string, body: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams({ _csrf: csrf, ...body }) });
  /** The flash message the redirect left, read from the next page. */
  const flashAfter = async (res: Response) => {
    expect(res.status).toBe(303);
    const flash = /nd_flash=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    const page = await app.request(res.headers.get('location')!, { headers: { cookie: `${cookie}; nd_flash=${flash}` } });
    const m = /<div class="notice (ok|warn|error)" role="status">([^<]*)<\/div>/.exec(await page.text());
    return m ? { kind: m[1], text: m[2]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&') } : null;
  };
  return { ctx, app: app as App, clock, cookie, csrf, get, post, flashAfter };
}

describe('console pages', () => {
  test('an issue shows its bounces and complaints, and a subscriber each report about them', async () => {
    const s = await session();
    const [id] = addSubscribers(s.ctx, 2);
    const issueId = Number(s.ctx.sqlite.prepare("INSERT INTO issues (date, status, window_start, cutoff_at, subject, created_at, updated_at) VALUES ('2026-11-26', 'sent', 0, 1, 'Sent issue', 1, 1)").run().lastInsertRowid);
    s.ctx.sqlite.prepare("INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at) SELECT ?, id, 'sent', 1, 1 FROM subscribers").run(issueId);
    const { applyReport, findReportedDelivery } = await import('../../src/deliveries/repo.js');
    const d = (await findReportedDelivery(s.ctx, { issueId, subscriberId: id! }))!;
    const base = { channel: 'smtp' as const, recipient: d.email, detail: 'user unknown', at: s.clock.now(), softBounceLimit: 3, complaintRate: 0.003, complaintMinSent: 1000 };
    await applyReport(s.ctx, { ...base, kind: 'soft', delivery: d, status: '4.2.2', dedupeKey: 'a' });
    await applyReport(s.ctx, { ...base, kind: 'hard', delivery: d, status: '5.1.1', dedupeKey: 'b' });
    const issue = await (await s.get(`/admin/issues/${issueId}`)).text();
    expect(issue).toContain('Bounces and complaints');
    expect(issue).toMatch(/<b>1<\/b><span>hard bounces<\/span>/);
    expect(issue).toMatch(/<b>1<\/b><span>soft bounces<\/span>/);
    expect(issue).toMatch(/<b>0<\/b><span>complaints<\/span>/);
    expect(issue).toContain('5.1.1 · user unknown');
    const sub = await (await s.get(`/admin/subscribers/${id}`)).text();
    expect(sub).toContain('Bounce and complaint reports');
    expect(sub).toContain('Soft bounce');
    expect(sub).toMatch(/Hard bounce<\/b><a href="\/admin\/issues\/\d+"> · issue \d+<\/a><span class="muted"> · bounced<\/span>/);
  });

  test('dates show in DIGEST_TIMEZONE with the zone named', async () => {
    const s = await session({ DIGEST_TIMEZONE: 'Europe/Berlin' });
    const html = await (await s.get('/admin')).text();
    expect(html).toContain('Thu, 26 Nov 2026, 10:30 CET'); // 09:30 UTC
    expect(html).toContain('times in Europe/Berlin');
    expect(html).toContain('06:00 CET · in 19 h 30 min'); // the next send, 06:00 Berlin time (05:00 UTC)
    await finishJobRun(s.ctx, DAILY_JOB, '2026-11-26', 'empty', 'no new articles published', s.clock.now());
    expect(await (await s.get('/admin')).text()).toContain('Last daily run: Thu, 26 Nov 2026, no new articles.');
  });

  test('empty states say what to do next', async () => {
    const s = await session({ SOURCES_FILE: writeEmptyOpml() });
    expect(await (await s.get('/admin/issues')).text()).toContain('No issues yet');
    expect(await (await s.get('/admin/subscribers')).text()).toContain('No subscribers yet');
    expect(await (await s.get('/admin/sources')).text()).toContain('No sources yet');
    expect(await (await s.get('/admin/outbox')).text()).toContain('The outbox is empty');
    const missing = await s.get('/admin/no-such-page');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('There is no console page at this address.');
    expect(missing.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    for (const bad of ['/admin/issues/999', '/admin/issues/abc/preview.html', '/admin/issues/999/progress.json']) expect((await s.get(bad)).status, bad).toBe(404);
    for (const [slip, to] of [['/admin/', '/admin'], ['/admin/issues/', '/admin/issues'], ['/admin//subscribers?q=a', '/admin/subscribers?q=a']]) {
      const res = await s.get(slip);
      expect(res.status, slip).toBe(301);
      expect(res.headers.get('location'), slip).toBe(to);
    }
  });

  test('subscribers: filter, search, history, data export, unsubscribe and erase', async () => {
    const s = await session();
    const created = await addConfirmed(s.ctx, [{ email: 'ann@example.com', name: 'Ann' }, { email: 'zed@example.com', name: 'Zed' }], s.clock.now());
    const [ann, zed] = created.map((c) => c.id) as [number, number];
    addSubscribers(s.ctx, 3, { status: 'pending', prefix: 'pend' });
    const all = await (await s.get('/admin/subscribers')).text();
    expect(all).toMatch(/Pending <span>3<\/span>/);
    const pending = await (await s.get('/admin/subscribers?status=pending')).text();
    expect(pending).toContain('pend0@example.test');
    expect(pending).not.toContain('>ann@example.com</a>');
    const search = await (await s.get('/admin/subscribers?q=zed')).text();
    expect(search).toContain('zed@example.com');
    expect(search).not.toContain('>ann@example.com</a>');
    expect(await (await s.get('/admin/subscribers?q=nobody-here')).text()).toContain('No subscriber matches');

    const detail = await (await s.get(`/admin/subscribers/${ann}`)).text();
    expect(detail).toContain('Imported');
    expect(detail).toContain('No deliveries yet');
    const exp = await s.get(`/admin/subscribers/${ann}/export.json`);
    expect(exp.headers.get('content-disposition')).toContain('attachment');
    const data = (await exp.json()) as { subscriber: { email: string }; consentEvents: unknown[] };
    expect(data.subscriber.email).toBe('ann@example.com');
    expect(data.consentEvents).toHaveLength(1);

    const unsub = await s.flashAfter(await s.post(`/admin/subscribers/${ann}/unsubscribe`));
    expect(unsub?.text).toContain('is unsubscribed');
    expect((await findSubscriberById(s.ctx, ann))?.status).toBe('unsubscribed');
    expect((await listConsentEvents(s.ctx, ann)).map((e) => e.type)).toContain('admin_unsubscribe');
    expect((await s.flashAfter(await s.post(`/admin/subscribers/${ann}/unsubscribe`)))?.text).toContain('already unsubscribed');

    const confirmPage = await (await s.get(`/admin/subscribers/${zed}/erase`)).text();
    expect(confirmPage).toContain('Erase zed@example.com?');
    const erased = await s.flashAfter(await s.post(`/admin/subscribers/${zed}/erase`));
    expect(erased?.text).toContain('erased');
    const row = await findSubscriberById(s.ctx, zed);
    expect(row?.email).toBeNull();
    expect(row?.name).toBeNull();
    expect(await (await s.get(`/admin/subscribers/${zed}`)).text()).toContain(`Erased subscriber #${zed}`);
    expect((await s.get(`/admin/subscribers/${zed}/export.json`)).status).toBe(404);
    for (const bad of ['/admin/subscribers/999999', '/admin/subscribers/abc', '/admin/subscribers/-1']) expect((await s.get(bad)).status, bad).toBe(404);
  });

  test('subscribers: the console offers a copy-paste signup form that posts to PUBLIC_URL and works from another site', async () => {
    const s = await session();
    const html = await (await s.get('/admin/subscribers')).text();
    expect(html).toContain('SIGNUP_ORIGINS');
    const snippet = /<pre class="snippet"><code>([\s\S]*?)<\/code><\/pre>/.exec(html)?.[1] ?? '';
    const { decodeEntities } = await import('../../src/feeds/entities.js');
    const form = decodeEntities(snippet);
    expect(form).toContain(`<form method="post" action="${s.ctx.config.publicUrl}/subscribe">`);
    expect(form).toMatch(/name="email"/);
    expect(form).toMatch(/name="website"/);
  });

  test('subscribers: CSV import from the form and export as a download', async () => {
    const s = await session();
    const fd = new FormData();
    fd.set('_csrf', s.csrf);
    fd.set('confirmed', '1');
    fd.set('file', new File(['email,name\nann@example.com,Ann\nnot-an-address,X\nann@example.com,Again\n'], 'list.csv', { type: 'text/csv' }));
    const res = await s.app.request('/admin/subscribers/import', { method: 'POST', body: fd, headers: { cookie: s.cookie } });
    const flash = await s.flashAfter(res);
    expect(flash?.kind).toBe('warn');
    expect(flash?.text).toMatch(/^Imported 1; skipped 1: 1 already on the list as confirmed; refused 1 unreadable row\. Refused rows: line 3: /);
    const csv = await s.get('/admin/subscribers/export.csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\n')[0]).toContain('email,name,status');
    expect(text).toContain('ann@example.com,Ann,confirmed');
  });

  test('issue page: assemble, pin, exclude, subject and patterns note re-render the preview; nothing changes after sending starts', async () => {
    const s = await session();
    seedFixtureDay(s.ctx, scheduledInstant(DATE, '0 6 * * *', 'UTC')!);
    addSubscribers(s.ctx, 3);
    const assembled = await s.post('/admin/issues/assemble', { date: DATE });
    expect(assembled.status).toBe(303);
    const url = assembled.headers.get('location')!;
    const id = Number(/\/admin\/issues\/(\d+)$/.exec(url)![1]);
    const page = await (await s.get(url)).text();
    expect(page).toContain('specifics');
    expect(page).toContain('coverage');
    expect(page).toContain('Send to 3 subscribers');
    const rows = await getIssueArticles(s.ctx, id);
    const third = rows[2]!;

    const preview = await s.get(`${url}/preview.html`);
    expect(preview.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(preview.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(preview.headers.get('content-security-policy')).not.toContain('script-src');
    expect(preview.headers.get('x-frame-options')).toBeNull();
    const before = await preview.text();
    expect(before).not.toContain('__NEWSDESK_UNSUBSCRIBE_URL__');
    const signalOf = (html: string) => {
      const start = html.toLowerCase().indexOf('signal of the day');
      expect(start).toBeGreaterThan(0);
      return html.slice(start, html.toLowerCase().indexOf('deep dives', start));
    };
    expect(signalOf(before)).not.toContain(third.title);

    expect((await s.flashAfter(await s.post(`${url}/signal`, { articleId: String(third.id) })))?.text).toContain('Signal pinned');
    expect(signalOf(await (await s.get(`${url}/preview.html`)).text())).toContain(third.title);
    expect((await getIssue(s.ctx, id))?.pinnedSignalArticleId).toBe(third.id);

    const last = rows.at(-1)!;
    await s.flashAfter(await s.post(`${url}/exclude`, { articleId: String(last.id), exclude: '1' }));
    expect(await (await s.get(`${url}/preview.html`)).text()).not.toContain(last.title);
    expect((await s.flashAfter(await s.post(`${url}/exclude`, { articleId: String(third.id), exclude: '1' })))?.kind).toBe('error'); // the pinned signal
    await s.flashAfter(await s.post(`${url}/subject`, { subject: 'Agents everywhere' }));
    expect((await getIssue(s.ctx, id))?.subjectOverride).toBe('Agents everywhere');
    await s.flashAfter(await s.post(`${url}/patterns`, { note: 'Everyone wrote about context windows today.' }));
    expect(await (await s.get(`${url}?view=text`)).text()).toContain('Everyone wrote about context windows today.');

    // Summaries: each shows who wrote it; the operator's own replaces the automatic one, and can be undone.
    expect(await (await s.get(url)).text()).toMatch(/Summary <span class="badge by-extract">extracted<\/span>/);
    const second = rows[1]!;
    expect((await s.flashAfter(await s.post(`${url}/summary`, { articleId: String(second.id), summary: 'In short: the operator says what matters.' })))?.text).toContain('Summary saved');
    expect(await (await s.get(`${url}/preview.html`)).text()).toContain('In short: the operator says what matters.');
    expect(await (await s.get(url)).text()).toContain('<span class="badge by-operator">edited by you</span>');
    expect((await s.flashAfter(await s.post(`${url}/summary`, { articleId: String(second.id), reset: '1' })))?.text).toContain('automatic again');
    expect(await (await s.get(`${url}/preview.html`)).text()).not.toContain('In short: the operator says what matters.');
    expect((await s.flashAfter(await s.post(`${url}/summary`, { articleId: '999999', summary: 'x' })))?.kind).toBe('error');

    // A test copy goes to the outbox, apart from deliveries.
    expect((await s.flashAfter(await s.post(`${url}/test`, { email: 'editor@example.com' })))?.text).toContain('Test copy sent to editor@example.com');
    expect(listOutbox(s.ctx.config.outboxDir).some((e) => e.name.includes('editor@example.com'))).toBe(true);

    // Send: the confirmation names the count; the send queues everyone once.
    expect(await (await s.get(`${url}/send`)).text()).toContain('3<span class="unit">confirmed subscribers will get it');
    expect((await s.flashAfter(await s.post(`${url}/send`)))?.text).toContain('Sending to 3 subscribers');
    expect((await s.flashAfter(await s.post(`${url}/send`)))?.text).toContain('nobody was queued twice');
    const prog = (await (await s.get(`${url}/progress.json`)).json()) as { total: number; finished: number; done: boolean; percentText: string };
    expect(prog).toMatchObject({ total: 3, finished: 0, done: false, percentText: '0%' });
    const today = await (await s.get('/admin')).text();
    expect(today).toContain(`data-progress-url="/admin/issues/${id}/progress.json"`);
    expect(today).toContain('0 of 3 deliveries done');
    const frozen = await s.flashAfter(await s.post(`${url}/subject`, { subject: 'Too late' }));
    expect(frozen?.kind).toBe('error');
    expect((await getIssue(s.ctx, id))?.subjectOverride).toBe('Agents everywhere');
    // Resends wait for the send to finish.
    expect((await s.flashAfter(await s.post(`${url}/resend`, { kind: 'missing' })))?.text).toContain('still sending');
  });

  test('resend confirmations count whom they reach, never anyone unsubscribed', async () => {
    const s = await session();
    seedFixtureDay(s.ctx, scheduledInstant(DATE, '0 6 * * *', 'UTC')!);
    const ids = addSubscribers(s.ctx, 4);
    const r = await assembleIssue(s.ctx, DATE);
    const id = r.issue!.id;
    const at = s.clock.now();
    // The send finished: two sent, one failed, one never queued; then one more person confirmed.
    s.ctx.sqlite.prepare(`UPDATE issues SET status = 'sent', send_started_at = ?, sent_at = ? WHERE id = ?`).run(at, at, id);
    const ins = s.ctx.sqlite.prepare(`INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, sent_at, smtp_response) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    ins.run(id, ids[0], 'sent', at, at, at, '250 OK');
    ins.run(id, ids[1], 'sent', at, at, at, '250 OK');
    ins.run(id, ids[2], 'failed', at, at, null, null);
    s.ctx.sqlite.prepare(`UPDATE deliveries SET last_error = '451 4.7.1 Try again later', attempts = 6 WHERE subscriber_id = ?`).run(ids[2]);
    const url = `/admin/issues/${id}`;
    const issuePage = await (await s.get(url)).text();
    expect(issuePage).toContain('Deliveries that need a look');
    expect(issuePage).toMatch(/user2@example\.test[\s\S]*6 attempts[\s\S]*451 4\.7\.1 Try again later/);
    expect(issuePage).not.toMatch(/Deliveries that need a look[\s\S]*user0@example\.test/);
    const reach = async (q: string) => /<div class="big">(\d+)<span/.exec(await (await s.get(`${url}/resend?${q}`)).text())?.[1];
    expect(await reach('kind=failed')).toBe('1');
    expect(await reach('kind=missing')).toBe('1');
    expect(await reach('kind=email&email=user0%40example.test')).toBe('1');
    expect(await reach('kind=email&email=nobody%40example.test')).toBe('0');
    // Unsubscribed people drop out of every count.
    s.ctx.sqlite.prepare(`UPDATE subscribers SET status = 'unsubscribed' WHERE id IN (?, ?)`).run(ids[2], ids[3]);
    expect(await reach('kind=failed')).toBe('0');
    expect(await reach('kind=missing')).toBe('0');
    const page = await (await s.get(`${url}/resend?kind=email&email=user2%40example.test`)).text();
    expect(page).toMatch(/resends never reach anyone who is not confirmed/);
    const flash = await s.flashAfter(await s.post(`${url}/resend`, { kind: 'email', email: 'user2@example.test' }));
    expect(flash?.kind).toBe('error');
    expect(await s.flashAfter(await s.post(`${url}/resend`, { kind: 'email', email: 'user0@example.test' }))).toMatchObject({ kind: 'ok' });
    const row = s.ctx.sqlite.prepare(`SELECT status FROM deliveries WHERE issue_id = ? AND subscriber_id = ?`).get(id, ids[0]) as { status: string };
    expect(row.status).toBe('queued');
  });

  test('outbox: lists mails newest first and shows one as the recipient sees it, in a sandboxed frame', async () => {
    const s = await session();
    await s.ctx.mailer.send({
      from: s.ctx.config.mailFrom,
      to: 'reader@example.com',
      subject: 'Café ☕ news — a long subject that needs encoding',
      html: '<p style="color:#123456">Hello <b>café</b> reader</p><script>alert(1)</script>',
      text: 'Hello café reader',
      list: { unsubscribeUrl: 'http://newsdesk.test/unsubscribe/u.1.abc', id: 'x', name: 'y' },
    });
    const list = await (await s.get('/admin/outbox')).text();
    expect(list).toContain('reader@example.com');
    expect(list).toContain('Café ☕ news — a long subject that needs encoding');
    const name = listOutbox(s.ctx.config.outboxDir)[0]!.name;
    const view = await (await s.get(`/admin/outbox/${encodeURIComponent(name)}`)).text();
    expect(view).toContain('sandbox="allow-popups allow-popups-to-escape-sandbox"');
    expect(view).toContain('List-Unsubscribe');
    const frame = await s.get(`/admin/outbox/${encodeURIComponent(name)}/html`);
    expect(frame.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(frame.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await frame.text();
    expect(html).toContain('Hello <b>café</b> reader');
    expect(await (await s.get(`/admin/outbox/${encodeURIComponent(name)}?view=text`)).text()).toContain('Hello café reader');
    const raw = await s.get(`/admin/outbox/${encodeURIComponent(name)}/raw`);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    for (const bad of ['..%2Fsecret.key', '.hidden.eml', 'nothing.eml']) expect((await s.get(`/admin/outbox/${bad}`)).status, bad).toBe(404);
  });

  test('sources: "Ingest now" polls every feed and the table shows who answered and who failed', async () => {
    const feed = readFileSync(join(import.meta.dirname, '../fixtures/feeds/rss1-rdf.xml'));
    const server = http.createServer((req, res) => {
      if (req.url === '/good.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        return res.end(feed);
      }
      res.writeHead(503);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const opml = join(process.env.TMPDIR ?? '/tmp', `console-sources-${process.pid}-${Date.now()}.opml`);
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      writeFileSync(opml, `<?xml version="1.0"?><opml version="2.0"><body><outline text="Good Blog" xmlUrl="${base}/good.xml"/><outline text="Down Blog" xmlUrl="${base}/down.xml"/></body></opml>`);
      const s = await session({ SOURCES_FILE: opml, FEED_TIMEOUT_MS: '2000' });
      const flash = await s.flashAfter(await s.post('/admin/sources/ingest'));
      expect(flash?.kind).toBe('warn');
      expect(flash?.text).toMatch(/^Polled 2 sources in .+: \d+ new articles?, 1 source failed \(Down Blog\)\.$/);
      const html = await (await s.get('/admin/sources')).text();
      expect(html).toMatch(/Good Blog[\s\S]*badge ok">healthy/);
      expect(html).toMatch(/Down Blog[\s\S]*badge bad">failing/);
      expect(html).toContain('503');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(opml, { force: true });
    }
  });

  test('the outbox is closed when mail goes out over SMTP', async () => {
    const s = await session({ SMTP_URL: 'smtp://127.0.0.1:9' });
    expect((await s.get('/admin/outbox')).status).toBe(404);
    expect(await (await s.get('/admin')).text()).not.toContain('href="/admin/outbox"');
  });
});
