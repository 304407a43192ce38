/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { SubscriberStatus } from '../../domain-types.js';
import { deliveryCounts, sendProgress, type DeliveryCounts, type SendProgress } from '../../deliveries/repo.js';
import { computeWindow, inWindow, windowFloor } from '../../digest/window.js';
import type { SourceHealth } from '../../feeds/repo.js';
import { currentSources } from '../../feeds/service.js';
import { DAILY_JOB } from '../../jobs/names.js';
import { getJobRun, listJobRuns, type JobRun } from '../../jobs/repo.js';
import { getIssueByDate, listAllIssues, previousCutoff, unassignedArticles, type ArchiveIssue, type IssueRecord } from '../../issues/repo.js';
import { lastScheduledAtOrBefore, localDate, nextScheduledAfter } from '../../lib/cron-time.js';
import { countSubscribersByStatus } from '../../subscribers/repo.js';
import { takeFlash } from './flash.js';
import * as f from './format.js';
import type { ConsoleEnv } from './guard.js';
import { Progress } from './issues.js';
import { ConsoleLayout, Csrf, doc, type PageCtx } from './layout.js';
import { subscriberTrend, type TrendPoint } from './repo.js';

/** Articles that would go into date D's issue if it were assembled now. */
export async function articlesWaitingFor(ctx: AppContext, date: string, now: number): Promise<number> {
  const w = computeWindow({
    date,
    cron: ctx.config.digestCron,
    timeZone: ctx.config.digestTimezone,
    lookbackHours: ctx.config.digestLookbackHours,
    previousCutoff: await previousCutoff(ctx, date),
    now,
  });
  if (!w) return 0;
  const rows = await unassignedArticles(ctx, windowFloor(w), w.cutoffAt);
  return rows.filter((a) => inWindow(w, a)).length;
}

/** Failing sources grouped by their error, largest group first: one outage reads as one line. */
export function groupFailures(failing: SourceHealth[]): { error: string; names: string[]; worst: number }[] {
  const groups = new Map<string, { error: string; names: string[]; worst: number }>();
  for (const s of failing) {
    const error = s.lastError ?? 'unknown error';
    const g = groups.get(error) ?? { error, names: [], worst: 0 };
    g.names.push(s.name);
    g.worst = Math.max(g.worst, s.consecutiveFailures);
    groups.set(error, g);
  }
  return [...groups.values()].sort((a, b) => b.names.length - a.names.length || b.worst - a.worst);
}

/** A small area chart of confirmed subscribers per day, drawn as SVG (no script, no inline style). */
export function Sparkline(p: { points: TrendPoint[] }) {
  const W = 300;
  const H = 56;
  const vals = p.points.map((x) => x.confirmed);
  const max = Math.max(...vals, 1);
  const min = Math.min(...vals, 0);
  const span = Math.max(max - min, 1);
  const xy = vals.map((v, i) => [vals.length === 1 ? W : (i / (vals.length - 1)) * W, H - 4 - ((v - min) / span) * (H - 8)] as const);
  const line = xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  return (
    <svg class="spark" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label="Confirmed subscribers over the last 30 days">
      <polygon class="area" points={`0,${H} ${line} ${W},${H}`} />
      <polyline class="line" points={line} />
    </svg>
  );
}

/** The delivery counts of an issue as labelled numbers. */
export function CountList(p: { c: DeliveryCounts }) {
  const items: [string, number][] = [
    ['sent', p.c.sent],
    ['queued', p.c.queued + p.c.sending],
    ['failed', p.c.failed],
    ['bounced', p.c.bounced],
    ['skipped', p.c.skipped],
  ];
  return (
    <ul class="stats">
      {items.map(([label, n]) => (
        <li>
          <b>{f.num(n)}</b>
          <span>{label}</span>
        </li>
      ))}
    </ul>
  );
}

const RUN_LABEL: Record<string, string> = {
  queued: 'sent',
  sent: 'sent',
  review: 'waiting for your review',
  empty: 'no new articles',
  skipped: 'skipped',
  failed: 'failed',
  running: 'running',
};

/**
 * The last daily run in words. A date whose issue went out after the run (assembled and sent by hand once
 * articles arrived) is told by its issue, not by the run's earlier "no new articles".
 */
export function describeLastRun(run: JobRun, issue: { status: string } | undefined): string {
  if (issue && issue.status !== 'draft' && (run.status === 'empty' || run.status === 'skipped' || run.status === 'failed' || run.status === 'review'))
    return `${f.issueDate(run.date)}, issue ${issue.status === 'sent' ? 'sent' : 'sending'}`;
  const detail = run.detail && (run.status === 'failed' || run.status === 'skipped') ? ` (${run.detail})` : '';
  return `${f.issueDate(run.date)}, ${RUN_LABEL[run.status] ?? run.status}${detail}`;
}

interface TodayData {
  next: { date: string; at: number } | null;
  nextIssue: IssueRecord | null;
  waiting: number;
  missed: { date: string; at: number } | null;
  last: ArchiveIssue | null;
  lastCounts: DeliveryCounts | null;
  lastProgress: SendProgress | null;
  lastRun: JobRun | null;
  lastRunIssue: { status: string } | undefined;
  drafts: ArchiveIssue[];
  subs: Record<SubscriberStatus, number>;
  trend: { points: TrendPoint[]; joined: number; left: number };
  sources: SourceHealth[];
  review: boolean;
}

function TodayPage(p: { page: PageCtx; d: TodayData }) {
  const { d, page } = p;
  const tz = page.tz;
  const followed = d.sources.filter((s) => s.active && !s.removedAt);
  const failing = followed.filter((s) => s.consecutiveFailures > 0);
  const first = d.trend.points[0]?.confirmed ?? 0;
  const change = d.subs.confirmed - first;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Today</h1>
          <p class="muted small">
            {f.dateTime(page.now, tz)} · times in {tz}
          </p>
        </div>
        <div class="actions">
          <form method="post" action="/admin/sources/ingest">
            <Csrf token={page.csrf} />
            <button type="submit" class="secondary">
              Ingest now
            </button>
          </form>
        </div>
      </div>
      {d.missed ? (
        <div class="notice warn">
          The issue of {f.issueDate(d.missed.date)} (due {f.dateTime(d.missed.at, tz)}) has not been assembled.{' '}
          <form method="post" action="/admin/issues/assemble" class="inline">
            <Csrf token={page.csrf} />
            <input type="hidden" name="date" value={d.missed.date} />
            <button type="submit" class="small">
              Assemble {d.missed.date}
            </button>
          </form>
        </div>
      ) : null}
      {d.last && d.lastProgress ? (
        <div class="section-gap-b">
          <Progress issueId={d.last.id} prog={d.lastProgress} />
        </div>
      ) : null}
      {d.drafts.map((i) => (
        <div class="notice warn">
          Draft waiting for you: <a href={`/admin/issues/${i.id}`}>{f.issueDate(i.date)} · {i.subject}</a> ({f.count(i.articleCount, 'article')}).
        </div>
      ))}
      <div class="grid">
        <section class="card">
          <p class="kicker">Next issue</p>
          {d.next ? (
            <>
              <div class="big">{f.issueDate(d.next.date)}</div>
              <p class="muted">
                {f.time(d.next.at, tz)} · {f.relative(d.next.at, page.now)}
              </p>
              {d.nextIssue ? (
                <p>
                  Assembled: <a href={`/admin/issues/${d.nextIssue.id}`}>{d.nextIssue.subject}</a> <span class={`badge ${d.nextIssue.status}`}>{d.nextIssue.status}</span>
                </p>
              ) : (
                <>
                  <p>
                    <b>{f.count(d.waiting, 'article')}</b> waiting for it{d.waiting === 0 ? ' so far: ingest to look for new ones' : ''}.
                  </p>
                  {d.waiting > 0 && d.next.date === localDate(page.now, tz) ? (
                    <form method="post" action="/admin/issues/assemble" class="actions">
                      <Csrf token={page.csrf} />
                      <input type="hidden" name="date" value={d.next.date} />
                      <button type="submit">Assemble it now</button>
                    </form>
                  ) : null}
                </>
              )}
              <p class="hint">
                {d.review ? 'Review mode (DIGEST_REVIEW): the daily job assembles it and waits for you to send.' : 'The daily job assembles and sends it by itself.'}
                {d.lastRun ? ` Last daily run: ${describeLastRun(d.lastRun, d.lastRunIssue)}.` : ''}
              </p>
            </>
          ) : (
            <p class="muted">DIGEST_CRON has no upcoming run.</p>
          )}
        </section>
        <section class="card">
          <p class="kicker">Last issue</p>
          {d.last && d.lastCounts ? (
            <>
              <div class="card-head">
                <h2>
                  <a href={`/admin/issues/${d.last.id}`}>{f.issueDate(d.last.date)}</a>
                </h2>
                <span class={`badge ${d.last.status}`}>{d.last.status}</span>
              </div>
              <p class="muted small">{d.last.subject}</p>
              <CountList c={d.lastCounts} />
              {d.lastCounts.uncertain ? <p class="hint">{f.count(d.lastCounts.uncertain, 'copy', 'copies')} may have gone twice (connection lost after the data was sent).</p> : null}
            </>
          ) : (
            <>
              <p class="muted">Nothing sent yet. Assemble an issue, look it over on its page, then send it.</p>
              <a class="button secondary" href="/admin/issues">
                Go to Issues
              </a>
            </>
          )}
        </section>
        <section class="card">
          <p class="kicker">Subscribers</p>
          <div class="big">
            {f.num(d.subs.confirmed)}
            <span class="unit">confirmed</span>
          </div>
          <ul class="stats">
            <li>
              <b>{f.num(d.subs.pending)}</b>
              <span>pending</span>
            </li>
            <li>
              <b>{f.num(d.subs.unsubscribed)}</b>
              <span>unsubscribed</span>
            </li>
            <li>
              <b>{f.num(d.subs.bounced)}</b>
              <span>bounced</span>
            </li>
          </ul>
          <Sparkline points={d.trend.points} />
          <p class="trend">
            30 days: <span class={change >= 0 ? 'up' : 'down'}>{change >= 0 ? `+${f.num(change)}` : `−${f.num(-change)}`}</span> confirmed ·{' '}
            {f.num(d.trend.joined)} joined · {f.num(d.trend.left)} left
          </p>
        </section>
        <section class="card">
          <p class="kicker">Sources</p>
          {followed.length === 0 ? (
            <>
              <p class="muted">No sources yet. Ingest to read the OPML file and fetch the feeds.</p>
              <a class="button secondary" href="/admin/sources">
                Go to Sources
              </a>
            </>
          ) : failing.length === 0 ? (
            <>
              <div class="big">
                {f.num(followed.filter((s) => s.lastSuccessAt).length)}
                <span class="unit">of {f.count(followed.length, 'source')} healthy</span>
              </div>
              <p class="muted">
                {followed.some((s) => !s.lastSuccessAt)
                  ? `${f.count(followed.filter((s) => !s.lastSuccessAt).length, 'source')} not fetched yet; none failing.`
                  : 'Every source answered on its last fetch.'}
              </p>
              <a href="/admin/sources">All sources →</a>
            </>
          ) : (
            <>
              <div class="big">
                {f.num(failing.length)}
                <span class="unit">of {f.count(followed.length, 'source')} failing</span>
              </div>
              <ul class="timeline bad">
                {groupFailures(failing)
                  .slice(0, 4)
                  .map((g) => (
                    <li>
                      <b>{g.names.length === 1 ? g.names[0] : f.count(g.names.length, 'source')}</b>
                      {g.names.length === 1 ? <span class="muted small"> · {f.count(g.worst, 'failure')} in a row</span> : null}
                      <div class="when">{g.error}</div>
                      {g.names.length > 1 ? (
                        <div class="when">
                          {g.names.slice(0, 3).join(', ')}
                          {g.names.length > 3 ? ` and ${f.num(g.names.length - 3)} more` : ''}
                        </div>
                      ) : null}
                    </li>
                  ))}
              </ul>
              <a href="/admin/sources">All sources →</a>
            </>
          )}
        </section>
      </div>
    </>
  );
}

/** Today: next issue, last issue's deliveries, subscriber counts and trend, failing sources. */
export function registerTodayPage(admin: Hono<ConsoleEnv>, ctx: AppContext): void {
  admin.get('/', async (c) => {
    const page = c.get('page');
    const now = page.now;
    const cron = ctx.config.digestCron;
    const tz = ctx.config.digestTimezone;
    const next = nextScheduledAfter(now, cron, tz);
    const lastRun = lastScheduledAtOrBefore(now, cron, tz);
    const [nextIssue, recent, subs, trend, sources] = await Promise.all([
      next ? getIssueByDate(ctx, next.date) : Promise.resolve(null),
      listAllIssues(ctx, { limit: 10, offset: 0 }),
      countSubscribersByStatus(ctx),
      subscriberTrend(ctx, now),
      currentSources(ctx, now),
    ]);
    const last = recent.find((i) => i.status !== 'draft') ?? null;
    const drafts = recent.filter((i) => i.status === 'draft');
    let missed: TodayData['missed'] = null;
    // Only the latest due date counts as missed, and only within the catch-up window the job would use.
    if (lastRun && now - lastRun.at < 24 * 3600 * 1000 && !(await getIssueByDate(ctx, lastRun.date)) && !(await getJobRun(ctx, DAILY_JOB, lastRun.date))) {
      if ((await articlesWaitingFor(ctx, lastRun.date, now)) > 0) missed = lastRun;
    }
    const waiting = next && !nextIssue ? await articlesWaitingFor(ctx, next.date, now) : 0;
    const lastCounts = last ? await deliveryCounts(ctx, last.id) : null;
    const lastProgress = last && last.status === 'sending' ? await sendProgress(ctx, last.id, now) : null;
    const [latestRun] = await listJobRuns(ctx, DAILY_JOB, 1);
    const data: TodayData = {
      next,
      nextIssue,
      waiting,
      missed,
      last,
      lastCounts,
      lastProgress,
      lastRun: latestRun ?? null,
      lastRunIssue: latestRun ? (recent.find((i) => i.date === latestRun.date) ?? (await getIssueByDate(ctx, latestRun.date)) ?? undefined) : undefined,
      drafts,
      subs,
      trend,
      sources,
      review: ctx.config.digestReview,
    };
    return c.html(
      doc(
        <ConsoleLayout title="Today" section="today" page={page} flash={takeFlash(c)}>
          <TodayPage page={page} d={data} />
        </ConsoleLayout>,
      ),
    );
  });
}
