import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { issueArticles, issues } from '../../src/db/sqlite/schema.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { getIssue, getIssueArticles } from '../../src/issues/repo.js';
import { UNSUBSCRIBE_PLACEHOLDER } from '../../src/issues/personalize.js';
import { manualClock } from '../../src/lib/clock.js';
import { loadIssueDigest } from '../../src/issues/stored.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { seedArticle, seedFixtureDay } from '../fixtures/digest-seed.js';

const H = 3_600_000;
const at = (d: string, h = 6, m = 0) => Date.parse(`${d}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`);

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

function articleIdsOf(issueId: number): number[] {
  return ctx.db.select().from(issueArticles).where(eq(issueArticles.issueId, issueId)).all().map((r) => r.articleId).sort((a, b) => a - b);
}

describe('assembleIssue', () => {
  it('assembles the fixture day once: stores html, text and ranked articles together; a second call returns the same issue', async () => {
    const clock = manualClock(at('2026-04-06', 6, 1));
    ctx = await makeTestContext({ clock });
    seedFixtureDay(ctx, at('2026-04-06'));
    const first = await assembleIssue(ctx, '2026-04-06');
    expect(first.issue).not.toBeNull();
    const i = first.issue!;
    expect(i.articleCount).toBe(25);
    expect(i.subject).toMatch(/^.{10,} · 6 Apr$/);
    const row = (await getIssue(ctx, i.id))!;
    expect(row.status).toBe('draft');
    expect(row.html).toContain(UNSUBSCRIBE_PLACEHOLDER);
    expect(row.text).toContain(UNSUBSCRIBE_PLACEHOLDER);
    expect(row.cutoffAt).toBe(at('2026-04-06'));
    expect(row.windowStart).toBe(at('2026-04-05'));
    const arts = await getIssueArticles(ctx, i.id);
    expect(arts.map((a) => a.rank)).toEqual(arts.map((_, k) => k + 1));
    expect(arts[0]!.id).toBe(row.signalArticleId);
    expect(arts[0]!.parts.depth).toBeGreaterThan(0);
    expect(arts[0]!.parts.coverage).toBeGreaterThan(0);
    const themes = (JSON.parse(row.patternsJson) as { phrase: string }[]).map((t) => t.phrase.toLowerCase());
    expect(themes).toEqual(expect.arrayContaining(['context engineering', 'agents', 'kubernetes']));

    // The archive shows the summaries the mail had, even if an article's stored text changes later.
    const before = (await loadIssueDigest(ctx, row)).digest;
    const signalSummary = before.signal!.summary;
    expect(row.html).toContain(signalSummary.slice(0, 80).replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;'));
    ctx.sqlite.prepare("UPDATE articles SET content_text = 'Rewritten later by the feed, with other words entirely.'").run();
    expect((await loadIssueDigest(ctx, row)).digest.signal!.summary).toBe(signalSummary);

    clock.advance(H);
    const again = await assembleIssue(ctx, '2026-04-06');
    expect(again).toEqual(first);
    expect(ctx.db.select().from(issues).all()).toHaveLength(1);
  });

  it('makes no issue for an empty window and says why', async () => {
    ctx = await makeTestContext({ clock: manualClock(at('2026-04-06', 7)) });
    seedArticle(ctx, { source: 'Old Blog', publishedAt: at('2026-04-01') });
    const r = await assembleIssue(ctx, '2026-04-06');
    expect(r.issue).toBeNull();
    expect((r as { reason: string }).reason).toMatch(/no new articles/);
    expect(ctx.db.select().from(issues).all()).toHaveLength(0);
  });

  it('puts an article exactly at a cutoff in one issue only, and never repeats an article across issues', async () => {
    const clock = manualClock(at('2026-04-08', 7));
    ctx = await makeTestContext({ clock });
    const onCutoff = seedArticle(ctx, { source: 'A', publishedAt: at('2026-04-06') });
    const before = seedArticle(ctx, { source: 'B', publishedAt: at('2026-04-06') - 1 });
    const after = seedArticle(ctx, { source: 'A', publishedAt: at('2026-04-06') + 1 });
    const day2 = seedArticle(ctx, { source: 'B', publishedAt: at('2026-04-07', 5) });
    const i1 = (await assembleIssue(ctx, '2026-04-06')).issue!;
    const i2 = (await assembleIssue(ctx, '2026-04-07')).issue!;
    expect(articleIdsOf(i1.id)).toEqual([onCutoff, before].sort((a, b) => a - b));
    expect(articleIdsOf(i2.id)).toEqual([after, day2].sort((a, b) => a - b));
    const r3 = await assembleIssue(ctx, '2026-04-08');
    expect(r3.issue).toBeNull();
  });

  it('takes a late-seen article into the next issue, but not one older than the lookback', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    ctx = await makeTestContext({ clock });
    seedArticle(ctx, { source: 'A', publishedAt: at('2026-04-06', 3) });
    await assembleIssue(ctx, '2026-04-06');
    // Appears after the cutoff although its feed dates it before.
    const late = seedArticle(ctx, { source: 'B', publishedAt: at('2026-04-06', 2), firstSeenAt: at('2026-04-06', 9) });
    const ancient = seedArticle(ctx, { source: 'B', publishedAt: at('2026-04-04', 2), firstSeenAt: at('2026-04-06', 9) });
    const fresh = seedArticle(ctx, { source: 'C', publishedAt: at('2026-04-06', 12) });
    clock.set(at('2026-04-07', 6, 5));
    const i2 = (await assembleIssue(ctx, '2026-04-07')).issue!;
    expect(articleIdsOf(i2.id)).toEqual([late, fresh]);
    expect(articleIdsOf(i2.id)).not.toContain(ancient);
  });

  it('catches up after a missed day: the next issue covers everything since the last issue', async () => {
    const clock = manualClock(at('2026-04-06', 7));
    ctx = await makeTestContext({ clock });
    seedArticle(ctx, { source: 'A', publishedAt: at('2026-04-06', 1) });
    await assembleIssue(ctx, '2026-04-06');
    const missedDay = seedArticle(ctx, { source: 'B', publishedAt: at('2026-04-06', 20) });
    const today = seedArticle(ctx, { source: 'C', publishedAt: at('2026-04-08', 2) });
    clock.set(at('2026-04-08', 9));
    const i = (await assembleIssue(ctx, '2026-04-08')).issue!;
    expect(articleIdsOf(i.id)).toEqual([missedDay, today]);
    const row = (await getIssue(ctx, i.id))!;
    expect(row.windowStart).toBe(at('2026-04-06'));
  });

  it('uses DIGEST_TIMEZONE across a DST change (Europe/Berlin, spring forward)', async () => {
    const clock = manualClock(at('2026-03-31', 12));
    ctx = await makeTestContext({ clock, env: { DIGEST_TIMEZONE: 'Europe/Berlin', DIGEST_CRON: '30 2 * * *' } });
    // Cutoffs: 28 Mar 01:30Z (CET), 29 Mar 01:30Z (03:30 CEST, after the gap), 30 Mar 00:30Z (CEST).
    const a = seedArticle(ctx, { source: 'A', publishedAt: at('2026-03-28', 1, 30) });
    const b = seedArticle(ctx, { source: 'A', publishedAt: at('2026-03-29', 1, 0) });
    const c = seedArticle(ctx, { source: 'B', publishedAt: at('2026-03-29', 1, 30) + 1 });
    const d = seedArticle(ctx, { source: 'B', publishedAt: at('2026-03-30', 0, 30) });
    const i28 = (await assembleIssue(ctx, '2026-03-28')).issue!;
    const i29 = (await assembleIssue(ctx, '2026-03-29')).issue!;
    const i30 = (await assembleIssue(ctx, '2026-03-30')).issue!;
    expect(articleIdsOf(i28.id)).toEqual([a]);
    expect(articleIdsOf(i29.id)).toEqual([b]);
    expect(articleIdsOf(i30.id)).toEqual([c, d]);
  });

  it('refuses a date in the future and a malformed date', async () => {
    ctx = await makeTestContext({ clock: manualClock(at('2026-04-06', 7)) });
    expect((await assembleIssue(ctx, '2026-04-09')).issue).toBeNull();
    await expect(assembleIssue(ctx, '2026-02-30')).rejects.toThrow(/not a date/);
  });

  it('two concurrent assemblies of one date make one issue', async () => {
    ctx = await makeTestContext({ clock: manualClock(at('2026-04-06', 7)) });
    for (let k = 0; k < 5; k++) seedArticle(ctx, { source: `S${k % 3}`, publishedAt: at('2026-04-06', 2) + k });
    const [x, y] = await Promise.all([assembleIssue(ctx, '2026-04-06'), assembleIssue(ctx, '2026-04-06')]);
    expect(x.issue!.id).toBe(y.issue!.id);
    expect(ctx.db.select().from(issues).all()).toHaveLength(1);
    expect(ctx.db.select().from(issueArticles).all()).toHaveLength(5);
  });
});
