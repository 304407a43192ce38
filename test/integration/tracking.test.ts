import { afterEach, describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { linkToken, recipientToken } from '../../src/feedback/tokens.js';
import { createApp } from '../../src/http/app.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssueArticles } from '../../src/issues/repo.js';
import { manualClock } from '../../src/lib/clock.js';
import { seedFixtureDay } from '../fixtures/digest-seed.js';
import type { TestContext } from '../helpers/context.js';
import { addSubscribers, contextForTest, deliveryRows, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

// Privacy-first feedback: with TRACKING off nothing is rewritten or stored; with it on, article links go through
// /r/<token> to the stored URL only, machines' clicks are kept apart, votes need a confirm page and a POST, and under
// TRACKING=counts nothing is stored per reader.

const CUTOFF = Date.UTC(2026, 3, 6, 6);
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
let c: TestContext | undefined;
afterEach(async () => {
  await c?.cleanup();
  c = undefined;
});

/** Sends the fixture day's issue to `n` readers over SMTP; returns each reader's mail. */
async function sent(tracking: 'off' | 'counts' | 'subscriber', n = 2) {
  const sink = await sinkForTest();
  const clock = manualClock(CUTOFF + 60_000);
  c = await contextForTest({ clock, env: { SMTP_URL: sink.url, TRACKING: tracking } });
  seedFixtureDay(c, CUTOFF);
  const ids = addSubscribers(c, n);
  const issue = (await assembleIssue(c, '2026-04-06')).issue!;
  await sendIssue(c, issue.id);
  senderForTest(c, { maintenanceMs: 50, idlePollMs: 20 });
  await sink.waitFor(n);
  await until(() => deliveryRows(c!, issue.id).every((r) => r.status === 'sent'), 10_000, 'sent');
  const mails = ids.map((id) => {
    const email = deliveryRows(c!, issue.id).find((r) => r.subscriberId === id)!.email;
    return { id, mail: sink.received.find((m) => m.envelopeTo[0] === email)! };
  });
  return { ctx: c, clock, issue, ids, mails, app: createApp(c), articles: await getIssueArticles(c, issue.id) };
}

const tracked = (html: string) => [...new Set([...html.matchAll(/href="(http:\/\/newsdesk\.test\/r\/[^"]+)"/g)].map((m) => m[1]!))];
const clicks = () => c!.sqlite.prepare('SELECT link_id AS linkId, subscriber_id AS subscriberId, machine, reason FROM clicks ORDER BY id').all() as { linkId: number; subscriberId: number | null; machine: number; reason: string | null }[];
const path = (u: string) => new URL(u).pathname + new URL(u).search;

describe('tracking off (the default)', () => {
  it('rewrites no link and stores no click', async () => {
    const { mails, articles } = await sent('off');
    const html = String(mails[0]!.mail.parsed.html);
    expect(tracked(html)).toEqual([]);
    expect(html).not.toContain('/v/');
    expect(html).not.toContain('More like this');
    for (const a of articles.filter((x) => x.parts.duplicateOf == null)) expect(html).toContain(`href="${a.canonicalUrl}"`);
    expect(c!.sqlite.prepare('SELECT count(*) FROM links').pluck().get()).toBe(0);
    expect(clicks()).toEqual([]);
  });
});

describe('TRACKING=subscriber', () => {
  it('each article link redirects to its stored URL and counts one human click per reader; machines apart', async () => {
    const { mails, clock, app, articles, ids } = await sent('subscriber');
    const [ann, bob] = mails;
    const links = tracked(String(ann!.mail.parsed.html));
    expect(links.length).toBeGreaterThan(5);
    // Every link of Ann's copy names her copy; the text part goes through the same links.
    expect(ann!.mail.parsed.text).toContain(links[0]!);
    expect(links.every((l) => !tracked(String(bob!.mail.parsed.html)).includes(l))).toBe(true);
    clock.advance(60_000);
    const first = await app.request(path(links[0]!), { headers: { 'user-agent': BROWSER } });
    expect(first.status).toBe(302);
    const url = first.headers.get('location')!;
    expect(articles.map((a) => a.canonicalUrl)).toContain(url);
    expect(first.headers.get('cache-control')).toBe('no-store');
    // A redirect target in the query is ignored: only the stored URL.
    const evil = await app.request(`${path(links[0]!)}?url=https://evil.test/`, { headers: { 'user-agent': BROWSER } });
    expect(evil.headers.get('location')).toBe(url);
    // Clicking twice counts once.
    await app.request(path(links[0]!), { headers: { 'user-agent': BROWSER } });
    expect(clicks()).toEqual([{ linkId: expect.any(Number), subscriberId: ids[0], machine: 0, reason: null }]);
    // A HEAD, a prefetch, a link scanner: machines, kept apart.
    expect((await app.request(path(links[1]!), { method: 'HEAD', headers: { 'user-agent': BROWSER } })).status).toBe(302);
    await app.request(path(links[2]!), { headers: { 'user-agent': BROWSER, 'sec-purpose': 'prefetch' } });
    await app.request(path(links[3]!), { headers: { 'user-agent': 'Mozilla/5.0 (compatible; Barracuda Sentinel scanner)' } });
    expect(clicks().slice(1).map((k) => [k.machine, k.reason])).toEqual([
      [1, 'head'],
      [1, 'prefetch'],
      [1, 'scanner'],
    ]);
  });

  it('a click seconds after delivery is a scanner’s; forged tokens and another issue’s reader part are refused', async () => {
    const { mails, app, ctx, issue, articles } = await sent('subscriber', 1);
    const links = tracked(String(mails[0]!.mail.parsed.html));
    // The mail left at the clock's time: a click now is within seconds of it.
    await app.request(path(links[0]!), { headers: { 'user-agent': BROWSER } });
    expect(clicks().map((k) => k.reason)).toEqual(['too-soon']);
    const token = decodeURIComponent(new URL(links[0]!).pathname.slice(3));
    const [link, reader] = [token.slice(0, token.indexOf('.')), token.slice(token.indexOf('.') + 1)];
    const other = recipientToken(ctx.config.secretKey, { issueId: issue.id + 1, sentAt: 0, subscriberId: 1 });
    for (const bad of [`${link.slice(0, -1)}A.${reader}`, `${link}.${other}`, 'zzz-abcdefghijkl', `${linkToken('another-secret-0123456789abcdefghijk', 1)}.${reader}`]) {
      const r = await app.request(`/r/${encodeURIComponent(bad)}`, { headers: { 'user-agent': BROWSER } });
      expect(r.status, bad).toBe(404);
      expect(r.headers.get('location')).toBeNull();
    }
    expect(clicks()).toHaveLength(1);
    // A copy without a reader part (a test copy) still reaches the article, and counts nothing.
    const bare = await app.request(`/r/${encodeURIComponent(link)}`, { headers: { 'user-agent': BROWSER } });
    expect(bare.status).toBe(302);
    expect(articles.map((a) => a.canonicalUrl)).toContain(bare.headers.get('location'));
    expect(clicks()).toHaveLength(1);
  });

  it('10,000 clicks in a second from one address: counted once, the rest rate-limited', async () => {
    const { mails, clock, app } = await sent('subscriber', 1);
    const link = path(tracked(String(mails[0]!.mail.parsed.html))[0]!);
    clock.advance(60_000);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const r = await app.request(link, { headers: { 'user-agent': BROWSER } });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect(statuses.get(302)).toBeLessThanOrEqual(60);
    expect(statuses.get(429)).toBeGreaterThanOrEqual(9_940);
    expect(clicks()).toHaveLength(1);
  });

  it('"more / less like this": the link shows a confirm page; only its POST records the vote, and the last one counts', async () => {
    const { mails, clock, app, ids } = await sent('subscriber', 1);
    const html = String(mails[0]!.mail.parsed.html);
    const votes = [...html.matchAll(/href="(http:\/\/newsdesk\.test\/v\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(votes.length).toBeGreaterThan(2);
    expect(html).toContain('More like this');
    clock.advance(60_000);
    const less = votes.find((v) => v.endsWith('?less'))!;
    const page = await app.request(path(less), { headers: { 'user-agent': BROWSER } });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Fewer stories like this one?');
    expect(c!.sqlite.prepare('SELECT count(*) FROM votes').pluck().get()).toBe(0);
    const action = /action="([^"]+)"/.exec(body)![1]!;
    expect((await app.request(action, { method: 'POST', headers: { ...FORM, origin: 'https://evil.example' }, body: 'value=less' })).status).toBe(403);
    expect((await app.request(action, { method: 'POST', headers: FORM, body: 'value=sideways' })).status).toBe(400);
    const ok = await app.request(action, { method: 'POST', headers: FORM, body: 'value=less' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('fewer stories like this');
    await app.request(action, { method: 'POST', headers: FORM, body: 'value=more' });
    expect(c!.sqlite.prepare('SELECT subscriber_id AS s, value FROM votes').all()).toEqual([{ s: ids[0], value: 1 }]);
    expect((await app.request('/v/not-a-token?more')).status).toBe(404);
  });
});

describe('a link that is not http(s)', () => {
  it('is never wrapped by tracking (nor linked at all)', async () => {
    const sink = await sinkForTest();
    const clock = manualClock(CUTOFF + 60_000);
    c = await contextForTest({ clock, env: { SMTP_URL: sink.url, TRACKING: 'subscriber' } });
    seedFixtureDay(c, CUTOFF);
    addSubscribers(c, 1);
    const issue = (await assembleIssue(c, '2026-04-06')).issue!;
    const [bad] = await getIssueArticles(c, issue.id);
    // A stored article whose canonical URL is a script (ingest drops these; here one got past it).
    c.sqlite.prepare("UPDATE articles SET canonical_url = 'javascript:alert(1)' WHERE id = ?").run(bad!.id);
    await sendIssue(c, issue.id);
    senderForTest(c, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(1);
    const html = String(sink.received[0]!.parsed.html);
    expect(html).not.toContain('javascript:');
    expect(html).toContain(bad!.title.slice(0, 20));
    expect(c.sqlite.prepare('SELECT count(*) FROM links WHERE article_id = ?').pluck().get(bad!.id)).toBe(0);
    expect(tracked(html).length).toBeGreaterThan(3);
  });
});

describe('TRACKING=counts', () => {
  it('keeps totals only: no reader in the links, none in the clicks or votes', async () => {
    const { mails, clock, app } = await sent('counts', 2);
    const a = tracked(String(mails[0]!.mail.parsed.html));
    const b = tracked(String(mails[1]!.mail.parsed.html));
    // The reader part holds the issue and the send time only.
    const readerPart = (u: string) => decodeURIComponent(new URL(u).pathname.slice(3)).split('.').slice(1).join('.');
    expect(readerPart(a[0]!).split('-')[0]!.split('.')).toHaveLength(2);
    clock.advance(60_000);
    expect((await app.request(path(a[0]!), { headers: { 'user-agent': BROWSER } })).status).toBe(302);
    expect((await app.request(path(b[0]!), { headers: { 'user-agent': BROWSER } })).status).toBe(302);
    const rows = clicks();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.subscriberId === null && r.machine === 0)).toBe(true);
    const vote = [...String(mails[0]!.mail.parsed.html).matchAll(/href="http:\/\/newsdesk\.test(\/v\/[^"]+)"/g)][0]![1]!.replace(/&amp;/g, '&');
    const action = /action="([^"]+)"/.exec(await (await app.request(vote)).text())![1]!;
    await app.request(action, { method: 'POST', headers: FORM, body: 'value=more' });
    expect(c!.sqlite.prepare('SELECT subscriber_id AS s, value FROM votes').all()).toEqual([{ s: null, value: 1 }]);
  });
});

describe('the redirect as the service serves it', () => {
  it('answers a known link before the router and writes its clicks in a batch', async () => {
    const { startLiveServer } = await import('../helpers/server.js');
    const clock = manualClock(CUTOFF + 60_000);
    const live = await startLiveServer({ TRACKING: 'subscriber' }, clock);
    try {
      const ctx = live.ctx;
      seedFixtureDay(ctx, CUTOFF);
      const issue = (await assembleIssue(ctx, '2026-04-06')).issue!;
      const [article] = await getIssueArticles(ctx, issue.id);
      const { ensureLinks } = await import('../../src/feedback/repo.js');
      const link = (await ensureLinks(ctx, issue.id, [{ articleId: article!.id, url: article!.canonicalUrl }])).get(article!.id)!;
      const url = (sub: number) => `${live.url}/r/${linkToken(ctx.config.secretKey, link.id)}.${recipientToken(ctx.config.secretKey, { issueId: issue.id, sentAt: CUTOFF, subscriberId: sub })}`;
      // The first click reads the link (through the router); the next ones are answered from memory.
      for (const sub of [1, 2, 3, 3]) {
        const r = await fetch(url(sub), { redirect: 'manual', headers: { 'user-agent': BROWSER } });
        expect(r.status).toBe(302);
        expect(r.headers.get('location')).toBe(article!.canonicalUrl);
        expect(r.headers.get('cache-control')).toBe('no-store');
      }
      const evil = await fetch(`${url(4)}?url=https://evil.test/`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
      expect(evil.headers.get('location')).toBe(article!.canonicalUrl);
      expect((await fetch(`${live.url}/r/${linkToken(ctx.config.secretKey, link.id)}x`, { redirect: 'manual' })).status).toBe(404);
      const rows = () => ctx.store.feedback.articleFeedback([article!.id]).then((m) => m.get(article!.id)!.clicks);
      await until(async () => (await rows()) === 4, 5_000, 'four readers counted');
      expect(await rows()).toBe(4);
    } finally {
      await live.close();
    }
  });
});
