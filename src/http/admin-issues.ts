import type { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { isIsoDate, localDate } from '../lib/cron-time.js';
import { editIssue, parseEdits } from '../issues/edit.js';
import { personalize } from '../issues/personalize.js';
import { countIssueArticles, deliveryCounts, getIssue, getIssueArticles, listAllIssues, type DeliveryCounts, type IssueRecord } from '../issues/repo.js';
import { sendProgress } from '../deliveries/repo.js';
import { describeParts, SCORE_FORMULA } from '../digest/parts.js';
import { badRequest, notFound } from '../lib/errors.js';
import { readBody } from './request.js';

// Admin API for issues: assemble a date, list with delivery counts, inspect, preview, edit before sending.

function parseId(raw: string): number {
  if (!/^\d{1,12}$/.test(raw)) throw notFound('No such issue.');
  return Number(raw);
}

/** The SPEC's five counts, plus `uncertain` once a delivery ended in that state (lost after the dot twice). */
function countsJson(c: DeliveryCounts) {
  const { unconfirmed, ...spec } = c;
  return unconfirmed ? { ...spec, uncertain: unconfirmed } : spec;
}

async function issueJson(ctx: AppContext, row: IssueRecord) {
  const [counts, articleCount] = await Promise.all([deliveryCounts(ctx, [row.id]), countIssueArticles(ctx, row.id)]);
  return {
    id: row.id,
    date: row.date,
    edition: row.edition,
    status: row.status,
    subject: row.subject,
    subjectOverride: row.subjectOverride,
    preheader: row.preheader,
    articleCount,
    windowStart: new Date(row.windowStart).toISOString(),
    cutoffAt: new Date(row.cutoffAt).toISOString(),
    signalArticleId: row.signalArticleId,
    pinnedSignalArticleId: row.pinnedSignalArticleId,
    patternsNote: row.patternsNote,
    patterns: JSON.parse(row.patternsJson) as unknown,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    sendStartedAt: row.sendStartedAt ? new Date(row.sendStartedAt).toISOString() : null,
    sentAt: row.sentAt ? new Date(row.sentAt).toISOString() : null,
    counts: countsJson(counts.get(row.id)!),
  };
}

const escHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The operator's panel above the preview: each article's rank, score and the parts it is made of. */
function scorePanel(row: IssueRecord, articles: Awaited<ReturnType<typeof getIssueArticles>>): string {
  const rows = articles
    .map(
      (a) =>
        `<tr style="${a.excluded ? 'opacity:.5;text-decoration:line-through;' : ''}"><td>${a.rank}</td><td>${a.id}${a.id === row.signalArticleId ? ' ★' : ''}</td><td>${escHtml(a.title)}</td><td>${escHtml(a.sourceName)}</td><td><b>${a.score.toFixed(3)}</b></td><td>${describeParts(a.parts).map((p) => `${escHtml(p.name)} ${escHtml(p.value)}`).join(' · ')}</td></tr>`,
    )
    .join('');
  return `<div id="newsdesk-scores" style="font:14px/1.4 -apple-system,Segoe UI,Roboto,Arial,sans-serif;background:#fff8e6;color:#222;border-bottom:2px solid #e0b050;padding:12px 16px;overflow-x:auto;">
<p style="margin:0 0 8px"><b>Operator preview</b> · status ${escHtml(row.status)} · score = ${escHtml(SCORE_FORMULA)} · ★ signal · hide with <code>?scores=0</code></p>
<table style="border-collapse:collapse;font-size:13px;" cellpadding="4"><tr style="text-align:left"><th>rank</th><th>id</th><th>title</th><th>source</th><th>score</th><th>parts</th></tr>${rows}</table></div>`;
}

/** Registers /api/admin/issues routes (behind the admin token middleware of app.ts). */
export function registerAdminIssuesApi(app: Hono, ctx: AppContext): void {
  app.post('/api/admin/issues', async (c) => {
    const body = await readBody(c);
    const date = body.date === undefined || body.date === null || body.date === '' ? localDate(ctx.clock.now(), ctx.config.digestTimezone) : body.date;
    if (typeof date !== 'string' || !isIsoDate(date)) throw badRequest('date must be a calendar date as YYYY-MM-DD.', { date: 'must be YYYY-MM-DD' });
    const edition = body.edition ?? 'daily';
    if (edition !== 'daily' && edition !== 'weekly') throw badRequest('edition must be "daily" or "weekly".', { edition: 'daily or weekly' });
    // Ranking and rendering (MJML, React Email) are loaded by the first assembly, not by every web process.
    const result = edition === 'weekly' ? await (await import('../issues/weekly.js')).assembleWeekly(ctx, date) : await (await import('../issues/assemble.js')).assembleIssue(ctx, date);
    // Both shapes at once: the issue's fields at the top level, and under "issue" like the empty answer.
    return c.json(result.issue ? { ...result.issue, issue: result.issue } : { issue: null, reason: result.reason }, 200);
  });

  app.get('/api/admin/issues', async (c) => {
    const limit = Math.min(200, Math.max(1, Number(c.req.query('limit') ?? 50) || 50));
    const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0);
    const ed = c.req.query('edition');
    if (ed !== undefined && ed !== 'daily' && ed !== 'weekly') throw badRequest('edition must be "daily" or "weekly".', { edition: 'daily or weekly' });
    const list = await listAllIssues(ctx, { limit, offset, ...(ed ? { edition: ed } : {}) });
    const counts = await deliveryCounts(ctx, list.map((i) => i.id));
    return c.json({
      issues: list.map((i) => ({
        id: i.id,
        date: i.date,
        edition: i.edition,
        status: i.status,
        subject: i.subject,
        preheader: i.preheader,
        articleCount: i.articleCount,
        sendStartedAt: i.sendStartedAt ? new Date(i.sendStartedAt).toISOString() : null,
        sentAt: i.sentAt ? new Date(i.sentAt).toISOString() : null,
        counts: countsJson(counts.get(i.id)!),
      })),
      limit,
      offset,
    });
  });

  app.get('/api/admin/issues/:id', async (c) => {
    const row = await getIssue(ctx, parseId(c.req.param('id')));
    if (!row) throw notFound('No such issue.');
    // The stored digest comes with the issue's articles: one read of them serves both.
    const { loadIssueDigest } = await import('../issues/stored.js');
    const [{ digest, articles }, progress] = await Promise.all([loadIssueDigest(ctx, row), sendProgress(ctx, row.id, ctx.clock.now())]);
    const shown = new Map([...(digest.signal ? [digest.signal] : []), ...digest.deepDives].map((a) => [a.id, a]));
    return c.json({
      ...(await issueJson(ctx, row)),
      // Messages per second over the last minute and the estimated finish while sending.
      sending: {
        inFlight: progress.sending,
        uncertain: progress.uncertain,
        rate: progress.rate,
        etaSeconds: progress.etaMs === null ? null : Math.round(progress.etaMs / 1000),
        estimatedFinish: progress.etaAt === null ? null : new Date(progress.etaAt).toISOString(),
        pausedReason: progress.pausedReason,
      },
      articles: articles.map((a) => ({
        id: a.id,
        rank: a.rank,
        title: a.title,
        source: a.sourceName,
        url: a.canonicalUrl,
        score: a.score,
        scoreParts: a.parts,
        excluded: a.excluded,
        signal: a.id === row.signalArticleId,
        // The summary the issue prints and who wrote it ('extract', 'model' or 'operator'); null when not shown.
        summary: shown.get(a.id)?.summary ?? null,
        summaryBy: shown.get(a.id)?.summaryBy ?? null,
        duplicateOf: a.parts.duplicateOf ?? null,
      })),
      signalWhy: digest.signalWhy,
      patterns: { note: digest.patterns.note, paragraph: digest.patterns.paragraph, by: digest.patterns.paragraphBy },
    });
  });

  app.get('/api/admin/issues/:id/preview', async (c) => {
    const row = await getIssue(ctx, parseId(c.req.param('id')));
    if (!row) throw notFound('No such issue.');
    // The preview is nobody's copy: its unsubscribe link points at the landing page.
    const parts = personalize({ html: row.html, text: row.text }, { unsubscribeUrl: ctx.urls.home(), postalAddress: ctx.config.postalAddress });
    if (c.req.query('format') === 'text') return c.text(parts.text, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
    let html = parts.html;
    if (c.req.query('scores') !== '0') {
      const panel = scorePanel(row, await getIssueArticles(ctx, row.id));
      html = html.replace(/<body([^>]*)>/i, (m) => `${m}${panel}`);
    }
    return c.html(html);
  });

  app.patch('/api/admin/issues/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const edits = parseEdits(await readBody(c));
    const row = await editIssue(ctx, id, edits);
    return c.json(await issueJson(ctx, row));
  });
}
