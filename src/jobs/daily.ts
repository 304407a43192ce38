// The daily job: ingest → assemble → send (or wait for review), once per date whatever fires it. The weekly job is
// the same run with its own name and steps: assemble the week's best from the dailies → send to weekly readers.
import type { AppContext } from '../context.js';
import { sendIssue } from '../deliveries/send.js';
import { ingestAll } from '../feeds/ingest.js';
import { assembleIssue, type AssembleResult } from '../issues/assemble.js';
import { addDays } from '../lib/cron-time.js';
import { newOwnerId } from '../lib/owner.js';
import { acquireLease, beginJobRun, finishJobRun, latestIssueDate, releaseLease } from './repo.js';
import { DAILY_JOB, WEEKLY_JOB } from './names.js';
import type { Edition } from '../domain-types.js';

export { DAILY_JOB, WEEKLY_JOB };

/** The steps of the daily job; tests may replace the ones that need the internet. */
export interface DailySteps {
  ingest(ctx: AppContext): Promise<unknown>;
  assemble(ctx: AppContext, date: string): Promise<AssembleResult>;
  send(ctx: AppContext, issueId: number): Promise<unknown>;
}

const realSteps: DailySteps = { ingest: (ctx) => ingestAll(ctx), assemble: assembleIssue, send: sendIssue };
// The weekly edition polls nothing: it is made of the week's daily issues.
const weeklySteps: DailySteps = {
  ingest: async () => undefined,
  assemble: async (ctx, date) => (await import('../issues/weekly.js')).assembleWeekly(ctx, date),
  send: sendIssue,
};

/** What one call of the daily job did. */
export type DailyOutcome =
  | { status: 'queued' | 'review'; date: string; issueId: number; articleCount?: number }
  | { status: 'empty'; date: string; reason: string }
  | { status: 'already_done'; date: string; previous: string }
  | { status: 'busy'; date: string }
  | { status: 'refused'; date: string; reason: string }
  | { status: 'failed'; date: string; error: string };

/**
 * Runs the daily job for `date`. A lease row in SQLite decides which process runs a date; the job_runs
 * row makes a date that reached a final state never run again (double cron fire, DST fall-back, a second
 * process, a restart). Assembling and sending are idempotent too, so a run retried after a crash is safe.
 */
export async function runDaily(
  ctx: AppContext,
  date: string,
  o: { trigger?: string; owner?: string; steps?: Partial<DailySteps>; force?: boolean; edition?: Edition } = {},
): Promise<DailyOutcome> {
  const weekly = o.edition === 'weekly';
  const JOB = weekly ? WEEKLY_JOB : DAILY_JOB;
  const steps = { ...(weekly ? weeklySteps : realSteps), ...o.steps };
  const owner = o.owner ?? newOwnerId();
  const leaseName = `${JOB}:${date}`;
  const log = ctx.log.child({ job: JOB, date, trigger: o.trigger ?? 'manual' });
  if (o.trigger !== 'cli') {
    const refusal = await clockCheck(ctx, date);
    if (refusal) {
      log.error({ reason: refusal }, `${JOB} job refused: the system clock looks wrong`);
      return { status: 'refused', date, reason: refusal };
    }
  }
  if (!(await acquireLease(ctx, leaseName, owner, 30 * 60_000, ctx.clock.now()))) {
    log.info(`${JOB} job for this date is running in another process: nothing to do here`);
    return { status: 'busy', date };
  }
  try {
    const begun = await beginJobRun(ctx, JOB, date, ctx.clock.now());
    // By hand (`newsdesk daily --date D`), a date that found nothing before (or was skipped) is tried again:
    // articles may have arrived since. A date that has its issue is never run twice.
    const retryByHand = o.trigger === 'cli' && (begun.existing?.status === 'empty' || begun.existing?.status === 'skipped');
    if (!begun.started && !o.force && !retryByHand) {
      log.info({ previous: begun.existing?.status }, `${JOB} job already ran for this date`);
      return { status: 'already_done', date, previous: begun.existing!.status };
    }
    try {
      try {
        await steps.ingest(ctx);
      } catch (err) {
        // Yesterday's articles are already stored: a failed poll must not cost the date its issue.
        log.error({ err: (err as Error).message }, 'ingest failed; assembling from what is stored');
      }
      const res = await steps.assemble(ctx, date);
      if (!res.issue) {
        await finishJobRun(ctx, JOB, date, 'empty', res.reason, ctx.clock.now());
        log.info({ reason: res.reason }, 'no issue for this date');
        return { status: 'empty', date, reason: res.reason };
      }
      if (ctx.config.digestReview) {
        await finishJobRun(ctx, JOB, date, 'review', `issue ${res.issue.id} waits for the operator`, ctx.clock.now());
        log.info({ issueId: res.issue.id }, 'issue assembled; waiting for review (DIGEST_REVIEW)');
        return { status: 'review', date, issueId: res.issue.id, articleCount: res.issue.articleCount };
      }
      await steps.send(ctx, res.issue.id);
      await finishJobRun(ctx, JOB, date, 'queued', `issue ${res.issue.id} queued for sending`, ctx.clock.now());
      log.info({ issueId: res.issue.id, articles: res.issue.articleCount }, 'issue assembled and queued for sending');
      return { status: 'queued', date, issueId: res.issue.id, articleCount: res.issue.articleCount };
    } catch (err) {
      const error = (err as Error).message ?? String(err);
      await finishJobRun(ctx, JOB, date, 'failed', error.slice(0, 500), ctx.clock.now());
      log.error({ err: error }, `${JOB} job failed`);
      return { status: 'failed', date, error };
    }
  } finally {
    await releaseLease(ctx, leaseName, owner);
  }
}

/** How far past the newest issue a scheduled date may lie before the clock is suspect (a paused list is fine). */
export const CLOCK_MAX_GAP_DAYS = 366;

/**
 * Sanity check of the clock for scheduled runs: a date before the newest issue (the clock went back) or
 * more than a year after it (a bad RTC) is refused with a reason, rather than assembling a wrong window.
 */
export async function clockCheck(ctx: AppContext, date: string): Promise<string | null> {
  const latest = await latestIssueDate(ctx);
  if (!latest) return null;
  if (date < latest) return `the clock reads ${date} but an issue exists for ${latest}`;
  if (date > addDays(latest, CLOCK_MAX_GAP_DAYS)) return `the clock reads ${date}, more than a year after the newest issue (${latest})`;
  return null;
}
