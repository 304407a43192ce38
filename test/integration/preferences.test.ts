import { afterEach, describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { createApp } from '../../src/http/app.js';
import { manualClock } from '../../src/lib/clock.js';
import { listOutbox } from '../../src/mail/outbox.js';
import { preferencesUrl } from '../../src/subscribers/preferences.js';
import { listConsentEvents, findSubscriberById } from '../../src/subscribers/repo.js';
import { signToken } from '../../src/subscribers/tokens.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { join } from 'node:path';

// A reader's preferences page: pause 1–8 weeks (ends by itself), plain-text mail; reached from every issue's footer
// and from the landing page. Forged or foreign tokens change nothing.

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const DAY = 86_400_000;
let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

async function setup() {
  const clock = manualClock(Date.UTC(2026, 3, 6, 9));
  ctx = await makeTestContext({ clock });
  const [id] = addSubscribers(ctx, 2);
  const app = createApp(ctx);
  const path = new URL(preferencesUrl(ctx, id!)).pathname;
  return { ctx, app, clock, id: id!, path };
}

describe('the preferences page', () => {
  it('shows the current choices, saves a pause and plain text, and records each change', async () => {
    const { ctx, app, clock, id, path } = await setup();
    const page = await (await app.request(path)).text();
    expect(page).toContain('user0@example.test');
    expect(page).toContain('No pause: every issue reaches you.');
    const res = await app.request(path, { method: 'POST', headers: FORM, body: new URLSearchParams({ pause: '2', textOnly: 'on' }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Saved.');
    const s = (await findSubscriberById(ctx, id))!;
    expect(s.pausedUntil).toBe(clock.now() + 14 * DAY);
    expect(s.textOnly).toBe(true);
    expect((await listConsentEvents(ctx, id)).at(-1)).toMatchObject({ type: 'preferences', detail: 'paused for 2 weeks (until 2026-04-20); text-only mail' });
    expect(await (await app.request(path)).text()).toContain('Paused until Monday, 20 April 2026');
    // Resume now.
    await app.request(path, { method: 'POST', headers: FORM, body: new URLSearchParams({ pause: '0', textOnly: 'on' }) });
    expect((await findSubscriberById(ctx, id))!.pausedUntil).toBeNull();
  });

  it('refuses a pause of 100 weeks or -1, a foreign Origin, and forged or foreign-purpose tokens, changing nothing', async () => {
    const { ctx, app, id, path } = await setup();
    for (const pause of ['100', '-1', 'soon']) {
      const r = await app.request(path, { method: 'POST', headers: FORM, body: new URLSearchParams({ pause }) });
      expect(r.status).toBe(400);
      expect(await r.text()).toContain('A pause is 1 to 8 weeks');
    }
    expect((await app.request(path, { method: 'POST', headers: { ...FORM, origin: 'https://evil.example' }, body: new URLSearchParams({ pause: '2' }) })).status).toBe(403);
    const foreign = [
      signToken(ctx.config.secretKey, { purpose: 'unsubscribe', subscriberId: id, issuedAt: 0 }),
      signToken(ctx.config.secretKey, { purpose: 'confirm', subscriberId: id, issuedAt: Date.now() }),
      `${path.split('/').pop()!.slice(0, -2)}xx`,
    ];
    for (const t of foreign) {
      expect((await app.request(`/preferences/${t}`)).status).toBe(404);
      expect((await app.request(`/preferences/${t}`, { method: 'POST', headers: FORM, body: new URLSearchParams({ pause: '2' }) })).status).toBe(404);
    }
    const s = (await findSubscriberById(ctx, id))!;
    expect([s.pausedUntil, s.textOnly]).toEqual([null, false]);
    expect((await listConsentEvents(ctx, id)).some((e) => e.type === 'preferences')).toBe(false);
  });

  it('a paused reader gets no issue until the pause ends; then every issue again', async () => {
    const { ctx, app, clock, id, path } = await setup();
    await app.request(path, { method: 'POST', headers: FORM, body: new URLSearchParams({ pause: '1' }) });
    const first = insertIssue(ctx, { date: '2026-04-06' });
    await sendIssue(ctx, first);
    expect(deliveryRows(ctx, first).map((r) => r.subscriberId)).not.toContain(id);
    expect(deliveryRows(ctx, first)).toHaveLength(1);
    clock.advance(8 * DAY);
    const later = insertIssue(ctx, { date: '2026-04-14' });
    await sendIssue(ctx, later);
    expect(deliveryRows(ctx, later).map((r) => r.subscriberId)).toContain(id);
  });

  it('every issue’s footer leads there through the reader’s own link', async () => {
    const { ctx, app, id } = await setup();
    const unsub = signToken(ctx.config.secretKey, { purpose: 'unsubscribe', subscriberId: id, issuedAt: 0 });
    const r = await app.request(`/unsubscribe/${unsub}?preferences`);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(new URL(preferencesUrl(ctx, id)).pathname);
    // Nothing was unsubscribed on the way.
    expect((await findSubscriberById(ctx, id))!.status).toBe('confirmed');
    // The footer of the mail and its text part carry that link.
    const { renderDigestEmail, PreviewProps } = await import('../../emails/digest/index.js');
    const { html, text } = await renderDigestEmail(PreviewProps);
    expect(html).toContain(`href="${PreviewProps.unsubscribeUrl}?preferences"`);
    expect(text).toContain(`Preferences (weekly, pause, plain text, companies): ${PreviewProps.unsubscribeUrl}?preferences`);
    // And the welcome mail links the preferences page itself.
    const [{ renderEmail }, { WelcomeEmail }] = await Promise.all([import('../../emails/render.js'), import('../../emails/WelcomeEmail.js')]);
    const welcome = await renderEmail(WelcomeEmail({ ...WelcomeEmail.PreviewProps, preferencesUrl: preferencesUrl(ctx, id) }));
    expect(welcome.html).toContain(`href="${preferencesUrl(ctx, id)}"`);
  });

  it('the landing page mails the link to a subscriber, answers the same for anyone else, and limits the asking', async () => {
    const { ctx, app, id } = await setup();
    const ask = (email: string) => app.request('/preferences', { method: 'POST', headers: FORM, body: new URLSearchParams({ email }) });
    expect(await (await app.request('/')).text()).toContain('Email me my preferences link');
    const known = await (await ask('USER0@example.test')).text();
    const unknown = await (await ask('nobody@example.test')).text();
    expect(known).toContain('If that address is subscribed, a link is on its way');
    expect(unknown).toBe(known);
    const mails = listOutbox(ctx.config.outboxDir).filter((e) => e.name.includes('user0@example.test'));
    expect(mails).toHaveLength(1);
    // Read as a mail client would: the link is in both parts.
    const mail = await simpleParser(readFileSync(join(ctx.config.outboxDir, mails[0]!.name)));
    expect(mail.text).toContain(preferencesUrl(ctx, id));
    expect(String(mail.html)).toContain(`href="${preferencesUrl(ctx, id)}"`);
    expect(listOutbox(ctx.config.outboxDir).some((e) => e.name.includes('nobody'))).toBe(false);
    for (let i = 0; i < 3; i++) await ask('nobody@example.test');
    expect((await ask('nobody@example.test')).status).toBe(429);
  });
});

describe('plain-text readers', () => {
  it('get a text/plain copy with their working unsubscribe link; others the two parts', async () => {
    const sink = await sinkForTest();
    const c = await contextForTest({ env: { SMTP_URL: sink.url } });
    const [plain] = addSubscribers(c, 2);
    c.sqlite.prepare('UPDATE subscribers SET text_only = 1 WHERE id = ?').run(plain);
    const issueId = insertIssue(c);
    await sendIssue(c, issueId);
    senderForTest(c, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(2);
    await until(() => deliveryRows(c, issueId).every((r) => r.status === 'sent'), 10_000, 'sent');
    const email = deliveryRows(c, issueId).find((r) => r.subscriberId === plain)!.email;
    const mine = sink.received.find((m) => m.envelopeTo[0] === email)!;
    const other = sink.received.find((m) => m.envelopeTo[0] !== email)!;
    expect(mine.raw.toString()).toMatch(/^Content-Type: text\/plain; charset=utf-8\r$/m);
    expect(mine.raw.toString()).not.toMatch(/multipart\/alternative/);
    expect(mine.parsed.html).toBe(false);
    expect(mine.parsed.text).toMatch(/Unsubscribe: http:\/\/newsdesk\.test\/unsubscribe\/u\./);
    expect(mine.raw.toString()).toMatch(/^List-Unsubscribe: <http:\/\/newsdesk\.test\/unsubscribe\/u\./m);
    expect(String(other.parsed.html)).toContain('Signal of the Day');
  });
});
