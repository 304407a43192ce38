// Leases and the record of scheduled runs: how processes sharing one SQLite file agree on who runs what.
import { FINAL_RUN_STATUSES, type JobRun } from '../../jobs/store.js';
import { immediate, type DbHandle } from './client.js';
import { ownerIsGone } from '../../lib/owner.js';

type Repo = Pick<DbHandle, 'sqlite'>;



/**
 * Takes (or renews) a named lease for `owner` until now + ttl; false when another live owner holds it. A holder
 * on this host whose process is gone (a crash) loses it at once instead of at its expiry.
 */
export async function acquireLease(r: Repo, name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
  return immediate(r.sqlite, () => {
    const holder = r.sqlite.prepare('SELECT owner FROM leases WHERE name = ? AND expires_at >= ?').pluck().get(name, now) as string | undefined;
    if (holder && holder !== owner && ownerIsGone(holder)) r.sqlite.prepare('DELETE FROM leases WHERE name = ? AND owner = ?').run(name, holder);
    const res = r.sqlite
      .prepare(
        `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE leases.owner = excluded.owner OR leases.expires_at < ?`,
      )
      .run(name, owner, now + ttlMs, now);
    return res.changes > 0;
  });
}

/** Gives a lease up (only its owner can). */
export async function releaseLease(r: Repo, name: string, owner: string): Promise<void> {
  await immediate(r.sqlite, () => r.sqlite.prepare('DELETE FROM leases WHERE name = ? AND owner = ?').run(name, owner));
}

export async function getJobRun(r: Repo, job: string, date: string): Promise<JobRun | undefined> {
  return r.sqlite
    .prepare('SELECT job, date, status, detail, started_at AS startedAt, finished_at AS finishedAt FROM job_runs WHERE job = ? AND date = ?')
    .get(job, date) as JobRun | undefined;
}

/**
 * Starts a run of (job, date) unless one already reached a final state: in one immediate transaction, so two
 * processes never both start it. A run left 'running' or 'failed' (a crash, an error) may be started again.
 */
export async function beginJobRun(r: Repo, job: string, date: string, now: number): Promise<{ started: boolean; existing?: JobRun }> {
  return immediate(r.sqlite, () => {
    const existing = r.sqlite
      .prepare('SELECT job, date, status, detail, started_at AS startedAt, finished_at AS finishedAt FROM job_runs WHERE job = ? AND date = ?')
      .get(job, date) as JobRun | undefined;
    if (existing && (FINAL_RUN_STATUSES as readonly string[]).includes(existing.status)) return { started: false, existing };
    r.sqlite
      .prepare(
        `INSERT INTO job_runs (job, date, status, started_at) VALUES (?, ?, 'running', ?)
         ON CONFLICT (job, date) DO UPDATE SET status = 'running', detail = NULL, started_at = excluded.started_at, finished_at = NULL`,
      )
      .run(job, date, now);
    return { started: true, existing };
  });
}

/** Records how a run ended. */
export async function finishJobRun(r: Repo, job: string, date: string, status: string, detail: string | null, now: number): Promise<void> {
  await immediate(r.sqlite, () =>
    r.sqlite
      .prepare(
        `INSERT INTO job_runs (job, date, status, detail, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (job, date) DO UPDATE SET status = excluded.status, detail = excluded.detail, finished_at = excluded.finished_at`,
      )
      .run(job, date, status, detail, now, now),
  );
}


/** Records a date the schedule skipped (missed beyond the catch-up limit), unless something already ran it. */
export async function recordSkippedRun(r: Repo, job: string, date: string, detail: string, now: number): Promise<boolean> {
  const res = await immediate(r.sqlite, () =>
    r.sqlite
      .prepare(`INSERT INTO job_runs (job, date, status, detail, started_at, finished_at) VALUES (?, ?, 'skipped', ?, ?, ?) ON CONFLICT (job, date) DO NOTHING`)
      .run(job, date, detail, now, now),
  );
  return res.changes > 0;
}

/** The most recent runs, newest date first. */
export async function listJobRuns(r: Repo, job: string, limit = 30): Promise<JobRun[]> {
  return r.sqlite
    .prepare('SELECT job, date, status, detail, started_at AS startedAt, finished_at AS finishedAt FROM job_runs WHERE job = ? ORDER BY date DESC LIMIT ?')
    .all(job, limit) as JobRun[];
}

/** The date of the newest issue, if any (for the clock sanity check). */
export async function latestIssueDate(r: Repo): Promise<string | null> {
  return (r.sqlite.prepare('SELECT max(date) AS d FROM issues').get() as { d: string | null }).d;
}

/**
 * When this database's schedule first ran, recorded on the first call: catch-up only sends dates whose send
 * time came after it, so a brand-new installation never sends an unreviewed issue by itself at its first start.
 * A database that ran issues before this was recorded counts from its first run.
 */
export async function scheduleStartedAt(r: Repo, now: number): Promise<number> {
  return immediate(r.sqlite, () => {
    const have = r.sqlite.prepare(`SELECT value FROM settings WHERE key = 'schedule_started_at'`).pluck().get() as string | undefined;
    if (have !== undefined) return Number(have);
    const earliest = r.sqlite
      .prepare(`SELECT MIN(t) FROM (SELECT MIN(started_at) AS t FROM job_runs UNION ALL SELECT MIN(created_at) FROM issues)`)
      .pluck()
      .get() as number | null;
    const at = Math.min(now, earliest ?? now);
    r.sqlite.prepare(`INSERT INTO settings (key, value) VALUES ('schedule_started_at', ?)`).run(String(at));
    return at;
  });
}

export async function hitRateLimit(r: Repo, key: string, windowMs: number, now: number): Promise<number> {
  const start = now - (now % windowMs);
  return immediate(r.sqlite, () =>
    r.sqlite
      .prepare(
        `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
         ON CONFLICT (key) DO UPDATE SET count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
           window_start = excluded.window_start
         RETURNING count`,
      )
      .pluck()
      .get(key, start) as number,
  );
}

export async function pruneRateLimits(r: Repo, before: number): Promise<number> {
  return (await immediate(r.sqlite, () => r.sqlite.prepare('DELETE FROM rate_limits WHERE window_start < ?').run(before))).changes;
}
