import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveries, issues, subscribers } from '../../src/db/sqlite/schema.js';
import { createApp } from '../../src/http/app.js';
import { UNSUBSCRIBE_PLACEHOLDER } from '../../src/issues/personalize.js';
import { manualClock } from '../../src/lib/clock.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { seedFixtureDay } from '../fixtures/digest-seed.js';

const AUTH = { Authorization: 'Bearer test-admin-token-0123456789' };
const JSON_H = { ...AUTH, 'Content-Type': 'application/json' };
const cutoff = Date.parse('2026-04-06T06:00:00Z');

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
beforeEach(async () => {
  ctx = await makeTestContext({ clock: manualClock(cutoff + 60_000) });
  app = createApp(ctx);
});
afterEach(async () => ctx.cleanup());

const post = (body: unknown) => app.request('/api/admin/issues', { method: 'POST', headers: JSON_H, body: JSON.stringify(body) });
const patch = (id: number, body: unknown) => app.request(`/api/admin/issues/${id}`, { method: 'PATCH', headers: JSON_H, body: JSON.stringify(body) });
const get = (path: string) => app.request(path, { headers: AUTH });

describe('admin issues API', () => {
  it('needs the admin token', async () => {
    expect((await app.request('/api/admin/issues')).status).toBe(401);
    expect((await app.request('/api/admin/issues', { headers: { Authorization: 'Bearer wrong-token-000000000' } })).status).toBe(401);
  });

  it('answers an empty window with 200 { issue: null, reason }, and rejects a bad date', async () => {
    const r = await post({ date: '2026-04-06' });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { issue: null; reason: string };
    expect(body.issue).toBeNull();
    expect(body.reason).toMatch(/no new articles/);
    const bad = await post({ date: '06/04/2026' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
  });

  it('assembles (idempotent), lists with delivery counts, shows one issue, previews HTML and text', async () => {
    seedFixtureDay(ctx, cutoff);
    const r1 = await post({ date: '2026-04-06' });
    expect(r1.status).toBe(200);
    const issue = (await r1.json()) as { id: number; date: string; subject: string; articleCount: number };
    expect(issue).toMatchObject({ date: '2026-04-06', articleCount: 25 });
    expect(((await (await post({ date: '2026-04-06' })).json()) as { id: number }).id).toBe(issue.id);
    // POST with no date: today in DIGEST_TIMEZONE, which is the same date here.
    expect(((await (await post({})).json()) as { id: number }).id).toBe(issue.id);

    const sub = ctx.db.insert(subscribers).values({ email: 'a@x.test', status: 'confirmed', createdAt: 0, updatedAt: 0 }).returning().get();
    const sub2 = ctx.db.insert(subscribers).values({ email: 'b@x.test', status: 'confirmed', createdAt: 0, updatedAt: 0 }).returning().get();
    ctx.db.insert(deliveries).values([
      { issueId: issue.id, subscriberId: sub.id, status: 'sent', queuedAt: 0, updatedAt: 0 },
      { issueId: issue.id, subscriberId: sub2.id, status: 'failed', queuedAt: 0, updatedAt: 0 },
    ]).run();

    const list = (await (await get('/api/admin/issues')).json()) as { issues: { id: number; counts: Record<string, number> }[] };
    expect(list.issues).toHaveLength(1);
    expect(list.issues[0]!.counts).toEqual({ queued: 0, sent: 1, failed: 1, bounced: 0, skipped: 0 });

    const one = (await (await get(`/api/admin/issues/${issue.id}`)).json()) as {
      status: string;
      counts: Record<string, number>;
      articles: { id: number; rank: number; score: number; scoreParts: { depth: number; specifics: number; coverage: number; sourceWeight: number } }[];
    };
    expect(one.status).toBe('draft');
    expect(one.counts.sent).toBe(1);
    expect(one.articles).toHaveLength(25);
    expect(one.articles[0]!.scoreParts.depth).toBeGreaterThan(0);
    expect(one.articles[0]!.scoreParts.specifics).toBeGreaterThan(0);
    expect((await get('/api/admin/issues/999')).status).toBe(404);
    expect((await get('/api/admin/issues/abc')).status).toBe(404);

    const html = await (await get(`/api/admin/issues/${issue.id}/preview`)).text();
    expect(html).toContain('Signal of the Day'.toUpperCase());
    expect(html).toContain('id="newsdesk-scores"'); // score parts shown to the operator
    expect(html).toContain("specifics");
    expect(html).not.toContain(UNSUBSCRIBE_PLACEHOLDER);
    const plain = await (await get(`/api/admin/issues/${issue.id}/preview?scores=0`)).text();
    expect(plain).not.toContain('newsdesk-scores');
    const text = await get(`/api/admin/issues/${issue.id}/preview?format=text`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toMatch(/^ENGINEERING @ SCALE/);
  });

  it('applies operator overrides and re-renders; freezes once sending started', async () => {
    seedFixtureDay(ctx, cutoff);
    const issue = (await (await post({ date: '2026-04-06' })).json()) as { id: number };
    const detail = (await (await get(`/api/admin/issues/${issue.id}`)).json()) as { articles: { id: number; title: string }[] };
    const [top, second, , , fifth] = detail.articles;

    const r = await patch(issue.id, {
      signalArticleId: fifth!.id,
      excludeArticleIds: [second!.id],
      patternsNote: 'Three teams converged on one idea today.\n\nA second paragraph.',
      subject: 'Operator subject line',
    });
    expect(r.status).toBe(200);
    const edited = (await r.json()) as { subject: string; signalArticleId: number; articleCount: number };
    expect(edited).toMatchObject({ subject: 'Operator subject line', signalArticleId: fifth!.id, articleCount: 24 });
    const row = ctx.db.select().from(issues).where(eq(issues.id, issue.id)).get()!;
    expect(row.html).toContain('Three teams converged on one idea today.');
    expect(row.html).not.toContain(second!.title);
    expect(row.html.indexOf(fifth!.title)).toBeLessThan(row.html.indexOf(top!.title));
    expect(row.text).toContain('A second paragraph.');
    expect(row.html).toContain(UNSUBSCRIBE_PLACEHOLDER);

    // Clearing the overrides goes back to the automatic choices.
    const back = (await (await patch(issue.id, { signalArticleId: null, excludeArticleIds: [], patternsNote: null, subject: null })).json()) as {
      subject: string;
      signalArticleId: number;
      articleCount: number;
    };
    expect(back.signalArticleId).toBe(top!.id);
    expect(back.articleCount).toBe(25);
    expect(back.subject).toMatch(/^.{10,} · 6 Apr$/);

    // Bad edits: 400 with the field named.
    expect((await patch(issue.id, { signalArticleId: 123456 })).status).toBe(400);
    expect((await patch(issue.id, { subject: 'x'.repeat(120) })).status).toBe(400);
    expect((await patch(issue.id, { excludeArticleIds: 'all' })).status).toBe(400);
    expect((await patch(issue.id, { surprise: true })).status).toBe(400);
    const injected = (await (await patch(issue.id, { subject: 'Hi\r\nBcc: x@evil.test' })).json()) as { subject: string };
    expect(injected.subject).toBe('Hi Bcc: x@evil.test');

    // Summaries: the operator's text replaces the automatic one, is marked as theirs, and null restores it.
    type Detail = { articles: { id: number; summary: string | null; summaryBy: string | null }[] };
    const auto = ((await (await get(`/api/admin/issues/${issue.id}`)).json()) as Detail).articles.find((a) => a.id === top!.id)!;
    expect(auto.summaryBy).toBe('extract');
    expect(auto.summary!.length).toBeGreaterThan(20);
    const mine = 'The operator’s own summary: why this <matters> & what it measured.';
    expect((await patch(issue.id, { summaries: { [String(top!.id)]: mine } })).status).toBe(200);
    let after = ((await (await get(`/api/admin/issues/${issue.id}`)).json()) as Detail).articles.find((a) => a.id === top!.id)!;
    expect(after).toMatchObject({ summary: mine, summaryBy: 'operator' });
    let html = ctx.db.select().from(issues).where(eq(issues.id, issue.id)).get()!.html;
    expect(html).toContain('The operator’s own summary: why this &lt;matters&gt; &amp; what it measured.');
    expect(html).not.toContain(auto.summary!.slice(0, 60));
    // Another edit keeps it; null restores the automatic summary.
    await patch(issue.id, { subject: 'Still mine' });
    expect(ctx.db.select().from(issues).where(eq(issues.id, issue.id)).get()!.html).toContain('The operator’s own summary');
    expect((await patch(issue.id, { summaries: { [String(top!.id)]: null } })).status).toBe(200);
    after = ((await (await get(`/api/admin/issues/${issue.id}`)).json()) as Detail).articles.find((a) => a.id === top!.id)!;
    expect(after).toMatchObject({ summary: auto.summary, summaryBy: 'extract' });
    html = ctx.db.select().from(issues).where(eq(issues.id, issue.id)).get()!.html;
    expect(html).not.toContain('The operator’s own summary');
    expect((await patch(issue.id, { summaries: { '999999': 'x' } })).status).toBe(400);
    expect((await patch(issue.id, { summaries: { abc: 'x' } })).status).toBe(400);
    expect((await patch(issue.id, { summaries: { [String(top!.id)]: 'x'.repeat(1300) } })).status).toBe(400);
    expect((await patch(issue.id, { summaries: ['x'] })).status).toBe(400);

    ctx.db.update(issues).set({ status: 'sending' }).where(eq(issues.id, issue.id)).run();
    const frozen = await patch(issue.id, { subject: 'Too late' });
    expect(frozen.status).toBe(409);
    expect(((await frozen.json()) as { error: { code: string } }).error.code).toBe('ISSUE_FROZEN');
    expect(ctx.db.select().from(issues).where(eq(issues.id, issue.id)).get()!.subject).toBe('Still mine');
  });
});
