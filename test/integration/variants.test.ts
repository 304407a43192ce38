import { afterEach, describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { issueCopies } from '../../src/deliveries/variants.js';
import { createApp } from '../../src/http/app.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssueArticles } from '../../src/issues/repo.js';
import { manualClock } from '../../src/lib/clock.js';
import { preferencesUrl } from '../../src/subscribers/preferences.js';
import { seedFixtureDay, seedSource } from '../fixtures/digest-seed.js';
import type { TestContext } from '../helpers/context.js';
import { addSubscribers, contextForTest, deliveryRows, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

// Leaving out companies: a reader's copy is the issue without those companies' stories; one rendering per distinct
// choice (never per reader), and every other reader's copy is the issue as it was assembled.

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CUTOFF = Date.UTC(2026, 3, 6, 6);
let c: TestContext | undefined;
afterEach(async () => {
  await c?.cleanup();
  c = undefined;
});

describe('leaving out companies', () => {
  it('removes the company’s stories from that reader’s copy only, rendering once per distinct choice', async () => {
    const sink = await sinkForTest();
    const clock = manualClock(CUTOFF + 60_000);
    c = await contextForTest({ clock, env: { SMTP_URL: sink.url } });
    seedFixtureDay(c, CUTOFF);
    const issue = (await assembleIssue(c, '2026-04-06')).issue!;
    const shown = (await getIssueArticles(c, issue.id)).filter((a) => a.parts.duplicateOf == null);
    const signalCompany = shown[0]!.sourceName;
    const other = shown.find((a) => a.sourceName !== signalCompany)!.sourceName;
    const [ann, bob, cat, dan] = addSubscribers(c, 4);
    const app = createApp(c);
    // Ann and Cat leave out the signal's company (in two spellings); Dan a company with no story today.
    const choose = async (id: number, names: string[]) => {
      const body = new URLSearchParams();
      for (const n of names) body.append('exclude', n);
      const r = await app.request(new URL(preferencesUrl(c!, id)).pathname, { method: 'POST', headers: FORM, body });
      const text = await r.text();
      expect(r.status, text.slice(text.indexOf('notice'), text.indexOf('notice') + 200)).toBe(200);
      return text;
    };
    const page = await choose(ann!, [signalCompany, other]);
    expect(page).toContain(`value="${signalCompany}" checked`);
    await choose(cat!, [other, signalCompany.toUpperCase()]);
    seedSource(c, 'Quiet Company');
    const absent = 'Quiet Company';
    await choose(dan!, [absent]);
    expect(c.sqlite.prepare("SELECT detail FROM consent_events WHERE subscriber_id = ? AND type = 'preferences'").pluck().get(ann)).toContain('leaves out');
    // An unknown company is refused and changes nothing.
    const bad = await app.request(new URL(preferencesUrl(c, bob!)).pathname, { method: 'POST', headers: FORM, body: new URLSearchParams({ exclude: 'Nobody Inc' }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('not among the sources');
    expect(c.sqlite.prepare('SELECT excluded_companies FROM subscribers WHERE id = ?').pluck().get(bob)).toBe('[]');

    await sendIssue(c, issue.id);
    senderForTest(c, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(4);
    await until(() => deliveryRows(c!, issue.id).every((r) => r.status === 'sent'), 10_000, 'sent');
    const mailOf = (id: number) => {
      const email = deliveryRows(c!, issue.id).find((r) => r.subscriberId === id)!.email;
      return sink.received.find((m) => m.envelopeTo[0] === email)!;
    };
    const left = shown.filter((a) => a.sourceName === signalCompany || a.sourceName === other);
    for (const id of [ann!, cat!]) {
      const m = mailOf(id);
      const html = String(m.parsed.html);
      for (const a of left) {
        expect(html).not.toContain(`href="${a.canonicalUrl}"`);
        expect(m.parsed.text).not.toContain(a.canonicalUrl);
      }
      // The next story leads instead, and the subject names it.
      const lead = shown.find((a) => !left.includes(a))!;
      expect(html).toContain(`href="${lead.canonicalUrl}"`);
      expect(m.parsed.subject).toContain(lead.title.slice(0, 30));
      // Still this reader's own unsubscribe link.
      expect(m.raw.toString()).toMatch(/^List-Unsubscribe: <http:\/\/newsdesk\.test\/unsubscribe\/u\./m);
    }
    for (const id of [bob!, dan!]) {
      const html = String(mailOf(id).parsed.html);
      for (const a of shown) expect(html).toContain(`href="${a.canonicalUrl}"`);
    }
    // Ann's and Cat's copies are the same message apart from the recipient's own values.
    const strip = (m: ReturnType<typeof mailOf>) => String(m.parsed.html).replace(/unsubscribe\/[^"?]+/g, 'unsubscribe/X');
    expect(strip(mailOf(ann!))).toBe(strip(mailOf(cat!)));
    expect(strip(mailOf(bob!))).toBe(strip(mailOf(dan!)));
  });

  it('builds one template per distinct choice, however many readers share it', async () => {
    const clock = manualClock(CUTOFF + 60_000);
    c = await contextForTest({ clock });
    seedFixtureDay(c, CUTOFF);
    const issue = (await assembleIssue(c, '2026-04-06')).issue!;
    const names = [...new Set((await getIssueArticles(c, issue.id)).map((a) => a.sourceName))];
    const stored = (await c.store.deliveries.getSendableIssue(issue.id))!;
    const copies = await issueCopies(c, issue.id, stored);
    const choices = [[], [names[0]!], [names[0]!.toLowerCase()], [names[1]!, names[0]!], [names[0]!, names[1]!], ['Not In This Issue']];
    const templates = [];
    for (let i = 0; i < 60; i++) templates.push(await copies.templateFor(choices[i % choices.length]));
    // Four distinct copies: none (and a company with no story), the first company, the first two.
    expect(copies.rendered).toBe(3);
    expect(templates[0]).toBe(templates[5]);
    expect(templates[1]).toBe(templates[2]);
    expect(templates[3]).toBe(templates[4]);
    expect(templates[0]).not.toBe(templates[1]);
    // Tracking is off: no link is rewritten and no recipient part is made.
    expect(copies.trackingToken(1, clock.now())).toBeUndefined();
    const raw = templates[1]!.build({ subscriberId: 1, email: 'a@example.test', unsubscribeUrl: 'http://newsdesk.test/unsubscribe/u.x' }).raw.toString();
    expect(raw).not.toContain('/r/');
  });

  it('a copy that cannot be rendered goes out as the stored issue, and the log says why', async () => {
    const sink = await sinkForTest();
    const clock = manualClock(CUTOFF + 60_000);
    c = await contextForTest({ clock, env: { SMTP_URL: sink.url, TRACKING: 'subscriber' } });
    // The log's error lines, kept: the rest of the logger as it was.
    const lines: string[] = [];
    const log = c.log;
    (c as { log: typeof log }).log = Object.assign(Object.create(log), { error: (_o: unknown, m?: string) => lines.push(String(m)) });
    seedFixtureDay(c, CUTOFF);
    const [id] = addSubscribers(c, 1);
    const issue = (await assembleIssue(c, '2026-04-06')).issue!;
    // The links cannot be stored: the table is gone.
    c.sqlite.exec('DROP TABLE links');
    await sendIssue(c, issue.id);
    senderForTest(c, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(1);
    await until(() => deliveryRows(c!, issue.id).every((r) => r.status === 'sent'), 10_000, 'sent');
    const html = String(sink.received[0]!.parsed.html);
    expect(html).not.toContain('/r/');
    for (const a of (await getIssueArticles(c, issue.id)).filter((x) => x.parts.duplicateOf == null)) expect(html).toContain(`href="${a.canonicalUrl}"`);
    expect(lines).toContain('a copy of the issue could not be rendered: sending the stored one');
    expect(deliveryRows(c, issue.id).map((r) => r.subscriberId)).toEqual([id]);
  });
});
