// The delivery ledger: every statement that reads or writes deliveries, resend requests and test sends.
import type { Edition } from '../../domain-types.js';
import { companiesOf } from '../../subscribers/companies.js';
import type Database from 'better-sqlite3';
import type {
  ClaimedDelivery,
  DeliveryCounts,
  DeliveryRow,
  PriorResend,
  RecentSends,
  ResendOutcome,
  ResendRequestRow,
  SendableIssue,
  ReportedDelivery,
  ReportInput,
  ReportOutcome,
  ReportRow,
  SentMark,
} from '../../deliveries/store.js';
import { cachedStatement, immediate, type DbHandle } from './client.js';
import { appendSuppression } from '../../subscribers/suppressions.js';
import { complaintPause, foldReportCounts, reportWhere, softBounceStep, type ReportCounts } from '../report-query.js';

type Repo = Pick<DbHandle, 'sqlite' | 'suppressionLog'>;





/** Prepared statements cached per connection: the hot path prepares nothing per message. */
const st = (r: Repo, sql: string): Database.Statement => cachedStatement(r.sqlite, sql);

export async function getSendableIssue(r: Repo, issueId: number): Promise<SendableIssue | undefined> {
  return st(
    r,
    `SELECT id, date, edition, status, subject, subject_override AS subjectOverride, html, text, paused_reason AS pausedReason,
            send_started_at AS sendStartedAt FROM issues WHERE id = ?`,
  ).get(issueId) as SendableIssue | undefined;
}

export async function findIssueIdByDate(r: Repo, date: string, edition: Edition = 'daily'): Promise<number | undefined> {
  return (st(r, 'SELECT id FROM issues WHERE date = ? AND edition = ?').get(date, edition) as { id: number } | undefined)?.id;
}

/**
 * Snapshots every confirmed subscriber into one queued delivery each, in one immediate transaction with
 * INSERT … SELECT (no rows pass through JavaScript), and marks the issue sending. Idempotent: the unique
 * (issue, subscriber) index lets a second call add nobody twice. Clears an operator-resumable pause.
 */
export async function queueIssue(r: Repo, issueId: number, now: number, warmup?: { cap: number; reason: string }): Promise<{ queued: number; status: string; heldBack?: number }> {
  return immediate(r.sqlite, () => {
    const issue = st(r, 'SELECT status FROM issues WHERE id = ?').get(issueId) as { status: string } | undefined;
    if (!issue) return { queued: 0, status: 'missing' };
    if (issue.status === 'sent') return { queued: 0, status: 'sent' };
    const res = st(
      r,
      `INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, next_attempt_at)
       SELECT ?, id, 'queued', ?, ?, 0 FROM subscribers
        WHERE status = 'confirmed' AND (paused_until IS NULL OR paused_until <= ?) AND frequency = (SELECT edition FROM issues WHERE id = ?)
       ON CONFLICT (issue_id, subscriber_id) DO NOTHING`,
    ).run(issueId, now, now, now, issueId);
    // Warm-up: past the day's cap, the rest of the list is skipped for this issue, in the same transaction.
    const held = warmup
      ? st(
          r,
          `UPDATE deliveries SET status = 'skipped', last_error = ?, updated_at = ?
           WHERE issue_id = ? AND status = 'queued' AND id NOT IN (
             SELECT id FROM deliveries WHERE issue_id = ? AND NOT (status = 'skipped' AND last_error LIKE 'warm-up:%') ORDER BY subscriber_id, id LIMIT ?)`,
        ).run(warmup.reason, now, issueId, issueId, warmup.cap).changes
      : 0;
    st(
      r,
      `UPDATE issues SET status = 'sending', send_started_at = COALESCE(send_started_at, ?), paused_reason = NULL, updated_at = ?
       WHERE id = ?`,
    ).run(now, now, issueId);
    return { queued: res.changes - held, status: 'sending', ...(held ? { heldBack: held } : {}) };
  });
}

export async function firstSendAt(r: Repo, now: number): Promise<number> {
  return immediate(r.sqlite, () => {
    st(r, `INSERT INTO settings (key, value) VALUES ('first_send_at', ?) ON CONFLICT (key) DO NOTHING`).run(String(now));
    return Number((st(r, `SELECT value FROM settings WHERE key = 'first_send_at'`).get() as { value: string }).value);
  });
}

/**
 * While sending, the WAL is checkpointed by the sender's maintenance tick rather than inside whichever
 * per-row commit crosses the 1,000-page mark (which stalls every connection's replies); the cap stays.
 */
export async function useSenderCheckpoints(r: Repo): Promise<void> {
  r.sqlite.pragma('wal_autocheckpoint = 10000');
}

/** A passive checkpoint: copies what it can without waiting for readers. */
export async function checkpoint(r: Repo): Promise<void> {
  r.sqlite.pragma('wal_checkpoint(PASSIVE)');
}

/** Issues the sender should work on: sending and not paused for the operator (relay pauses resume by themselves). */
export async function activeIssueIds(r: Repo): Promise<number[]> {
  return (
    st(r, `SELECT id FROM issues WHERE status = 'sending' AND (paused_reason IS NULL OR paused_reason LIKE 'relay:%') ORDER BY id`).all() as {
      id: number;
    }[]
  ).map((x) => x.id);
}

/**
 * Claims up to `limit` due queued rows of an issue for `owner` until `leaseUntil`, in one immediate
 * transaction. Rows whose subscriber is no longer confirmed are skipped instead (unsubscribed or bounced
 * while the issue was sending). Walks the claim index in (next_attempt_at, id) order: no sort, no full scan.
 */
/**
 * Why a first copy queued earlier is no longer wanted (the reader switched edition or paused since), or null. An
 * operator's resend is sent whatever the reader's choices. Parameter: now.
 */
const READER_CHANGED_SQL = `CASE WHEN d.resends = 0 AND s.frequency <> i.edition THEN 'reader chose the ' || s.frequency || ' edition'
  WHEN d.resends = 0 AND s.paused_until > ? THEN 'reader paused' END`;

export async function claimBatch(r: Repo, issueId: number, owner: string, limit: number, now: number, leaseUntil: number): Promise<ClaimedDelivery[]> {
  return immediate(r.sqlite, () => {
    const rows = st(
      r,
      `SELECT d.id, d.issue_id AS issueId, d.subscriber_id AS subscriberId, d.attempts, d.resends, d.uncertain, s.email, s.status AS subStatus, s.text_only AS textOnly,
              s.excluded_companies AS excludedCompanies, ${READER_CHANGED_SQL} AS changed
       FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id JOIN issues i ON i.id = d.issue_id
       WHERE d.issue_id = ? AND d.status = 'queued' AND d.next_attempt_at <= ?
       ORDER BY d.next_attempt_at, d.id LIMIT ?`,
    ).all(now, issueId, now, limit) as (Omit<ClaimedDelivery, 'excludedCompanies'> & { subStatus: string; email: string | null; excludedCompanies: string; changed: string | null })[];
    const out: ClaimedDelivery[] = [];
    const skip = st(r, `UPDATE deliveries SET status = 'skipped', last_error = ?, updated_at = ? WHERE id = ?`);
    for (const row of rows) {
      if (row.subStatus !== 'confirmed' || !row.email) {
        skip.run(`subscriber ${row.subStatus}`, now, row.id);
        continue;
      }
      if (row.changed) {
        skip.run(row.changed, now, row.id);
        continue;
      }
      const excluded = companiesOf(row.excludedCompanies);
      out.push({
        id: row.id,
        issueId: row.issueId,
        subscriberId: row.subscriberId,
        email: row.email,
        attempts: row.attempts,
        resends: row.resends,
        uncertain: row.uncertain,
        ...(row.textOnly ? { textOnly: true } : {}),
        ...(excluded.length ? { excludedCompanies: excluded } : {}),
      });
    }
    // One statement claims the batch (its ids travel as one JSON array).
    if (out.length)
      st(r, `UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_until = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))`).run(
        owner,
        leaseUntil,
        now,
        JSON.stringify(out.map((x) => x.id)),
      );
    return out;
  });
}

/** The subscriber's state right now (checked again just before a message is handed to SMTP). */
export async function subscriberStatuses(r: Repo, subscriberIds: readonly number[]): Promise<Map<number, string>> {
  if (!subscriberIds.length) return new Map();
  // One cached statement for any number of ids: they travel as one JSON array.
  const rows = st(r, 'SELECT id, status FROM subscribers WHERE id IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(subscriberIds)) as [number, string][];
  return new Map(rows);
}

/** A claimed row whose subscriber left while it waited: skipped, never sent. */
export async function markSkipped(r: Repo, id: number, owner: string, reason: string, now: number): Promise<void> {
  await immediate(r.sqlite, () =>
    st(
      r,
      `UPDATE deliveries SET status = 'skipped', last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
    ).run(reason, now, id, owner),
  );
}

/**
 * A copy lost after the final dot when an earlier copy may already have arrived: final state `uncertain`, so the
 * recipient gets at most two copies (FAULTS 59). Counted as one more uncertain copy.
 */
export async function markUncertain(r: Repo, id: number, owner: string, messageId: string, error: string, now: number): Promise<void> {
  await immediate(r.sqlite, () =>
    st(
      r,
      `UPDATE deliveries SET status = 'uncertain', attempts = attempts + 1, uncertain = uncertain + 1, message_id = ?, last_error = ?,
         updated_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
    ).run(messageId, `uncertain: ${error}`.slice(0, 500), now, id, owner),
  );
}

/** Records the server's acceptance; only a row this owner still holds is changed. */
export async function markSent(r: Repo, owner: string, marks: readonly SentMark[]): Promise<void> {
  if (!marks.length) return;
  await immediate(r.sqlite, () => {
    const mark = st(
      r,
      `UPDATE deliveries SET status = 'sent', attempts = attempts + 1, message_id = ?, smtp_response = ?, sent_at = ?, updated_at = ?,
         last_error = NULL, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
    );
    for (const m of marks) mark.run(m.messageId, m.response.slice(0, 500), m.at, m.at, m.id, owner);
  });
}

/**
 * A temporary failure: back to the queue for `nextAttemptAt`, or failed when the schedule is spent.
 * `countAttempt` false gives the try back (the relay, not the recipient, failed). `uncertain` counts a copy
 * the server may have taken (connection lost after the final dot).
 */
export async function markRetry(
  r: Repo,
  id: number,
  owner: string,
  o: { error: string; nextAttemptAt: number | null; countAttempt: boolean; uncertain: boolean; messageId?: string },
  now: number,
): Promise<void> {
  const status = o.nextAttemptAt === null ? 'failed' : 'queued';
  await immediate(r.sqlite, () =>
    st(
      r,
      `UPDATE deliveries SET status = ?, attempts = attempts + ?, uncertain = uncertain + ?, next_attempt_at = ?, last_error = ?,
         message_id = COALESCE(?, message_id), updated_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
    ).run(status, o.countAttempt ? 1 : 0, o.uncertain ? 1 : 0, o.nextAttemptAt ?? 0, o.error.slice(0, 500), o.messageId ?? null, now, id, owner),
  );
}

/** A permanent failure that is not the recipient's fault (content refused): failed, no retry. */
export async function markFailed(r: Repo, id: number, owner: string, error: string, now: number): Promise<void> {
  await immediate(r.sqlite, () =>
    st(
      r,
      `UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
    ).run(error.slice(0, 500), now, id, owner),
  );
}

/**
 * A 5xx for the recipient: the delivery is bounced, the subscriber becomes bounced (with a consent event)
 * and their other queued deliveries are skipped, all in one transaction.
 */
export async function markBounced(r: Repo, id: number, owner: string, subscriberId: number, error: string, now: number): Promise<void> {
  const bouncedEmail = await immediate(r.sqlite, () => {
    st(
      r,
      `UPDATE deliveries SET status = 'bounced', attempts = attempts + 1, last_error = ?, smtp_response = ?, updated_at = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
    ).run(error.slice(0, 500), error.slice(0, 500), now, id, owner);
    const changed = st(
      r,
      `UPDATE subscribers SET status = 'bounced', bounced_at = ?, updated_at = ? WHERE id = ? AND status IN ('confirmed', 'pending')`,
    ).run(now, now, subscriberId).changes;
    if (!changed) return null;
    st(r, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, 'bounce', ?, ?)`).run(subscriberId, now, error.slice(0, 300));
    st(r, `UPDATE deliveries SET status = 'skipped', last_error = 'subscriber bounced', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`).run(
      now,
      subscriberId,
    );
    return (st(r, 'SELECT email FROM subscribers WHERE id = ?').get(subscriberId) as { email: string | null } | undefined)?.email ?? null;
  });
  if (bouncedEmail) appendSuppression(r.suppressionLog, bouncedEmail, 'bounce', now);
}

/** Gives claimed rows back untouched (shutdown, pause before sending): no attempt, not uncertain. */
export async function releaseClaims(r: Repo, ids: number[], owner: string, now: number, nextAttemptAt = 0): Promise<void> {
  if (!ids.length) return;
  await immediate(r.sqlite, () => {
    const s = st(
      r,
      `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, next_attempt_at = MAX(next_attempt_at, ?), updated_at = ?
       WHERE id = ? AND lease_owner = ? AND status = 'sending'`,
    );
    for (const id of ids) s.run(nextAttemptAt, now, id, owner);
  });
}

export async function releaseOrphanClaims(r: Repo, owner: string, keep: number[], now: number): Promise<number> {
  const keepSet = new Set(keep);
  return immediate(r.sqlite, () => {
    const ids = (st(r, `SELECT id FROM deliveries WHERE lease_owner = ? AND status = 'sending'`).pluck().all(owner) as number[]).filter((id) => !keepSet.has(id));
    const s = st(r, `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'sending'`);
    for (const id of ids) s.run(now, id, owner);
    return ids.length;
  });
}

/** Extends the lease of every row this owner holds in the given issues: a live process keeps its claims. */
export async function renewLeases(r: Repo, owner: string, leaseUntil: number): Promise<number> {
  return immediate(r.sqlite, () => {
    let n = 0;
    const issues = st(r, `SELECT id FROM issues WHERE status = 'sending'`).all() as { id: number }[];
    const s = st(r, `UPDATE deliveries SET lease_until = ? WHERE issue_id = ? AND status = 'sending' AND lease_owner = ?`);
    for (const i of issues) n += s.run(leaseUntil, i.id, owner).changes;
    return n;
  });
}

/**
 * Puts rows whose lease ran out (their process died) back in the queue, counted as uncertain: the
 * crashed process may have handed them to the server. Returns how many were recovered.
 */
export async function recoverExpiredLeases(r: Repo, now: number): Promise<number> {
  return immediate(r.sqlite, () => {
    let n = 0;
    const issues = st(r, `SELECT id FROM issues WHERE status = 'sending'`).all() as { id: number }[];
    const s = st(
      r,
      `UPDATE deliveries SET ${RECOVER_SET}, last_error = 'lease expired: the sending process stopped mid-send'
       WHERE issue_id = ? AND status = 'sending' AND (lease_until IS NULL OR lease_until < ?)`,
    );
    for (const i of issues) n += s.run(now, i.id, now).changes;
    return n;
  });
}

/**
 * How a row left mid-send comes back: queued again counted as uncertain, or, when a copy was already uncertain,
 * to the final `uncertain` state (never a third copy).
 */
const RECOVER_SET = `status = CASE WHEN uncertain >= 1 THEN 'uncertain' ELSE 'queued' END, uncertain = uncertain + 1,
  lease_owner = NULL, lease_until = NULL, updated_at = ?`;

/** Owners holding rows mid-send right now (to find those whose process is gone). */
export async function claimOwners(r: Repo): Promise<string[]> {
  return st(r, `SELECT DISTINCT d.lease_owner FROM issues i JOIN deliveries d ON d.issue_id = i.id AND d.status = 'sending' WHERE i.status = 'sending' AND d.lease_owner IS NOT NULL`)
    .pluck()
    .all() as string[];
}

/** Takes back at once the rows of owners whose process is provably gone (same host, pid dead), as a lease expiry would. */
export async function recoverOwners(r: Repo, owners: string[], now: number): Promise<number> {
  if (!owners.length) return 0;
  return immediate(r.sqlite, () => {
    const s = st(r, `UPDATE deliveries SET ${RECOVER_SET}, last_error = 'the sending process died mid-send' WHERE status = 'sending' AND lease_owner = ?`);
    let n = 0;
    for (const o of owners) n += s.run(now, o).changes;
    return n;
  });
}

/** Marks issues sent whose deliveries have all reached a final state; returns their ids. */
export async function finishCompletedIssues(r: Repo, now: number): Promise<number[]> {
  return immediate(r.sqlite, () => {
    const ids = (
      st(
        r,
        `SELECT i.id FROM issues i WHERE i.status = 'sending' AND NOT EXISTS
           (SELECT 1 FROM deliveries d WHERE d.issue_id = i.id AND d.status IN ('queued', 'sending'))`,
      ).all() as { id: number }[]
    ).map((x) => x.id);
    const s = st(r, `UPDATE issues SET status = 'sent', sent_at = COALESCE(sent_at, ?), paused_reason = NULL, updated_at = ? WHERE id = ? AND status = 'sending'`);
    const outcome = st(r, `SELECT SUM(status = 'sent') AS sent, SUM(status IN ('failed', 'bounced', 'uncertain')) AS refused FROM deliveries WHERE issue_id = ?`);
    const pause = st(r, `UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ? AND paused_reason IS NOT ?`);
    const done: number[] = [];
    for (const id of ids) {
      const o = outcome.get(id) as { sent: number | null; refused: number | null };
      // Not one copy accepted: that is a broken relay or a blocked sender, not a sent issue to publish.
      if (!o.sent && o.refused) {
        const reason = `refused: the relay accepted none of the ${o.refused} copies; fix the cause, then resend the failed deliveries`;
        pause.run(reason, now, id, reason);
        continue;
      }
      s.run(now, now, id);
      done.push(id);
    }
    return done;
  });
}

/** The earliest next_attempt_at among an issue's queued rows (to sleep until then); null when none. */
export async function nextDueAt(r: Repo, issueIds: number[]): Promise<number | null> {
  let min: number | null = null;
  const s = st(r, `SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE issue_id = ? AND status = 'queued'`);
  for (const id of issueIds) {
    const t = (s.get(id) as { t: number | null }).t;
    if (t !== null && (min === null || t < min)) min = t;
  }
  return min;
}

/** Sets or clears why an issue is paused; with `onlyIfPrefix` only when it is not paused for another reason. */
export async function setPausedReason(r: Repo, issueId: number, reason: string | null, now: number, onlyIfPrefix?: string): Promise<void> {
  await immediate(r.sqlite, () => {
    if (onlyIfPrefix) {
      st(r, `UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ? AND (paused_reason IS NULL OR paused_reason LIKE ?)`).run(
        reason,
        now,
        issueId,
        `${onlyIfPrefix}%`,
      );
    } else {
      st(r, `UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ?`).run(reason, now, issueId);
    }
  });
}

/** Clears pauses that a fresh process should retry by itself (relay and authentication). */
export async function clearTransientPauses(r: Repo, now: number): Promise<void> {
  await immediate(r.sqlite, () =>
    st(r, `UPDATE issues SET paused_reason = NULL, updated_at = ? WHERE status = 'sending' AND (paused_reason LIKE 'relay:%' OR paused_reason LIKE 'auth:%')`).run(now),
  );
}

export async function deliveryCounts(r: Repo, issueId: number): Promise<DeliveryCounts> {
  const out: DeliveryCounts = { queued: 0, sending: 0, sent: 0, failed: 0, bounced: 0, skipped: 0, unconfirmed: 0, uncertain: 0 };
  const rows = st(r, `SELECT status, COUNT(*) AS n, SUM(uncertain) AS u FROM deliveries WHERE issue_id = ? GROUP BY status`).all(issueId) as {
    status: string;
    n: number;
    u: number | null;
  }[];
  for (const row of rows) {
    const key = (row.status === 'uncertain' ? 'unconfirmed' : row.status) as Exclude<keyof DeliveryCounts, 'uncertain'>;
    out[key] = row.n;
    out.uncertain += row.u ?? 0;
  }
  return out;
}

export async function recentSends(r: Repo, issueId: number, since: number): Promise<RecentSends> {
  return st(r, `SELECT COUNT(*) AS n, MIN(sent_at) AS first FROM deliveries WHERE issue_id = ? AND status = 'sent' AND sent_at > ?`).get(issueId, since) as RecentSends;
}

export async function issueState(r: Repo, issueId: number): Promise<{ status: string; pausedReason: string | null } | undefined> {
  return st(r, 'SELECT status, paused_reason AS pausedReason FROM issues WHERE id = ?').get(issueId) as { status: string; pausedReason: string | null } | undefined;
}

/** The shared send budget: one row whose next free slot every sender of this file moves forward. */
export async function reserveSendSlots(r: Repo, n: number, gapMs: number, now: number): Promise<number> {
  return immediate(r.sqlite, () =>
    st(
      r,
      `INSERT INTO send_slots (name, next_at) VALUES ('send', ? + ?) ON CONFLICT (name) DO UPDATE SET next_at = MAX(next_at, ?) + ?
       RETURNING next_at - ? AS startAt`,
    ).pluck().get(now, n * gapMs, now, n * gapMs, n * gapMs) as number,
  );
}

/** Whether an issue still has deliveries waiting or in flight. */
export async function hasPendingDeliveries(r: Repo, issueId: number): Promise<boolean> {
  return Boolean(st(r, `SELECT 1 FROM deliveries WHERE issue_id = ? AND status IN ('queued', 'sending') LIMIT 1`).get(issueId));
}



const priorResend = (r: Repo, key: string) =>
  st(r, 'SELECT issue_id AS issueId, kind, email, queued FROM resend_requests WHERE idempotency_key = ?').get(key) as PriorResend | undefined;

/** The resend recorded under an idempotency key, if any. */
export async function findResendByKey(r: Repo, key: string): Promise<PriorResend | null> {
  return priorResend(r, key) ?? null;
}

/**
 * Queues operator resends in one immediate transaction and records the request (who, when, what, how many).
 * Never reaches anyone not confirmed. `email`: a new copy even if sent before; `failed`: every failed
 * delivery; `missing`: confirmed subscribers without a delivery of this issue.
 */
export async function queueResend(
  r: Repo,
  issueId: number,
  req: { kind: 'email'; email: string } | { kind: 'failed' } | { kind: 'missing' },
  requestedBy: string,
  now: number,
  idempotencyKey?: string,
): Promise<ResendOutcome> {
  return immediate(r.sqlite, () => {
    // A request with a key already recorded (a client retrying, or the same request twice at once) changes nothing.
    const prior = idempotencyKey ? priorResend(r, idempotencyKey) : undefined;
    if (prior) return { queued: prior.queued, prior };
    let out: ResendOutcome;
    if (req.kind === 'email') {
      const s = st(r, 'SELECT id, status FROM subscribers WHERE email = ?').get(req.email) as { id: number; status: string } | undefined;
      if (!s) out = { queued: 0, reason: 'not_found' };
      else if (s.status !== 'confirmed') out = { queued: 0, reason: 'not_confirmed' };
      else {
        const d = st(r, 'SELECT id, status FROM deliveries WHERE issue_id = ? AND subscriber_id = ?').get(issueId, s.id) as
          | { id: number; status: string }
          | undefined;
        if (!d) {
          st(r, `INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, next_attempt_at) VALUES (?, ?, 'queued', ?, ?, 0)`).run(
            issueId,
            s.id,
            now,
            now,
          );
          out = { queued: 1 };
        } else if (d.status === 'queued' || d.status === 'sending') {
          out = { queued: 0, reason: 'pending' };
        } else {
          st(
            r,
            `UPDATE deliveries SET status = 'queued', resends = resends + CASE WHEN status = 'sent' THEN 1 ELSE 0 END, attempts = 0,
               next_attempt_at = 0, last_error = NULL, updated_at = ? WHERE id = ?`,
          ).run(now, d.id);
          out = { queued: 1 };
        }
      }
    } else if (req.kind === 'failed') {
      out = {
        queued: st(
          r,
          `UPDATE deliveries SET status = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = ?
           WHERE issue_id = ? AND status = 'failed'
             AND subscriber_id IN (SELECT id FROM subscribers WHERE status = 'confirmed')`,
        ).run(now, issueId).changes,
      };
    } else {
      out = {
        queued: st(
          r,
          `INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, next_attempt_at)
           SELECT ?, id, 'queued', ?, ?, 0 FROM subscribers
            WHERE status = 'confirmed' AND (paused_until IS NULL OR paused_until <= ?) AND frequency = (SELECT edition FROM issues WHERE id = ?)
           ON CONFLICT (issue_id, subscriber_id) DO NOTHING`,
        ).run(issueId, now, now, now, issueId).changes,
      };
    }
    if (out.reason === 'not_found' || out.reason === 'not_confirmed') return out;
    st(r, `INSERT INTO resend_requests (issue_id, kind, email, requested_by, requested_at, queued, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
      issueId,
      req.kind,
      req.kind === 'email' ? req.email : null,
      requestedBy,
      now,
      out.queued,
      idempotencyKey ?? null,
    );
    if (out.queued > 0) st(r, `UPDATE issues SET status = 'sending', updated_at = ? WHERE id = ? AND status = 'sent'`).run(now, issueId);
    return out;
  });
}


export async function listResendRequests(r: Repo, issueId: number): Promise<ResendRequestRow[]> {
  return st(
    r,
    `SELECT id, kind, email, requested_by AS requestedBy, requested_at AS requestedAt, queued FROM resend_requests WHERE issue_id = ? ORDER BY id`,
  ).all(issueId) as ResendRequestRow[];
}

/** Records a test copy, apart from deliveries. */
export async function recordTestSend(
  r: Repo,
  t: { issueId: number; email: string; at: number; status: 'sent' | 'failed'; messageId?: string; smtpResponse?: string; error?: string },
): Promise<number> {
  return Number(
    st(r, `INSERT INTO test_sends (issue_id, email, at, status, message_id, smtp_response, error) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
      t.issueId,
      t.email,
      t.at,
      t.status,
      t.messageId ?? null,
      t.smtpResponse ?? null,
      t.error ?? null,
    ).lastInsertRowid,
  );
}

/** The unsubscribe-link subject of an address, when it belongs to a subscriber. */
export async function subscriberIdByEmail(r: Repo, email: string): Promise<number | undefined> {
  return (st(r, 'SELECT id FROM subscribers WHERE email = ?').get(email) as { id: number } | undefined)?.id;
}


/** A page of an issue's deliveries by id (never all at once). */
export async function listDeliveries(r: Repo, issueId: number, afterId = 0, limit = 500): Promise<DeliveryRow[]> {
  return st(
    r,
    `SELECT id, subscriber_id AS subscriberId, status, attempts, uncertain, resends, next_attempt_at AS nextAttemptAt, message_id AS messageId,
            smtp_response AS smtpResponse, last_error AS lastError, sent_at AS sentAt
     FROM deliveries WHERE issue_id = ? AND id > ? ORDER BY id LIMIT ?`,
  ).all(issueId, afterId, limit) as DeliveryRow[];
}

const REPORTED = `SELECT d.id AS deliveryId, d.issue_id AS issueId, d.subscriber_id AS subscriberId, s.email, d.status
  FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id`;

export async function findReportedDelivery(r: Repo, q: { deliveryId: number } | { issueId: number; subscriberId: number }): Promise<ReportedDelivery | null> {
  const row =
    'deliveryId' in q
      ? st(r, `${REPORTED} WHERE d.id = ?`).get(q.deliveryId)
      : st(r, `${REPORTED} WHERE d.issue_id = ? AND d.subscriber_id = ?`).get(q.issueId, q.subscriberId);
  return (row as ReportedDelivery | undefined) ?? null;
}

export async function latestDeliveryTo(r: Repo, email: string): Promise<ReportedDelivery | null> {
  return (
    (st(r, `${REPORTED} WHERE s.email = ? AND d.status IN ('sent', 'uncertain', 'bounced') ORDER BY d.issue_id DESC, d.id DESC LIMIT 1`).get(email.toLowerCase()) as
      | ReportedDelivery
      | undefined) ?? null
  );
}

export async function applyReport(r: Repo, x: ReportInput): Promise<ReportOutcome> {
  const d = x.delivery;
  const subscriberId = d?.subscriberId ?? x.subscriberId ?? null;
  const result = await immediate(r.sqlite, () => {
    const inserted = st(
      r,
      `INSERT INTO delivery_reports (received_at, channel, kind, delivery_id, subscriber_id, issue_id, recipient, status, detail, action, dedupe_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    ).run(x.at, x.channel, x.kind, d?.deliveryId ?? null, subscriberId, d?.issueId ?? null, x.recipient, x.status, x.detail?.slice(0, 500) ?? null, x.dedupeKey);
    if (!inserted.changes) return { applied: false, action: 'nothing: this report was applied before', suppress: null as null | { email: string; event: 'bounce' | 'unsubscribe' } };
    const reportId = Number(inserted.lastInsertRowid);
    const sub = subscriberId === null ? undefined : (st(r, 'SELECT id, email, status, soft_bounce_streak AS streak, soft_bounce_issue_id AS lastIssue FROM subscribers WHERE id = ?').get(subscriberId) as
      | { id: number; email: string | null; status: string; streak: number; lastIssue: number | null }
      | undefined);
    let action = 'nothing';
    let suppress: null | { email: string; event: 'bounce' | 'unsubscribe' } = null;
    let pausedIssue: number | undefined;
    const active = sub && (sub.status === 'confirmed' || sub.status === 'pending');
    const bounce = (why: string) => {
      st(r, `UPDATE subscribers SET status = 'bounced', bounced_at = ?, updated_at = ? WHERE id = ?`).run(x.at, x.at, sub!.id);
      st(r, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, 'bounce', ?, ?)`).run(sub!.id, x.at, why.slice(0, 300));
      st(r, `UPDATE deliveries SET status = 'skipped', last_error = 'subscriber bounced', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`).run(x.at, sub!.id);
      if (sub!.email) suppress = { email: sub!.email, event: 'bounce' };
    };
    const leave = (type: 'complaint' | 'unsubscribe', why: string) => {
      st(r, `UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ?`).run(x.at, x.at, sub!.id);
      st(r, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, ?, ?, ?)`).run(sub!.id, type, x.at, why.slice(0, 300));
      st(r, `UPDATE deliveries SET status = 'skipped', last_error = 'subscriber unsubscribed', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`).run(x.at, sub!.id);
      if (sub!.email) suppress = { email: sub!.email, event: 'unsubscribe' };
    };
    const detail = `${x.status ?? ''} ${x.detail ?? ''} (${x.channel})`.trim();
    if (x.kind === 'hard' && sub) {
      if (d) st(r, `UPDATE deliveries SET status = 'bounced', last_error = ?, updated_at = ? WHERE id = ? AND status IN ('sent', 'uncertain')`).run(detail.slice(0, 500), x.at, d.deliveryId);
      if (active) {
        bounce(`hard bounce after delivery: ${detail}`);
        action = 'bounced';
      } else action = `nothing: the subscriber is ${sub.status}`;
    } else if (x.kind === 'soft' && sub && d) {
      if (!active) action = `nothing: the subscriber is ${sub.status}`;
      else {
        const accepted =
          sub.lastIssue !== null &&
          sub.lastIssue !== d.issueId &&
          st(r, `SELECT 1 FROM deliveries WHERE subscriber_id = ? AND issue_id > ? AND issue_id < ? AND status = 'sent' LIMIT 1`).get(sub.id, sub.lastIssue, d.issueId) !== undefined;
        const step = softBounceStep(sub, d.issueId, accepted, x.softBounceLimit);
        action = step.action;
        if (step.counted) {
          st(r, 'UPDATE subscribers SET soft_bounce_streak = ?, soft_bounce_issue_id = ?, updated_at = ? WHERE id = ?').run(step.streak, d.issueId, x.at, sub.id);
          st(r, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, 'soft_bounce', ?, ?)`).run(sub.id, x.at, `issue ${d.issueId}: ${detail}`.slice(0, 300));
          if (step.bounce) bounce(`${step.streak} issues in a row soft-bounced (SOFT_BOUNCE_LIMIT=${x.softBounceLimit}): ${detail}`);
        }
      }
    } else if (x.kind === 'complaint' && sub) {
      if (sub.status === 'confirmed' || sub.status === 'pending') {
        leave('complaint', `spam complaint: ${detail}`);
        action = 'unsubscribed: complaint';
      } else action = `nothing: the subscriber is ${sub.status}`;
      if (d) {
        const c = st(
          r,
          `SELECT (SELECT count(*) FROM delivery_reports WHERE issue_id = ? AND kind = 'complaint') AS complaints,
                  (SELECT count(*) FROM deliveries WHERE issue_id = ? AND status IN ('sent', 'bounced', 'uncertain')) AS sent,
                  (SELECT status FROM issues WHERE id = ?) AS status, (SELECT paused_reason FROM issues WHERE id = ?) AS pausedReason`,
        ).get(d.issueId, d.issueId, d.issueId, d.issueId) as { complaints: number; sent: number; status: string; pausedReason: string | null };
        const reason = complaintPause(c, x.complaintRate, x.complaintMinSent);
        if (reason) {
          st(r, 'UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ?').run(reason, x.at, d.issueId);
          pausedIssue = d.issueId;
        }
      }
    } else if (x.kind === 'unsubscribe' && sub) {
      if (active) {
        leave('unsubscribe', `by mail to the List-Unsubscribe address (${x.channel})`);
        action = 'unsubscribed: by mail';
      } else action = `nothing: the subscriber is ${sub.status}`;
    } else if (x.kind === 'unmatched') action = 'nothing: names no delivery';
    else if (x.kind === 'notice') action = 'nothing: a notice';
    st(r, 'UPDATE delivery_reports SET action = ? WHERE id = ?').run(action, reportId);
    return { applied: true, action, suppress, ...(pausedIssue ? { pausedIssue } : {}) };
  });
  const { suppress, ...outcome } = result;
  if (suppress) appendSuppression(r.suppressionLog, suppress.email, suppress.event, x.at);
  return outcome;
}

export async function reportCounts(r: Repo, issueIds: number[]): Promise<Map<number, ReportCounts>> {
  if (!issueIds.length) return foldReportCounts(issueIds, []);
  const rows = r.sqlite
    .prepare(`SELECT issue_id AS issueId, kind, count(*) AS n FROM delivery_reports WHERE issue_id IN (${issueIds.map(() => '?').join(',')}) AND kind IN ('hard', 'soft', 'complaint') GROUP BY issue_id, kind`)
    .all(...issueIds) as { issueId: number; kind: string; n: number }[];
  return foldReportCounts(issueIds, rows);
}

export async function listReports(r: Repo, q: { subscriberId?: number; issueId?: number; limit?: number }): Promise<ReportRow[]> {
  const { sql: where, args } = reportWhere(q);
  return r.sqlite
    .prepare(
      `SELECT id, received_at AS receivedAt, channel, kind, issue_id AS issueId, subscriber_id AS subscriberId, recipient, status, detail, action
       FROM delivery_reports ${where} ORDER BY received_at DESC, id DESC LIMIT ?`,
    )
    .all(...args, q.limit ?? 100) as ReportRow[];
}
