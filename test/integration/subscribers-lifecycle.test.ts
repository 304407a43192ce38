import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { manualClock } from '../../src/lib/clock.js';
import { findSubscriberByEmail, listConsentEvents } from '../../src/subscribers/repo.js';
import { signToken } from '../../src/subscribers/tokens.js';
import { drainMail } from '../../src/mail/queue.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { formTokenIn, linkIn, listUnsubscribeUrl, pathOf, postForm, postJson, rawHeader } from '../helpers/http.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

describe('subscriber lifecycle through HTTP and a real SMTP server', () => {
  let sink: SmtpSink;
  let ctx: TestContext;
  let app: ReturnType<typeof createApp>;
  const clock = manualClock(T0);

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });
  beforeEach(async () => {
    await ctx?.cleanup();
    sink.received.length = 0;
    clock.set(T0);
    ctx = await makeTestContext({ env: { SMTP_URL: sink.url, SIGNUP_LIMIT_PER_MINUTE: '100' }, clock });
    app = createApp(ctx);
  });
  afterAll(async () => ctx?.cleanup());

  it('form signup → confirmation mail → GET shows a button only → POST confirms → welcome mail → one-click unsubscribe', async () => {
    const landing = await app.request('/');
    expect(landing.status).toBe(200);
    const t = formTokenIn(await landing.text());
    clock.advance(3000);
    const res = await postForm(app, '/subscribe', { email: 'Ann@Example.COM', name: 'Ann', t, website: '' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Check your inbox');

    const [mail] = await sink.waitFor(1);
    await drainMail(ctx.mailer); // the mail went out from the queue after the answer
    expect(mail!.envelopeTo).toEqual(['ann@example.com']);
    expect(mail!.parsed.subject).toBe('Confirm your subscription to Engineering @ Scale');
    expect(mail!.parsed.text).not.toContain('Ann'); // the name field is never echoed in the confirmation mail
    const confirmUrl = linkIn(mail!.parsed.text ?? '', 'confirm');
    expect(confirmUrl.startsWith('http://newsdesk.test/confirm/')).toBe(true);

    // A link scanner fetching the page changes nothing.
    for (const method of ['GET', 'HEAD']) {
      const page = await app.request(pathOf(confirmUrl), { method });
      expect(page.status).toBe(200);
    }
    expect((await findSubscriberByEmail(ctx, 'ann@example.com'))!.status).toBe('pending');

    const confirmRes = await app.request(pathOf(confirmUrl), { method: 'POST' });
    expect(confirmRes.status).toBe(200);
    expect(await confirmRes.text()).toMatch(/You(&#39;|')re subscribed/);
    const again = await app.request(pathOf(confirmUrl), { method: 'POST' });
    expect(again.status).toBe(200);
    const s = (await findSubscriberByEmail(ctx, 'ann@example.com'))!;
    expect(s.status).toBe('confirmed');
    expect(s.consentSource).toBe('double_opt_in');

    const [, welcome] = await sink.waitFor(2);
    expect(sink.received).toHaveLength(2); // the double click sent no second welcome
    expect(welcome!.parsed.subject).toBe('Welcome to Engineering @ Scale');
    const listUnsub = listUnsubscribeUrl(welcome!.raw);
    expect(listUnsub).toMatch(/^http:\/\/newsdesk\.test\/unsubscribe\//);
    expect(rawHeader(welcome!.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(welcome!.raw, 'List-Id')).toMatch(/<engineering-scale\.localhost>/);
    expect(welcome!.parsed.html).toBeTruthy();
    expect(welcome!.parsed.text).toBeTruthy();

    // RFC 8058: urlencoded, no cookie, no Origin → 200 and unsubscribed.
    const oneClick = await postForm(app, pathOf(listUnsub!), { 'List-Unsubscribe': 'One-Click' });
    expect(oneClick.status).toBe(200);
    expect((await findSubscriberByEmail(ctx, 'ann@example.com'))!.status).toBe('unsubscribed');
    const replay = await postForm(app, pathOf(listUnsub!), { 'List-Unsubscribe': 'One-Click' });
    expect(replay.status).toBe(200);

    const types = (await listConsentEvents(ctx, s.id)).map((e) => e.type);
    expect(types).toEqual(['signup', 'confirmation_sent', 'confirm', 'unsubscribe']);
    const signupEvent = (await listConsentEvents(ctx, s.id))[0]!;
    expect(signupEvent.consentTextVersion).toBeTruthy();

    // The old confirmation link cannot re-subscribe them.
    const stale = await app.request(pathOf(confirmUrl), { method: 'POST' });
    expect(stale.status).toBe(404);
    expect((await findSubscriberByEmail(ctx, 'ann@example.com'))!.status).toBe('unsubscribed');
  });

  it('JSON signup answers 202 the same for new, pending and confirmed addresses; one mail per 10 minutes; none for confirmed', async () => {
    const first = await postJson(app, '/subscribe', { email: 'bo@example.com' });
    expect(first.status).toBe(202);
    const body = await first.json();
    await sink.waitFor(1);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      const r = await postJson(app, '/subscribe', { email: 'BO@example.com' }, { 'x-test': String(i) });
      expect(r.status).toBe(202);
      expect(await r.json()).toEqual(body);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.received).toHaveLength(1);

    clock.advance(11 * 60 * 1000);
    expect((await postJson(app, '/subscribe', { email: 'bo@example.com' })).status).toBe(202);
    await sink.waitFor(2);

    const link = linkIn(sink.received[1]!.parsed.text ?? '', 'confirm');
    await app.request(pathOf(link), { method: 'POST' });
    await sink.waitFor(3); // welcome
    clock.advance(11 * 60 * 1000);
    const confirmed = await postJson(app, '/subscribe', { email: 'bo@example.com' });
    expect(confirmed.status).toBe(202);
    expect(await confirmed.json()).toEqual(body);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.received).toHaveLength(3);
  });

  it('a returning unsubscribed address goes through double opt-in again', async () => {
    await postJson(app, '/subscribe', { email: 'cy@example.com' });
    await sink.waitFor(1);
    await app.request(pathOf(linkIn(sink.received[0]!.parsed.text ?? '', 'confirm')), { method: 'POST' });
    await sink.waitFor(2);
    const unsub = linkIn(sink.received[1]!.parsed.text ?? '', 'unsubscribe');
    await postForm(app, pathOf(unsub), {});
    expect((await findSubscriberByEmail(ctx, 'cy@example.com'))!.status).toBe('unsubscribed');
    clock.advance(11 * 60 * 1000);
    await postJson(app, '/subscribe', { email: 'cy@example.com' });
    await sink.waitFor(3);
    expect(sink.received[2]!.parsed.subject).toMatch(/Confirm/);
    expect((await findSubscriberByEmail(ctx, 'cy@example.com'))!.status).toBe('pending');
  });

  it('a filled honeypot is dropped silently; a form sent too fast, with no token or a forged one gets "One more step", never a silent drop', async () => {
    const t = formTokenIn(await (await app.request('/')).text());
    clock.advance(3000);
    const hp = await postForm(app, '/subscribe', { email: 'bot1@example.com', t, website: 'http://spam.test' });
    expect(hp.status).toBe(200);
    expect(await hp.text()).toContain('Check your inbox');
    const fast = await postForm(app, '/subscribe', { email: 'quick@example.com', name: 'Quick', t: formTokenIn(await (await app.request('/')).text()) });
    const none = await postForm(app, '/subscribe', { email: 'embedded@example.com' });
    const forged = await postForm(app, '/subscribe', { email: 'forged@example.com', t: 'mwyr3ebc.AAAAAAAAAAAAAAAAAAAAAA' });
    const steps: string[] = [];
    for (const r of [fast, none, forged]) {
      expect(r.status).toBe(200);
      const html = await r.text();
      expect(html).toContain('One more step');
      expect(html).not.toContain('Check your inbox');
      steps.push(html);
    }
    expect(steps[0]).toContain('value="quick@example.com"');
    expect(steps[0]).toContain('value="Quick"');
    await drainMail(ctx.mailer);
    expect(sink.received).toHaveLength(0);
    for (const e of ['bot1@example.com', 'quick@example.com', 'embedded@example.com', 'forged@example.com']) expect(await findSubscriberByEmail(ctx, e)).toBeUndefined();
    // Pressing the button on that page, at once, completes the signup.
    const done = await postForm(app, '/subscribe', { email: 'quick@example.com', name: 'Quick', t: formTokenIn(steps[0]!), website: '' });
    expect(await done.text()).toContain('Check your inbox');
    await sink.waitFor(1);
    expect(sink.received[0]!.envelopeTo).toEqual(['quick@example.com']);
    expect((await findSubscriberByEmail(ctx, 'quick@example.com'))!.status).toBe('pending');
    // A step token a day old is stale: one more step again, still nothing dropped.
    clock.advance(25 * 3600 * 1000);
    const stale = await postForm(app, '/subscribe', { email: 'late@example.com', t: formTokenIn(steps[1]!) });
    expect(await stale.text()).toContain('One more step');
  });

  it('a signup answers before its confirmation mail is handed over, so a new address answers like a known one', async () => {
    // A relay that takes 1.5 s per recipient: the answer must not wait for it.
    const slow = await startSmtpSink({ options: { onRcptTo: (_a, _s, cb) => void setTimeout(() => cb(), 1500) } });
    try {
      await ctx.cleanup();
      ctx = await makeTestContext({ env: { SMTP_URL: slow.url, SIGNUP_LIMIT_PER_MINUTE: '100' }, clock });
      app = createApp(ctx);
      const fresh = await postJson(app, '/subscribe', { email: 'new@example.com' });
      expect(fresh.status).toBe(202);
      expect(slow.received).toHaveLength(0); // answered while the mail was still on its way
      const again = await postJson(app, '/subscribe', { email: 'new@example.com' });
      expect(await again.json()).toEqual(await (await postJson(app, '/subscribe', { email: 'new@example.com' })).json());
      await slow.waitFor(1, 10_000);
      await drainMail(ctx.mailer);
      expect(slow.received.map((m) => m.envelopeTo[0])).toEqual(['new@example.com']);
      expect((await listConsentEvents(ctx, (await findSubscriberByEmail(ctx, 'new@example.com'))!.id)).map((e) => e.type)).toEqual(['signup', 'confirmation_sent']);
    } finally {
      await ctx.cleanup(); // closes the pooled connection, or the server would wait for it
      ctx = await makeTestContext({ env: { SMTP_URL: sink.url }, clock });
      await slow.close();
    }
  });

  it('embedding: a form post from a site in SIGNUP_ORIGINS goes through "One more step"; JSON from it gets CORS; other sites get 403 and no CORS', async () => {
    await ctx.cleanup();
    ctx = await makeTestContext({ env: { SMTP_URL: sink.url, SIGNUP_ORIGINS: 'https://www.operator.example' }, clock });
    app = createApp(ctx);
    const form = await postForm(app, '/subscribe', { email: 'reader@example.com' }, { origin: 'https://www.operator.example' });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('One more step');
    const foreign = await postForm(app, '/subscribe', { email: 'reader@example.com' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const pre = await app.request('/subscribe', { method: 'OPTIONS', headers: { origin: 'https://www.operator.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://www.operator.example');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
    const json = await postJson(app, '/subscribe', { email: 'reader@example.com' }, { origin: 'https://www.operator.example' });
    expect(json.status).toBe(202);
    expect(json.headers.get('access-control-allow-origin')).toBe('https://www.operator.example');
    const other = await postJson(app, '/subscribe', { email: 'other@example.com' }, { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await app.request('/subscribe', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } })).headers.get('access-control-allow-origin')).toBeNull();
    await sink.waitFor(1);
    expect((await findSubscriberByEmail(ctx, 'reader@example.com'))!.status).toBe('pending');
  });

  it('per-IP limit answers 429 after SIGNUP_LIMIT_PER_MINUTE and sends nothing beyond it', async () => {
    await ctx.cleanup();
    ctx = await makeTestContext({ env: { SMTP_URL: sink.url, SIGNUP_LIMIT_PER_MINUTE: '5' }, clock });
    app = createApp(ctx);
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await postJson(app, '/subscribe', { email: `p${i}@example.com` })).status);
    expect(codes.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(codes.slice(5)).toEqual([429, 429, 429]);
    await sink.waitFor(5);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.received).toHaveLength(5);
    clock.advance(61_000);
    expect((await postJson(app, '/subscribe', { email: 'later@example.com' })).status).toBe(202);
  });

  it('bad input: a clear 4xx and no mail', async () => {
    const cases: [string, RequestInit, number, RegExp][] = [
      ['invalid address', { body: JSON.stringify({ email: 'a@' }) }, 400, /INVALID_EMAIL/],
      ['CR/LF in address', { body: JSON.stringify({ email: 'x@a.test\r\nBcc: y@b.test' }) }, 400, /INVALID_EMAIL/],
      ['missing email', { body: JSON.stringify({ name: 'x' }) }, 400, /INVALID_EMAIL/],
      ['malformed JSON', { body: '{"email": ' }, 400, /not valid JSON/],
      ['JSON array', { body: '[1,2]' }, 400, /JSON object/],
      ['NUL byte', { body: '{"email":"a\u0000@b.com"}' }, 400, /NUL/],
      ['2 MB body', { body: JSON.stringify({ email: 'a@b.com', name: 'x'.repeat(2 * 1024 * 1024) }) }, 413, /PAYLOAD_TOO_LARGE/],
    ];
    for (const [label, init, status, pattern] of cases) {
      const r = await app.request('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, ...init });
      expect(r.status, label).toBe(status);
      const text = await r.text();
      expect(text, label).toMatch(pattern);
      expect(text, label).not.toMatch(/at .*\.ts:\d+|stack/i);
    }
    const wrongType = await app.request('/subscribe', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
    expect(wrongType.status).toBe(415);
    // A form with an invalid address re-renders the form with a field error.
    const t = formTokenIn(await (await app.request('/')).text());
    clock.advance(3000);
    const form = await postForm(app, '/subscribe', { email: 'a@@b', name: 'Zed', t });
    expect(form.status).toBe(400);
    const page = await form.text();
    expect(page).toContain('id="email-error"');
    expect(page).toContain('value="a@@b"');
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.received).toHaveLength(0);
  });

  it('a name with CR/LF, HTML or 10 KB is cleaned and capped', async () => {
    await postJson(app, '/subscribe', { email: 'dee@example.com', name: `Dee\r\nBcc: x@y.test <a href="http://spam.test">win</a>${'z'.repeat(10_000)}` });
    const s = (await findSubscriberByEmail(ctx, 'dee@example.com'))!;
    expect(s.name!.length).toBeLessThanOrEqual(100);
    expect(s.name).not.toMatch(/[\r\n<>]/);
    const [mail] = await sink.waitFor(1);
    expect(mail!.raw.toString()).not.toMatch(/^Bcc:/m);
    expect(mail!.parsed.text).not.toContain('spam.test');
  });

  it('a cross-site form post is refused with 403', async () => {
    const t = formTokenIn(await (await app.request('/')).text());
    clock.advance(3000);
    const r = await postForm(app, '/subscribe', { email: 'eve@example.com', t }, { origin: 'https://evil.test' });
    expect(r.status).toBe(403);
    expect(await findSubscriberByEmail(ctx, 'eve@example.com')).toBeUndefined();
  });

  it('forged, foreign-purpose and expired tokens get generic pages and change nothing', async () => {
    await postJson(app, '/subscribe', { email: 'fay@example.com' });
    const [mail] = await sink.waitFor(1);
    const confirmUrl = linkIn(mail!.parsed.text ?? '', 'confirm');
    const s = (await findSubscriberByEmail(ctx, 'fay@example.com'))!;
    const unsubToken = signToken(ctx.config.secretKey, { purpose: 'unsubscribe', subscriberId: s.id, issuedAt: 0 });

    for (const path of ['/confirm/garbage', `/confirm/${unsubToken}`, '/confirm/c.1.abc.AAAAAAAAAAAAAAAAAAAAAA']) {
      expect((await app.request(path)).status).toBe(404);
      expect((await app.request(path, { method: 'POST' })).status).toBe(404);
    }
    const confirmToken = pathOf(confirmUrl).split('/').pop()!;
    for (const path of ['/unsubscribe/garbage', `/unsubscribe/${confirmToken}`]) {
      expect((await app.request(path)).status).toBe(404);
      expect((await postForm(app, path, { 'List-Unsubscribe': 'One-Click' })).status).toBe(404);
    }
    expect((await findSubscriberByEmail(ctx, 'fay@example.com'))!.status).toBe('pending');

    clock.advance(8 * 24 * 3600 * 1000);
    const expiredGet = await app.request(pathOf(confirmUrl));
    expect(expiredGet.status).toBe(410);
    expect(await expiredGet.text()).toContain('Send me a new link');
    expect((await app.request(pathOf(confirmUrl), { method: 'POST' })).status).toBe(410);
    expect((await findSubscriberByEmail(ctx, 'fay@example.com'))!.status).toBe('pending');
    const resend = await app.request(`${pathOf(confirmUrl)}/resend`, { method: 'POST' });
    expect(resend.status).toBe(200);
    const [, fresh] = await sink.waitFor(2);
    const freshUrl = linkIn(fresh!.parsed.text ?? '', 'confirm');
    expect((await app.request(pathOf(freshUrl), { method: 'POST' })).status).toBe(200);
    expect((await findSubscriberByEmail(ctx, 'fay@example.com'))!.status).toBe('confirmed');
  });

  it('one-click as multipart/form-data also unsubscribes; GET and HEAD never do', async () => {
    await postJson(app, '/subscribe', { email: 'gus@example.com' });
    const [mail] = await sink.waitFor(1);
    await app.request(pathOf(linkIn(mail!.parsed.text ?? '', 'confirm')), { method: 'POST' });
    const [, welcome] = await sink.waitFor(2);
    const unsub = listUnsubscribeUrl(welcome!.raw);
    for (const method of ['GET', 'HEAD']) expect((await app.request(pathOf(unsub), { method })).status).toBe(200);
    expect((await findSubscriberByEmail(ctx, 'gus@example.com'))!.status).toBe('confirmed');
    const fd = new FormData();
    fd.set('List-Unsubscribe', 'One-Click');
    const r = await app.request(pathOf(unsub), { method: 'POST', body: fd });
    expect(r.status).toBe(200);
    expect((await findSubscriberByEmail(ctx, 'gus@example.com'))!.status).toBe('unsubscribed');
  });

  it('sets no-referrer and keeps third-party resources off token pages', async () => {
    const r = await app.request('/unsubscribe/whatever');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await r.text()).not.toMatch(/src="https?:\/\//);
  });
});

describe('token guessing', () => {
  it('answers 429 after 30 invalid links a minute from one address; valid links keep working', async () => {
    const ctx = await makeTestContext();
    const app = createApp(ctx);
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await app.request(`/unsubscribe/u.${i.toString(36)}.AAAAAAAAAAAAAAAAAAAAAA`, { method: i % 2 ? 'GET' : 'POST' })).status);
    expect(codes.slice(0, 30).every((c) => c === 404)).toBe(true);
    expect(codes.slice(30).every((c) => c === 429)).toBe(true);
    await ctx.cleanup();
  });
});
