import { afterEach, describe, expect, test } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { SESSION_TTL_MS, createSession } from '../../src/http/console/session.js';
import { manualClock } from '../../src/lib/clock.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssue } from '../../src/issues/repo.js';
import { scheduledInstant } from '../../src/lib/cron-time.js';
import { listOutbox } from '../../src/mail/outbox.js';
import { findSubscriberById, listSubscribers } from '../../src/subscribers/repo.js';
import { seedFixtureDay } from '../fixtures/digest-seed.js';
import { makeTestContext, type TestContext, addConfirmed } from '../helpers/context.js';

const TOKEN = 'test-admin-token-0123456789';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PAGES = ['/admin', '/admin/issues', '/admin/subscribers', '/admin/sources', '/admin/outbox'];

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

async function setup(env: Record<string, string> = {}, start = Date.UTC(2026, 10, 27, 8, 0)) {
  const clock = manualClock(start);
  ctx = await makeTestContext({ clock, env });
  return { ctx, app: createApp(ctx), clock };
}

async function signIn(app: ReturnType<typeof createApp>, headers: Record<string, string> = {}): Promise<string> {
  const res = await app.request('/admin/login', { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams({ token: TOKEN }) });
  expect(res.status).toBe(303);
  const set = res.headers.get('set-cookie') ?? '';
  const m = /(nd_console|__Host-nd_console)=([^;]+)/.exec(set);
  expect(m).not.toBeNull();
  return `${m![1]}=${m![2]}`;
}

async function csrfOf(app: ReturnType<typeof createApp>, cookie: string, path = '/admin/subscribers'): Promise<string> {
  const html = await (await app.request(path, { headers: { cookie } })).text();
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  expect(m).not.toBeNull();
  return m![1]!;
}

async function addSubscriber(c: TestContext, email = 'ann@example.com'): Promise<number> {
  const created = await addConfirmed(c, [{ email, name: 'Ann' }], c.clock.now());
  return created[0]!.id;
}

const post = (app: ReturnType<typeof createApp>, path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(body) });

describe('console access', () => {
  test('every page without a session redirects to sign-in; the sign-in page itself is open', async () => {
    const { app } = await setup();
    for (const p of PAGES) {
      const res = await app.request(p);
      expect(res.status, p).toBe(303);
      expect(res.headers.get('location'), p).toMatch(/^\/admin\/login/);
    }
    expect((await app.request('/admin/issues/1/progress.json')).status).toBe(401);
    const login = await app.request('/admin/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="token"');
  });

  test('the right token opens every page; a wrong one is refused with 401', async () => {
    const { app } = await setup();
    const bad = await post(app, '/admin/login', { token: TOKEN + ' ' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie') ?? '').not.toContain('nd_console');
    const cookie = await signIn(app);
    for (const p of PAGES) expect((await app.request(p, { headers: { cookie } })).status, p).toBe(200);
    const again = await app.request('/admin/login?next=/admin/sources', { headers: { cookie } });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/admin/sources');
  });

  test('the session cookie is HttpOnly, SameSite=Strict, expiring; Secure and __Host- on https', async () => {
    const { app } = await setup();
    const res = await post(app, '/admin/login', { token: TOKEN });
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Max-Age=43\d\d\d/);
    expect(set).not.toMatch(/Secure/);
    await ctx!.cleanup();
    const https = await setup({ PUBLIC_URL: 'https://news.example.com' });
    const set2 = (await post(https.app, '/admin/login', { token: TOKEN })).headers.get('set-cookie')!;
    expect(set2).toMatch(/^__Host-nd_console=/);
    expect(set2).toMatch(/Secure/);
  });

  test('admin pages carry the strict headers: no inline script, no framing, no referrer, no caching', async () => {
    const { app } = await setup();
    const cookie = await signIn(app);
    for (const p of [...PAGES, '/admin/login']) {
      const res = await app.request(p, { headers: { cookie } });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, p).toContain("frame-ancestors 'none'");
      expect(csp, p).toMatch(/script-src 'self'(;|$)/);
      expect(csp, p).not.toContain('unsafe-inline');
      expect(res.headers.get('referrer-policy'), p).toBe('no-referrer');
      expect(res.headers.get('cache-control'), p).toBe('no-store');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      const html = await res.text();
      expect(html, p).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html, p).not.toMatch(/\sstyle="/);
    }
  });

  test('a request with no session, a forged cookie or an expired one is refused and changes nothing', async () => {
    const { app, ctx: c, clock } = await setup();
    const id = await addSubscriber(c);
    const cookie = await signIn(app);
    const csrf = await csrfOf(app, cookie);
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    const forgedMac = [...parts.slice(0, -1), parts.at(-1)!.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A'))].join('.');
    const longer = [parts[0], parts[1], parts[2], (Number.parseInt(parts[3]!, 36) + 3600_000).toString(36), parts[4]].join('.');
    const otherKey = createSession({ secretKey: 'another-secret-key-0123456789abcdefghij', adminToken: TOKEN }, clock.now()).cookie;
    const otherToken = createSession({ secretKey: c.config.secretKey, adminToken: 'another-admin-token-0123' }, clock.now()).cookie;
    const forged = [undefined, `${name}=garbage`, `${name}=${forgedMac}`, `${name}=${longer}`, `${name}=${otherKey}`, `${name}=${otherToken}`];
    for (const bad of forged) {
      const headers: Record<string, string> = bad ? { cookie: bad } : {};
      for (const p of PAGES) expect((await app.request(p, { headers })).status, `${p} ${bad}`).toBe(303);
      const res = await post(app, `/admin/subscribers/${id}/unsubscribe`, { _csrf: csrf }, headers);
      expect(res.status, String(bad)).toBe(403);
      expect((await post(app, `/admin/subscribers/${id}/erase`, { _csrf: csrf }, headers)).status).toBe(403);
    }
    // The same cookie just before and just after its 12 hours.
    clock.advance(SESSION_TTL_MS - 1000);
    expect((await app.request('/admin/subscribers', { headers: { cookie } })).status).toBe(200);
    clock.advance(2000);
    for (const p of PAGES) expect((await app.request(p, { headers: { cookie } })).status).toBe(303);
    expect((await post(app, `/admin/subscribers/${id}/unsubscribe`, { _csrf: csrf }, { cookie })).status).toBe(403);
    const s = await findSubscriberById(c, id);
    expect(s?.status).toBe('confirmed');
    expect(s?.email).toBe('ann@example.com');
  });

  test('a state-changing form without the CSRF token, with a wrong one or from another site is refused; with it, it works', async () => {
    const { app, ctx: c } = await setup();
    const id = await addSubscriber(c);
    const cookie = await signIn(app);
    const csrf = await csrfOf(app, cookie);
    const otherCsrf = await csrfOf(app, await signIn(app));
    expect(otherCsrf).not.toBe(csrf);
    for (const body of [{}, { _csrf: '' }, { _csrf: 'x' }, { _csrf: otherCsrf }, { _csrf: csrf.slice(0, -2) }] as Record<string, string>[]) {
      expect((await post(app, `/admin/subscribers/${id}/unsubscribe`, body, { cookie })).status).toBe(403);
      expect((await post(app, `/admin/subscribers/${id}/erase`, body, { cookie })).status).toBe(403);
    }
    // Multipart import without the token stores nobody.
    const fd = new FormData();
    fd.set('file', new File(['email,name\nbob@example.com,Bob\n'], 'list.csv', { type: 'text/csv' }));
    fd.set('confirmed', '1');
    expect((await app.request('/admin/subscribers/import', { method: 'POST', body: fd, headers: { cookie } })).status).toBe(403);
    // JSON bodies do not carry a form token and are refused too.
    const json = await app.request(`/admin/subscribers/${id}/unsubscribe`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ _csrf: csrf }),
    });
    expect(json.status).toBe(403);
    // Cross-site, even with a valid token.
    expect((await post(app, `/admin/subscribers/${id}/unsubscribe`, { _csrf: csrf }, { cookie, origin: 'https://evil.test' })).status).toBe(403);
    expect((await post(app, `/admin/subscribers/${id}/unsubscribe`, { _csrf: csrf }, { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await findSubscriberById(c, id))?.status).toBe('confirmed');
    expect((await listSubscribers(c, { search: 'bob@' })).subscribers).toHaveLength(0);

    // The positive control: the same requests with the right token do what they say.
    const ok = await post(app, `/admin/subscribers/${id}/unsubscribe`, { _csrf: csrf }, { cookie, origin: 'http://localhost' });
    expect(ok.status).toBe(303);
    expect((await findSubscriberById(c, id))?.status).toBe('unsubscribed');
    fd.set('_csrf', csrf);
    expect((await app.request('/admin/subscribers/import', { method: 'POST', body: fd, headers: { cookie } })).status).toBe(303);
    expect((await listSubscribers(c, { search: 'bob@' })).subscribers).toHaveLength(1);
  });

  test('every issue action without a session or without the token is refused and changes nothing', async () => {
    const { app, ctx: c } = await setup({ DIGEST_CRON: '0 6 * * *' });
    seedFixtureDay(c, scheduledInstant('2026-11-27', '0 6 * * *', 'UTC')!);
    await addSubscriber(c);
    const { issue } = await assembleIssue(c, '2026-11-27');
    const id = issue!.id;
    const before = await getIssue(c, id);
    const articleId = String(before!.signalArticleId);
    const cookie = await signIn(app);
    const csrf = await csrfOf(app, cookie);
    const actions: [string, Record<string, string>][] = [
      ['/admin/issues/assemble', { date: '2026-11-26' }],
      [`/admin/issues/${id}/signal`, { articleId }],
      [`/admin/issues/${id}/exclude`, { articleId, exclude: '1' }],
      [`/admin/issues/${id}/subject`, { subject: 'Hijacked' }],
      [`/admin/issues/${id}/patterns`, { note: 'Hijacked' }],
      [`/admin/issues/${id}/test`, { email: 'attacker@evil.test' }],
      [`/admin/issues/${id}/send`, {}],
      [`/admin/issues/${id}/resend`, { kind: 'missing' }],
      ['/admin/sources/ingest', {}],
    ];
    for (const [path, body] of actions) {
      expect((await post(app, path, body)).status, `${path} without a session`).toBe(403);
      expect((await post(app, path, { ...body, _csrf: csrf })).status, `${path} with a token but no session`).toBe(403);
      expect((await post(app, path, body, { cookie })).status, `${path} without the token`).toBe(403);
    }
    const after = await getIssue(c, id);
    expect(after).toEqual(before);
    expect(c.sqlite.prepare('SELECT count(*) AS n FROM issues').get()).toEqual({ n: 1 });
    expect(c.sqlite.prepare('SELECT count(*) AS n FROM deliveries').get()).toEqual({ n: 0 });
    expect(c.sqlite.prepare('SELECT count(*) AS n FROM test_sends').get()).toEqual({ n: 0 });
    expect(listOutbox(c.config.outboxDir)).toHaveLength(0);
    // The positive control: with the token the send does queue.
    expect((await post(app, `/admin/issues/${id}/send`, { _csrf: csrf }, { cookie })).status).toBe(303);
    expect(c.sqlite.prepare('SELECT count(*) AS n FROM deliveries').get()).toEqual({ n: 1 });
  });

  test('sign-out ends the session: the old cookie opens nothing and changes nothing', async () => {
    const { app, ctx: c } = await setup();
    const id = await addSubscriber(c);
    const cookie = await signIn(app);
    const csrf = await csrfOf(app, cookie);
    expect((await post(app, '/admin/logout', {}, { cookie })).status).toBe(403); // sign-out needs the token too
    const out = await post(app, '/admin/logout', { _csrf: csrf }, { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin/login?out=1');
    expect(out.headers.get('set-cookie')).toMatch(/nd_console=;.*Max-Age=0/);
    for (const p of PAGES) expect((await app.request(p, { headers: { cookie } })).status).toBe(303);
    expect((await post(app, `/admin/subscribers/${id}/unsubscribe`, { _csrf: csrf }, { cookie })).status).toBe(403);
    expect((await findSubscriberById(c, id))?.status).toBe('confirmed');
    // A restart (a new app on the same database) does not bring the signed-out session back.
    const restarted = createApp(c);
    for (const p of PAGES) expect((await restarted.request(p, { headers: { cookie } })).status).toBe(303);
    // A session that was not signed out still works after the restart.
    const other = await signIn(app);
    expect((await restarted.request('/admin', { headers: { cookie: other } })).status).toBe(200);
  });

  test('failed sign-ins are slowed and then refused per address, but the right token always signs in', async () => {
    const { app, clock } = await setup({ TRUST_PROXY: 'true' });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 5; i++) expect((await post(app, '/admin/login', { token: `wrong-${i}` }, from('203.0.113.7'))).status).toBe(401);
    expect((await post(app, '/admin/login', { token: 'wrong-again' }, from('203.0.113.7'))).status).toBe(429);
    // Wrong guesses from there are refused for the window, and each one waits before its answer...
    const t0 = performance.now();
    expect((await post(app, '/admin/login', { token: 'wrong-once-more' }, from('203.0.113.7'))).status).toBe(429);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    // ...but the operator with the right token is never locked out, from that address or behind a shared proxy.
    const operator = await post(app, '/admin/login', { token: TOKEN }, from('203.0.113.7'));
    expect(operator.status).toBe(303);
    expect(operator.headers.get('set-cookie') ?? '').toContain('nd_console');
    // Another address is unaffected.
    expect((await post(app, '/admin/login', { token: TOKEN }, from('198.51.100.2'))).status).toBe(303);
    clock.advance(15 * 60 * 1000 + 1000);
    expect((await post(app, '/admin/login', { token: 'wrong-after-window' }, from('203.0.113.7'))).status).toBe(401);
  });

  test('sign-in returns only to console paths', async () => {
    const { app } = await setup();
    for (const [next, to] of [
      ['/admin/subscribers?status=pending', '/admin/subscribers?status=pending'],
      ['//evil.test/admin', '/admin'],
      ['https://evil.test/', '/admin'],
      ['/admin/../x', '/admin'],
      ['/adminx', '/admin'],
    ] as const) {
      const res = await post(app, '/admin/login', { token: TOKEN, next });
      expect(res.headers.get('location'), next).toBe(to);
    }
    const redirect = await app.request('/admin/subscribers?q=ann');
    expect(redirect.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Fsubscribers%3Fq%3Dann');
  });

  test('rotating ADMIN_TOKEN signs everyone out', async () => {
    const { app, ctx: c } = await setup();
    const cookie = await signIn(app);
    const rotated = createApp({ ...c, config: { ...c.config, adminToken: 'a-brand-new-admin-token-42' } });
    expect((await rotated.request('/admin/subscribers', { headers: { cookie } })).status).toBe(303);
  });
});
