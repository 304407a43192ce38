// Leases and the record of scheduled runs: how processes sharing one database agree on who runs what.

/** Final states of a daily run: the date is done and is never run again by the schedule. */
export const FINAL_RUN_STATUSES = ['queued', 'sent', 'review', 'empty', 'skipped'] as const;

/** One row of job_runs. */
export interface JobRun {
  job: string;
  date: string;
  status: string;
  detail: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/** Coordination between processes: leases, runs of scheduled jobs, shared counters. */
export interface JobsStore {
  /**
   * Takes (or renews) a named lease for `owner` until now + ttl; false when another live owner holds it. A holder
   * on this host whose process is gone (a crash) loses it at once instead of at its expiry.
   */
  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  /** Gives a lease up (only its owner can). */
  releaseLease(name: string, owner: string): Promise<void>;
  getJobRun(job: string, date: string): Promise<JobRun | undefined>;
  /**
   * Starts a run of (job, date) unless one already reached a final state: in one immediate transaction, so two
   * processes never both start it. A run left 'running' or 'failed' (a crash, an error) may be started again.
   */
  beginJobRun(job: string, date: string, now: number): Promise<{ started: boolean; existing?: JobRun }>;
  /** Records how a run ended. */
  finishJobRun(job: string, date: string, status: string, detail: string | null, now: number): Promise<void>;
  /** Records a date the schedule skipped (missed beyond the catch-up limit), unless something already ran it. */
  recordSkippedRun(job: string, date: string, detail: string, now: number): Promise<boolean>;
  /** The most recent runs, newest date first. */
  listJobRuns(job: string, limit?: number): Promise<JobRun[]>;
  /** The date of the newest issue, if any (for the clock sanity check). */
  latestIssueDate(): Promise<string | null>;
  /**
   * When this database's schedule first ran, recorded on the first call: catch-up only sends dates whose send
   * time came after it, so a brand-new installation never sends an unreviewed issue by itself at its first start.
   * A database that ran issues before this was recorded counts from its first run.
   */
  scheduleStartedAt(now: number): Promise<number>;
  /**
   * Counts one hit of `key` in its fixed window of `windowMs` (one counter for every process of this database) and
   * returns the hits in the current window, this one included.
   */
  hitRateLimit(key: string, windowMs: number, now: number): Promise<number>;
  /** Forgets counters whose window started before `before`; returns how many. */
  pruneRateLimits(before: number): Promise<number>;
}
