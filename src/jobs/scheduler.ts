// Scheduler wiring: node-cron fires the daily and ingest jobs; a catch-up check (at start and every
// minute) runs a date whose fire was missed (downtime, a blocked event loop, a DST gap) or whose run
// failed, if not too late.
import cron, { type ScheduledTask } from 'node-cron';
import type { AppContext } from '../context.js';
import { lastScheduledAtOrBefore, localDate, scheduledInstant } from '../lib/cron-time.js';
import type { DailyOutcome, DailySteps } from './daily.js';
import { DAILY_JOB, WEEKLY_JOB } from './names.js';
import type { Edition } from '../domain-types.js';

/** The daily job's code (ingest, ranking, rendering) is loaded when a date is due, not when the scheduler starts. */
const runDaily: typeof import('./daily.js').runDaily = async (...a) => (await import('./daily.js')).runDaily(...a);
import { getJobRun, recordSkippedRun, scheduleStartedAt } from './repo.js';

export interface SchedulerOptions {
  /** How often the catch-up check runs (default 60 s). */
  watchdogMs?: number;
  steps?: Partial<DailySteps>;
  /** Called after each daily run (the service wakes the sender). */
  onDaily?: (o: DailyOutcome) => void;
}

export interface Scheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** What a cron fire does now: the date of the latest scheduled time at or before now, run once. */
  fireDaily(trigger?: string): Promise<DailyOutcome | null>;
  /** What a WEEKLY_CRON fire does now: the weekly issue of the latest scheduled date at or before now, run once. */
  fireWeekly(trigger?: string): Promise<DailyOutcome | null>;
  /** Runs a missed or failed date if it is within DIGEST_CATCHUP_HOURS, records a missed one skipped otherwise. */
  catchUp(): Promise<CatchUpResult>;
  /** The same for the weekly edition. */
  catchUpWeekly(): Promise<CatchUpResult>;
}

/** What the catch-up check decided. */
export type CatchUpResult =
  | { action: 'none'; reason: string }
  | { action: 'ran'; date: string; lateMs: number; outcome: DailyOutcome }
  | { action: 'skipped'; date: string; lateMs: number };

/** The shortest wait before a failed daily run is tried again. */
export const FAILED_RETRY_MIN_MS = 5 * 60_000;

/**
 * The date a daily fire at `now` is for: the latest date whose scheduled time is at or before now. On a
 * fall-back day both matching instants give the same date; a spring-forward gap maps to just after it.
 */
export function dueDate(now: number, cronExpr: string, tz: string): { date: string; at: number } | null {
  return lastScheduledAtOrBefore(now, cronExpr, tz);
}

/** Builds the scheduler on a context; nothing runs until start(). */
export function createScheduler(ctx: AppContext, o: SchedulerOptions = {}): Scheduler {
  const cfg = ctx.config;
  const log = ctx.log.child({ component: 'scheduler' });
  const tasks: ScheduledTask[] = [];
  let watchdog: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  let announcedNew = false;

  // One daily run at a time in this process (node-cron's noOverlap covers cron fires; this covers catch-up too).
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T | null> => {
    if (running || stopped) return null;
    const p = fn();
    running = p;
    try {
      return await p;
    } finally {
      running = null;
    }
  };

  const schedules: Record<Edition, { job: string; cron: string }> = {
    daily: { job: DAILY_JOB, cron: cfg.digestCron },
    weekly: { job: WEEKLY_JOB, cron: cfg.weeklyCron },
  };
  // The test steps replace the daily job's; the weekly job runs its own.
  const stepsOf = (edition: Edition) => (edition === 'daily' ? { steps: o.steps } : { edition });

  async function fire(edition: Edition, trigger: string): Promise<DailyOutcome | null> {
    const due = dueDate(ctx.clock.now(), schedules[edition].cron, cfg.digestTimezone);
    if (!due) return null;
    return exclusive(async () => {
      const outcome = await runDaily(ctx, due.date, { trigger, ...stepsOf(edition) });
      o.onDaily?.(outcome);
      return outcome;
    });
  }
  const fireDaily = (trigger = 'cron') => fire('daily', trigger);
  const fireWeekly = (trigger = 'cron') => fire('weekly', trigger);

  async function catchUpEdition(edition: Edition): Promise<CatchUpResult> {
    const { job, cron: cronExpr } = schedules[edition];
    const now = ctx.clock.now();
    const due = dueDate(now, cronExpr, cfg.digestTimezone);
    if (!due) return { action: 'none', reason: 'the schedule has no past run' };
    // Only a schedule that was already running at that send time catches it up: a new installation waits.
    const startedAt = await scheduleStartedAt(ctx, now);
    if (due.at < startedAt) {
      const reason = `${due.date}'s send time came before this installation's schedule began: waiting for the next one`;
      if (!announcedNew && edition === 'daily') log.info({ date: due.date }, `nothing sent at the first start: ${reason}`);
      announcedNew = true;
      return { action: 'none', reason };
    }
    const run = await getJobRun(ctx, job, due.date);
    const lateMs = now - due.at;
    const limitMs = cfg.digestCatchupHours * 3_600_000;
    if (run?.status === 'failed') {
      // A failed run (the database was busy, the disk full, a render error) is tried again inside the catch-up
      // window, waiting longer each time: half of how late the last try was, at least FAILED_RETRY_MIN_MS.
      const last = run.finishedAt ?? run.startedAt;
      const retryAt = last + Math.max(FAILED_RETRY_MIN_MS, (last - due.at) / 2);
      if (lateMs >= limitMs) return { action: 'none', reason: `${due.date} failed and is past DIGEST_CATCHUP_HOURS: run it by hand` };
      if (now < retryAt) return { action: 'none', reason: `${due.date} failed; next try at ${new Date(retryAt).toISOString()}` };
    } else if (run && run.status !== 'running') return { action: 'none', reason: `${due.date} already ${run.status}` };
    // A run under a minute late is the cron's own (it may be firing right now); leave it to the cron.
    if (!run && lateMs < 60_000) return { action: 'none', reason: 'the scheduled time has just passed' };
    if (lateMs >= limitMs) {
      const detail = `missed by ${(lateMs / 3_600_000).toFixed(1)} h, beyond DIGEST_CATCHUP_HOURS=${cfg.digestCatchupHours}: not sent late`;
      if (await recordSkippedRun(ctx, job, due.date, detail, now)) log.warn({ date: due.date, lateMs, job }, `${job} issue skipped: ${detail}`);
      return { action: 'skipped', date: due.date, lateMs };
    }
    const outcome = await exclusive(async () => {
      if (run?.status === 'failed') log.warn({ date: due.date, lateMs, job, lastError: run.detail }, `trying a failed ${job} run again`);
      else log.info({ date: due.date, lateMs, job }, `catching up a missed ${job} run`);
      const out = await runDaily(ctx, due.date, { trigger: 'catch-up', ...stepsOf(edition) });
      o.onDaily?.(out);
      return out;
    });
    if (!outcome) return { action: 'none', reason: 'a scheduled run is already in progress here' };
    return { action: 'ran', date: due.date, lateMs, outcome };
  }

  const catchUp = () => catchUpEdition('daily');
  const catchUpWeekly = () => catchUpEdition('weekly');

  return {
    fireDaily,
    fireWeekly,
    catchUp,
    catchUpWeekly,
    async start() {
      stopped = false;
      // node-cron throws on an invalid expression or zone: config validation already refused those.
      tasks.push(
        cron.schedule(
          cfg.digestCron,
          () => {
            fireDaily('cron').catch((err) => log.error({ err: (err as Error).message }, 'daily job crashed'));
          },
          { timezone: cfg.digestTimezone, noOverlap: true, name: 'daily' },
        ),
        cron.schedule(
          cfg.weeklyCron,
          () => {
            fireWeekly('cron').catch((err) => log.error({ err: (err as Error).message }, 'weekly job crashed'));
          },
          { timezone: cfg.digestTimezone, noOverlap: true, name: 'weekly' },
        ),
        cron.schedule(
          cfg.ingestCron,
          async () => {
            try {
              await (await import('../feeds/ingest.js')).ingestAll(ctx);
            } catch (err) {
              log.error({ err: (err as Error).message }, 'scheduled ingest failed');
            }
          },
          { timezone: cfg.digestTimezone, noOverlap: true, name: 'ingest' },
        ),
      );
      const next = scheduledInstant(localDate(ctx.clock.now(), cfg.digestTimezone), cfg.digestCron, cfg.digestTimezone);
      log.info({ cron: cfg.digestCron, weeklyCron: cfg.weeklyCron, timezone: cfg.digestTimezone, todayAt: next ? new Date(next).toISOString() : null, review: cfg.digestReview }, 'schedule started');
      const check = async () => {
        for (const run of [catchUp, catchUpWeekly]) {
          await run().catch((err) => {
            log.error({ err: (err as Error).message }, 'catch-up check failed');
          });
        }
      };
      await check();
      watchdog = setInterval(check, o.watchdogMs ?? 60_000);
      watchdog.unref?.();
    },
    async stop() {
      stopped = true;
      if (watchdog) clearInterval(watchdog);
      for (const t of tasks.splice(0)) await t.stop();
      if (running) await running.catch(() => {});
    },
  };
}
