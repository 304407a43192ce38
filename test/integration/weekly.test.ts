import { afterEach, describe, expect, it } from 'vitest';
import { resendIssue, sendIssue } from '../../src/deliveries/send.js';
import { createApp } from '../../src/http/app.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssue, getIssueArticles } from '../../src/issues/repo.js';
import { assembleWeekly } from '../../src/issues/weekly.js';
import { manualClock } from '../../src/lib/clock.js';
import { preferencesUrl } from '../../src/subscribers/preferences.js';
import { seedArticle } from '../fixtures/digest-seed.js';
import type { TestContext } from '../helpers/context.js';
import { addSubscribers, contextForTest, deliveryRows, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

// The weekly edition: the week's best from its daily issues, one per date, sent only to weekly readers (who get no
// dailies), with its own archive pages and feeds.

const at = (d: string, h = 6) => Date.parse(`${d}T${String(h).padStart(2, '0')}:00:00Z`);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const auth = { authorization: 'Bearer test-admin-token-0123456789' };
const WEEK = ['2026-04-06', '2026-04-07', '2026-04-08', '2026-04-09', '2026-04-10', '2026-04-11', '2026-04-12'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'];

let c: TestContext | undefined;
afterEach(async () => {
  await c?.cleanup();
  c = undefined;
});

/** A story with measured results (scores high) or a plain announcement (scores low). */
const SYSTEMS = ['Kafka consumers', 'the Postgres planner', 'edge caches', 'the build farm', 'Kubernetes autoscaling', 'the search index', 'mobile crash reporting', 'the payments ledger', 'DNS resolvers'];
let n = 0;
function story(ctx: TestContext, source: string, title: string, publishedAt: number, strong: boolean): number {
  const k = n++;
  const sys = SYSTEMS[k % SYSTEMS.length]!;
  const body = strong
    ? `${title}. The team rebuilt ${sys} and cut p99 latency from ${400 + k * 7} ms to ${90 + k} ms, a ${k + 3}x improvement, while cost fell ${20 + k}%. They measured ${k + 2}.${k % 10} million requests per second on ${30 + k} nodes. The lesson from ${sys}: measure before you migrate.`
    : `${title}. We are happy to announce a new partnership. Stay tuned for more news.`;
  return seedArticle(ctx, { source, title, summary: body, contentText: `${body} ${body} ${body}`, publishedAt });
}

/** Seven sent dailies of four stories each; returns the ids by day. */
async function week(ctx: TestContext, clock: ReturnType<typeof manualClock>) {
  const byDay = new Map<string, number[]>();
  for (const [d, day] of WEEK.entries()) {
    const ids = [0, 1, 2, 3].map((k) => story(ctx, COMPANIES[(d + k) % COMPANIES.length]!, `Day ${d + 1} story ${k + 1} on ${COMPANIES[(d + k) % 5]} systems`, at(day, 3) + k * 60_000, k === 0));
    byDay.set(day, ids);
    clock.set(at(day, 7));
    const issue = (await assembleIssue(ctx, day)).issue!;
    expect(issue.edition).toBe('daily');
    ctx.sqlite.prepare("UPDATE issues SET status = 'sent', sent_at = ? WHERE id = ?").run(clock.now(), issue.id);
  }
  return byDay;
}

describe('the weekly edition', () => {
  it('takes the best stories of the seven dailies before its date, once per date, beside that date’s daily', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock });
    const byDay = await week(c, clock);
    // Outside the week: the Sunday before and the Monday itself.
    story(c, 'Acme', 'Before the week', at('2026-04-05', 3), true);
    const monday = story(c, 'Globex', 'Monday news with 3x faster builds', at('2026-04-13', 3), true);
    clock.set(at('2026-04-13', 7));
    const r = await assembleWeekly(c, '2026-04-13');
    expect(r.issue).toMatchObject({ date: '2026-04-13', edition: 'weekly' });
    const w = r.issue!;
    const all = await getIssueArticles(c, w.id);
    const rows = all.filter((a) => a.parts.duplicateOf == null);
    const inWeek = new Set([...byDay.values()].flat());
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(all.every((a) => inWeek.has(a.id))).toBe(true);
    // The strong story of every day outranks every announcement.
    const strong = new Set([...byDay.values()].map((ids) => ids[0]!));
    expect(rows.slice(0, 7).map((a) => strong.has(a.id))).toEqual(Array(7).fill(true));
    const row = (await getIssue(c, w.id))!;
    expect(row.subject).toMatch(/^The week: .+ · 6–12 Apr$/);
    expect(row.html).toContain('SIGNAL OF THE WEEK');
    expect(row.html).toContain('Week of 6–12 April 2026');
    expect(row.html).toContain('http://newsdesk.test/issues/weekly/2026-04-13');
    expect(row.text).toContain('SIGNAL OF THE WEEK');
    // The editor's sentences speak of the week, not of a day.
    expect(row.text).not.toMatch(/today's|through the day|the day's/);
    // The summary is the one the daily sent.
    const daily = (await getIssue(c, (await assembleIssue(c, '2026-04-06')).issue!.id))!;
    const firstDaily = rows.find((a) => byDay.get('2026-04-06')!.includes(a.id));
    if (firstDaily) expect(JSON.parse(daily.digestJson).extracted[String(firstDaily.id)]).toBeTruthy();
    // Idempotent, and the daily of the same date is its own issue.
    expect((await assembleWeekly(c, '2026-04-13')).issue!.id).toBe(w.id);
    const mondayDaily = (await assembleIssue(c, '2026-04-13')).issue!;
    expect(mondayDaily.id).not.toBe(w.id);
    expect((await getIssueArticles(c, mondayDaily.id)).map((a) => a.id)).toEqual([monday]);
    // A weekly in the future, a second one within the same week, or one over a week without dailies: refused with a reason.
    expect(await assembleWeekly(c, '2026-04-20')).toMatchObject({ issue: null, reason: expect.stringContaining('future') });
    clock.set(at('2026-04-15', 7));
    expect(await assembleWeekly(c, '2026-04-15')).toMatchObject({ issue: null, reason: 'the weekly issue of 2026-04-13 is less than a week away: one weekly issue a week' });
    clock.set(at('2026-05-04', 7));
    expect(await assembleWeekly(c, '2026-05-04')).toMatchObject({ issue: null, reason: expect.stringContaining('no daily issue between 2026-04-27 and 2026-05-03') });
  });

  it('the admin API and the archive: edition in and out, its own pages and feeds', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock });
    await week(c, clock);
    clock.set(at('2026-04-13', 8));
    const app = createApp(c);
    const bad = await app.request('/api/admin/issues', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ date: '2026-04-13', edition: 'monthly' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields).toMatchObject({ edition: expect.any(String) });
    const res = await app.request('/api/admin/issues', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ date: '2026-04-13', edition: 'weekly' }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: number; edition: string };
    expect(body.edition).toBe('weekly');
    const one = (await (await app.request(`/api/admin/issues/${body.id}`, { headers: auth })).json()) as { edition: string };
    expect(one.edition).toBe('weekly');
    const listed = (await (await app.request('/api/admin/issues?edition=weekly', { headers: auth })).json()) as { issues: { id: number; edition: string }[] };
    expect(listed.issues.map((i) => [i.id, i.edition])).toEqual([[body.id, 'weekly']]);
    // Unpublished: not in the archive.
    expect((await app.request('/issues/weekly/2026-04-13')).status).toBe(404);
    c.sqlite.prepare("UPDATE issues SET status = 'sent', sent_at = ? WHERE id = ?").run(clock.now(), body.id);
    const page = await app.request('/issues/weekly/2026-04-13');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Signal of the Week');
    expect(html).toContain('Week of 6–12 April 2026');
    const list = await (await app.request('/issues/weekly')).text();
    expect(list).toContain('href="/issues/weekly/2026-04-13"');
    const daily = await (await app.request('/issues')).text();
    expect(daily).not.toContain('/issues/weekly/2026-04-13"');
    expect(daily).toContain('href="/issues/2026-04-12"');
    const atom = await (await app.request('/issues/weekly/feed.xml')).text();
    expect(atom).toContain('<id>http://newsdesk.test/issues/weekly/2026-04-13</id>');
    expect(await (await app.request('/issues/feed.xml')).text()).not.toContain('issues/weekly/2026-04-13');
    const json = (await (await app.request('/issues/weekly/feed.json')).json()) as { items: { url: string }[] };
    expect(json.items.map((i) => i.url)).toEqual(['http://newsdesk.test/issues/weekly/2026-04-13']);
    expect((await app.request('/issues/weekly/not-a-date')).status).toBe(404);
  });

  it('a reader who switches to weekly from the mail link gets only the weekly issue; the others only dailies', async () => {
    const sink = await sinkForTest();
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock, env: { SMTP_URL: sink.url } });
    const [weeklyReader, a, b] = addSubscribers(c, 3);
    const app = createApp(c);
    const path = new URL(preferencesUrl(c, weeklyReader!)).pathname;
    const form = await (await app.request(path)).text();
    expect(form).toContain('value="weekly"');
    expect(form).toContain('Mondays at 07:00');
    const saved = await app.request(path, { method: 'POST', headers: FORM, body: new URLSearchParams({ frequency: 'weekly' }) });
    expect(saved.status).toBe(200);
    expect(c.sqlite.prepare('SELECT frequency FROM subscribers WHERE id = ?').pluck().get(weeklyReader)).toBe('weekly');
    expect(c.sqlite.prepare("SELECT detail FROM consent_events WHERE subscriber_id = ? AND type = 'preferences'").pluck().get(weeklyReader)).toBe('weekly edition only');
    // A frequency that is neither changes nothing.
    expect((await app.request(path, { method: 'POST', headers: FORM, body: new URLSearchParams({ frequency: 'hourly' }) })).status).toBe(400);

    await week(c, clock);
    const dailyId = c.sqlite.prepare("SELECT id FROM issues WHERE date = '2026-04-12' AND edition = 'daily'").pluck().get() as number;
    c.sqlite.prepare("UPDATE issues SET status = 'draft' WHERE id = ?").run(dailyId);
    await sendIssue(c, dailyId);
    expect(deliveryRows(c, dailyId).map((r) => r.subscriberId).sort()).toEqual([a, b].sort());
    clock.set(at('2026-04-13', 7));
    const weekly = (await assembleWeekly(c, '2026-04-13')).issue!;
    await sendIssue(c, weekly.id);
    expect(deliveryRows(c, weekly.id).map((r) => r.subscriberId)).toEqual([weeklyReader]);
    // Sending again queues nobody twice (the same ledger).
    expect((await sendIssue(c, weekly.id)).queued).toBe(0);
    senderForTest(c, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(3);
    await until(() => [...deliveryRows(c!, dailyId), ...deliveryRows(c!, weekly.id)].every((r) => r.status === 'sent'), 10_000, 'sent');
    const email = deliveryRows(c, weekly.id)[0]!.email;
    const mine = sink.received.filter((m) => m.envelopeTo[0] === email);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.parsed.subject).toMatch(/^The week: /);
    expect(String(mine[0]!.parsed.html)).toContain('THE WEEKLY ENGINEERING DIGEST');
    expect(sink.received.filter((m) => m.envelopeTo[0] !== email).every((m) => !/^The week: /.test(m.parsed.subject ?? ''))).toBe(true);
  });

  it('a reader who switches edition while an issue is sending does not get that issue, nor by an operator resend', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock });
    const [leaver, stayer] = addSubscribers(c, 2);
    await week(c, clock);
    const dailyId = c.sqlite.prepare("SELECT id FROM issues WHERE date = '2026-04-12'").pluck().get() as number;
    c.sqlite.prepare("UPDATE issues SET status = 'draft' WHERE id = ?").run(dailyId);
    await sendIssue(c, dailyId);
    c.sqlite.prepare("UPDATE subscribers SET frequency = 'weekly' WHERE id = ?").run(leaver);
    const claimed = await c.store.deliveries.claimBatch(dailyId, 'o', 10, clock.now(), clock.now() + 60_000);
    expect(claimed.map((r) => r.subscriberId)).toEqual([stayer]);
    const row = deliveryRows(c, dailyId).find((r) => r.subscriberId === leaver)!;
    expect(row).toMatchObject({ status: 'skipped', lastError: 'reader chose the weekly edition' });
    // Once the issue is sent, a resend to that reader is refused with the reason: their choice stands.
    await c.store.deliveries.markSent('o', claimed.map((r) => ({ id: r.id, messageId: `m${r.id}`, response: '250 ok', at: clock.now() })));
    c.sqlite.prepare("UPDATE issues SET status = 'sent' WHERE id = ?").run(dailyId);
    const email = c.sqlite.prepare('SELECT email FROM subscribers WHERE id = ?').pluck().get(leaver) as string;
    await expect(resendIssue(c, dailyId, { email }, 'test')).rejects.toMatchObject({ status: 409, message: expect.stringContaining('chose the weekly edition') });
    expect(deliveryRows(c, dailyId).find((r) => r.subscriberId === leaver)!.status).toBe('skipped');
  });

  it('WEEKLY_CRON runs the weekly job once per date: assembled and queued for weekly readers, then already done', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock });
    const [reader] = addSubscribers(c, 2);
    c.sqlite.prepare("UPDATE subscribers SET frequency = 'weekly' WHERE id = ?").run(reader);
    await week(c, clock);
    clock.set(at('2026-04-13', 7) + 5_000);
    const { createScheduler } = await import('../../src/jobs/scheduler.js');
    const s = createScheduler(c);
    const first = await s.fireWeekly('cron');
    expect(first).toMatchObject({ status: 'queued', date: '2026-04-13' });
    const weeklyId = (first as { issueId: number }).issueId;
    expect((await getIssue(c, weeklyId))!.edition).toBe('weekly');
    expect(deliveryRows(c, weeklyId).map((r) => r.subscriberId)).toEqual([reader]);
    expect(await s.fireWeekly('cron')).toMatchObject({ status: 'already_done' });
    // The daily job of that Monday is its own run.
    expect(c.sqlite.prepare("SELECT job, status FROM job_runs WHERE date = '2026-04-13'").all()).toEqual([{ job: 'weekly', status: 'queued' }]);
  });

  it('newsdesk assemble --weekly and send weekly:DATE from the command line', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock });
    addSubscribers(c, 1);
    c.sqlite.prepare("UPDATE subscribers SET frequency = 'weekly'").run();
    await week(c, clock);
    const { runCli } = await import('../helpers/cli.js');
    const { testEnv } = await import('../helpers/context.js');
    const env = testEnv(c.dir);
    const help = runCli(['assemble', '--help'], env);
    expect(help.stdout).toContain('--weekly');
    const made = runCli(['assemble', '--weekly', '--date', '2026-04-13'], env);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^weekly issue \d+ for 2026-04-13: \d+ articles/);
    expect(made.stdout).toContain('subject: The week: ');
    const sent = runCli(['send', 'weekly:2026-04-13'], env);
    expect(sent.status, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/1 deliveries queued now/);
    expect(runCli(['send', '--weekly', '2026-04-20'], env).stderr).toContain('No weekly issue for 2026-04-20');
  });

  it('the console assembles either edition and marks the weekly one', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock });
    await week(c, clock);
    clock.set(at('2026-04-13', 8));
    const app = createApp(c);
    const login = await app.request('/admin/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ token: 'test-admin-token-0123456789' }) });
    const cookie = /nd_console=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
    const list = await (await app.request('/admin/issues', { headers: { cookie } })).text();
    expect(list).toContain('<option value="weekly">');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(list)![1]!;
    const made = await app.request('/admin/issues/assemble', { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams({ _csrf: csrf, date: '2026-04-13', edition: 'weekly' }) });
    expect(made.status).toBe(303);
    const weeklyId = c.sqlite.prepare("SELECT id FROM issues WHERE edition = 'weekly'").pluck().get() as number;
    expect(made.headers.get('location')).toBe(`/admin/issues/${weeklyId}`);
    expect(await (await app.request('/admin/issues', { headers: { cookie } })).text()).toContain('<span class="badge weekly">weekly</span>');
    const bad = await app.request('/admin/issues/assemble', { method: 'POST', headers: { ...FORM, cookie }, body: new URLSearchParams({ _csrf: csrf, date: '2026-04-13', edition: 'monthly' }) });
    expect(bad.status).toBe(303);
    expect(c.sqlite.prepare('SELECT count(*) FROM issues').pluck().get()).toBe(8);
  });

  it('with tracking on, what readers clicked and voted during the week moves a story up the weekly', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    c = await contextForTest({ clock, env: { TRACKING: 'subscriber' } });
    const byDay = await week(c, clock);
    clock.set(at('2026-04-13', 7));
    // Without feedback an announcement ranks below every day's measured story; readers clicked this one a lot.
    const favourite = byDay.get('2026-04-09')![3]!;
    const dailyId = c.sqlite.prepare("SELECT issue_id FROM issue_articles WHERE article_id = ? AND edition = 'daily'").pluck().get(favourite) as number;
    const links = await c.store.feedback.ensureLinks(dailyId, [{ articleId: favourite, url: 'https://e.example/fav' }]);
    const linkId = links.get(favourite)!.id;
    await c.store.feedback.recordClicks(Array.from({ length: 25 }, (_, i) => ({ linkId, issueId: dailyId, articleId: favourite, subscriberId: i + 1, at: clock.now(), machine: false, reason: null })));
    // Machine clicks count for nothing.
    const ignored = byDay.get('2026-04-10')![3]!;
    const other = (await c.store.feedback.ensureLinks(dailyId + 1, [{ articleId: ignored, url: 'https://e.example/x' }])).get(ignored)!.id;
    await c.store.feedback.recordClicks(Array.from({ length: 50 }, (_, i) => ({ linkId: other, issueId: dailyId + 1, articleId: ignored, subscriberId: i + 1, at: clock.now(), machine: true, reason: 'scanner' })));
    await c.store.feedback.recordVote({ issueId: dailyId, articleId: favourite, subscriberId: 1, value: 1, at: clock.now() });
    const w = (await assembleWeekly(c, '2026-04-13')).issue!;
    const rows = (await getIssueArticles(c, w.id)).filter((a) => a.parts.duplicateOf == null);
    const fav = rows.find((a) => a.id === favourite);
    expect(fav?.parts.readers).toBe(1);
    // Without feedback all seven measured stories lead the weekly; now the clicked announcement is among them.
    expect(rows.findIndex((a) => a.id === favourite)).toBeLessThan(7);
    expect(rows.find((a) => a.id === ignored)?.parts.readers).toBeUndefined();
  });
});
