// Leases, scheduled runs and shared counters on PostgreSQL: how any number of processes agree on who runs what.
import { FINAL_RUN_STATUSES, type JobRun } from '../../jobs/store.js';
import { ownerIsGone } from '../../lib/owner.js';
import type { PgHandle } from './client.js';
import { all, one, run, value } from './rows.js';

type Repo = PgHandle;

const RUN_COLUMNS = 'job, date, status, detail, started_at, finished_at';

export async function acquireLease(r: Repo, name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
  return r.tx(async (q) => {
    const holder = await value<string>(q, 'SELECT owner FROM leases WHERE name = ? AND expires_at >= ? FOR UPDATE', [name, now]);
    if (holder && holder !== owner && ownerIsGone(holder)) await run(q, 'DELETE FROM leases WHERE name = ? AND owner = ?', [name, holder]);
    const changed = await run(
      q,
      `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE leases.owner = excluded.owner OR leases.expires_at < ?`,
      [name, owner, now + ttlMs, now],
    );
    return changed > 0;
  }, { lock: `newsdesk:lease:${name}` });
}

export async function releaseLease(r: Repo, name: string, owner: string): Promise<void> {
  await run(r, 'DELETE FROM leases WHERE name = ? AND owner = ?', [name, owner]);
}

export async function getJobRun(r: Repo, job: string, date: string): Promise<JobRun | undefined> {
  return one<JobRun>(r, `SELECT ${RUN_COLUMNS} FROM job_runs WHERE job = ? AND date = ?`, [job, date]);
}

export async function beginJobRun(r: Repo, job: string, date: string, now: number): Promise<{ started: boolean; existing?: JobRun }> {
  return r.tx(
    async (q) => {
      const existing = await one<JobRun>(q, `SELECT ${RUN_COLUMNS} FROM job_runs WHERE job = ? AND date = ?`, [job, date]);
      if (existing && (FINAL_RUN_STATUSES as readonly string[]).includes(existing.status)) return { started: false, existing };
      await run(
        q,
        `INSERT INTO job_runs (job, date, status, started_at) VALUES (?, ?, 'running', ?)
         ON CONFLICT (job, date) DO UPDATE SET status = 'running', detail = NULL, started_at = excluded.started_at, finished_at = NULL`,
        [job, date, now],
      );
      return { started: true, existing };
    },
    { lock: `newsdesk:run:${job}:${date}` },
  );
}

export async function finishJobRun(r: Repo, job: string, date: string, status: string, detail: string | null, now: number): Promise<void> {
  await run(
    r,
    `INSERT INTO job_runs (job, date, status, detail, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (job, date) DO UPDATE SET status = excluded.status, detail = excluded.detail, finished_at = excluded.finished_at`,
    [job, date, status, detail, now, now],
  );
}

export async function recordSkippedRun(r: Repo, job: string, date: string, detail: string, now: number): Promise<boolean> {
  return (
    (await run(r, `INSERT INTO job_runs (job, date, status, detail, started_at, finished_at) VALUES (?, ?, 'skipped', ?, ?, ?) ON CONFLICT (job, date) DO NOTHING`, [
      job,
      date,
      detail,
      now,
      now,
    ])) > 0
  );
}

export async function listJobRuns(r: Repo, job: string, limit = 30): Promise<JobRun[]> {
  return all<JobRun>(r, `SELECT ${RUN_COLUMNS} FROM job_runs WHERE job = ? ORDER BY date DESC LIMIT ?`, [job, limit]);
}

export async function latestIssueDate(r: Repo): Promise<string | null> {
  return (await value<string | null>(r, 'SELECT max(date) FROM issues')) ?? null;
}

export async function scheduleStartedAt(r: Repo, now: number): Promise<number> {
  return r.tx(
    async (q) => {
      const have = await value<string>(q, `SELECT value FROM settings WHERE key = 'schedule_started_at'`);
      if (have !== undefined) return Number(have);
      const earliest = await value<number | null>(q, `SELECT MIN(t) FROM (SELECT MIN(started_at) AS t FROM job_runs UNION ALL SELECT MIN(created_at) FROM issues) x`);
      const at = Math.min(now, earliest ?? now);
      await run(q, `INSERT INTO settings (key, value) VALUES ('schedule_started_at', ?)`, [String(at)]);
      return at;
    },
    { lock: 'newsdesk:settings' },
  );
}

export async function hitRateLimit(r: Repo, key: string, windowMs: number, now: number): Promise<number> {
  const start = now - (now % windowMs);
  return (await value<number>(
    r,
    `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
     ON CONFLICT (key) DO UPDATE SET count = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
       window_start = excluded.window_start
     RETURNING count`,
    [key, start],
  ))!;
}

export async function pruneRateLimits(r: Repo, before: number): Promise<number> {
  return run(r, 'DELETE FROM rate_limits WHERE window_start < ?', [before]);
}
