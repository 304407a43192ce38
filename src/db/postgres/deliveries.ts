// The delivery ledger on PostgreSQL: claims with FOR UPDATE SKIP LOCKED so any number of senders share one queue;
// every mark is one guarded UPDATE (only a row its owner still holds changes), as on SQLite.
import type { Edition } from '../../domain-types.js';
import { companiesOf } from '../../subscribers/companies.js';
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
import { appendSuppression } from '../../subscribers/suppressions.js';
import { complaintPause, foldReportCounts, reportWhere, softBounceStep, type ReportCounts } from '../report-query.js';
import type { PgExec, PgHandle } from './client.js';
import { all, one, run, value } from './rows.js';

type Repo = PgHandle;

export async function getSendableIssue(r: Repo, issueId: number): Promise<SendableIssue | undefined> {
  return one<SendableIssue>(r, 'SELECT id, date, edition, status, subject, subject_override, html, text, paused_reason, send_started_at FROM issues WHERE id = ?', [issueId]);
}

export async function findIssueIdByDate(r: Repo, date: string, edition: Edition = 'daily'): Promise<number | undefined> {
  return value<number>(r, 'SELECT id FROM issues WHERE date = ? AND edition = ?', [date, edition]);
}

export async function queueIssue(r: Repo, issueId: number, now: number, warmup?: { cap: number; reason: string }): Promise<{ queued: number; status: string; heldBack?: number }> {
  return r.tx(async (q) => {
    // The row lock makes two queueing calls for one issue take turns; the unique index adds nobody twice anyway.
    const status = await value<string>(q, 'SELECT status FROM issues WHERE id = ? FOR UPDATE', [issueId]);
    if (status === undefined) return { queued: 0, status: 'missing' };
    if (status === 'sent') return { queued: 0, status: 'sent' };
    const queued = await run(
      q,
      `INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, next_attempt_at)
       SELECT ?, id, 'queued', ?, ?, 0 FROM subscribers
        WHERE status = 'confirmed' AND (paused_until IS NULL OR paused_until <= ?) AND frequency = (SELECT edition FROM issues WHERE id = ?)
       ON CONFLICT (issue_id, subscriber_id) DO NOTHING`,
      [issueId, now, now, now, issueId],
    );
    // Warm-up: past the day's cap, the rest of the list is skipped for this issue, in the same transaction.
    const held = warmup
      ? await run(
          q,
          `UPDATE deliveries SET status = 'skipped', last_error = ?, updated_at = ?
           WHERE issue_id = ? AND status = 'queued' AND id NOT IN (
             SELECT id FROM deliveries WHERE issue_id = ? AND NOT (status = 'skipped' AND last_error LIKE 'warm-up:%') ORDER BY subscriber_id, id LIMIT ?)`,
          [warmup.reason, now, issueId, issueId, warmup.cap],
        )
      : 0;
    await run(q, `UPDATE issues SET status = 'sending', send_started_at = COALESCE(send_started_at, ?), paused_reason = NULL, updated_at = ? WHERE id = ?`, [now, now, issueId]);
    return { queued: queued - held, status: 'sending', ...(held ? { heldBack: held } : {}) };
  });
}

export async function firstSendAt(r: Repo, now: number): Promise<number> {
  await run(r, `INSERT INTO settings (key, value) VALUES ('first_send_at', ?) ON CONFLICT (key) DO NOTHING`, [String(now)]);
  return Number(await value<string>(r, `SELECT value FROM settings WHERE key = 'first_send_at'`));
}

/** PostgreSQL checkpoints by itself; nothing to tune per process. */
export async function useSenderCheckpoints(_r: Repo): Promise<void> {}

export async function checkpoint(_r: Repo): Promise<void> {}

export async function activeIssueIds(r: Repo): Promise<number[]> {
  return (await all<{ id: number }>(r, `SELECT id FROM issues WHERE status = 'sending' AND (paused_reason IS NULL OR paused_reason LIKE 'relay:%') ORDER BY id`)).map((x) => x.id);
}

/**
 * One statement: due rows picked in claim order, skipping rows another sender holds locked, then claimed (or skipped
 * when their subscriber left) in the same UPDATE. Two senders never get the same row.
 */
export async function claimBatch(r: Repo, issueId: number, owner: string, limit: number, now: number, leaseUntil: number): Promise<ClaimedDelivery[]> {
  const rows = await all<ClaimedDelivery & { status: string }>(
    r,
    `WITH picked AS (
       SELECT d.id FROM deliveries d
        WHERE d.issue_id = ? AND d.status = 'queued' AND d.next_attempt_at <= ?
        ORDER BY d.next_attempt_at, d.id LIMIT ? FOR UPDATE SKIP LOCKED
     ), judged AS (
       SELECT p.id, s.status AS sub_status, s.email, s.text_only, s.excluded_companies,
              CASE WHEN s.status <> 'confirmed' OR s.email IS NULL THEN 'subscriber ' || s.status
                   WHEN d.resends = 0 AND s.frequency <> i.edition THEN 'reader chose the ' || s.frequency || ' edition'
                   WHEN d.resends = 0 AND s.paused_until > ?::bigint THEN 'reader paused' END AS why_not
         FROM picked p JOIN deliveries d ON d.id = p.id JOIN subscribers s ON s.id = d.subscriber_id JOIN issues i ON i.id = d.issue_id
     )
     UPDATE deliveries d SET
       status = CASE WHEN j.why_not IS NULL THEN 'sending' ELSE 'skipped' END,
       lease_owner = CASE WHEN j.why_not IS NULL THEN ?::text ELSE NULL END,
       lease_until = CASE WHEN j.why_not IS NULL THEN ?::bigint ELSE NULL END,
       last_error = coalesce(j.why_not, d.last_error),
       updated_at = ?
     FROM judged j WHERE d.id = j.id
     RETURNING d.id, d.issue_id, d.subscriber_id, d.attempts, d.resends, d.uncertain, j.email, j.text_only, j.excluded_companies, d.status`,
    [issueId, now, limit, now, owner, leaseUntil, now],
  );
  return rows
    .filter((x) => x.status === 'sending')
    .sort((a, b) => a.id - b.id)
    .map(({ status: _s, textOnly, excludedCompanies, ...c }) => {
      const excluded = companiesOf(excludedCompanies as unknown as string);
      return { ...c, ...(textOnly ? { textOnly: true } : {}), ...(excluded.length ? { excludedCompanies: excluded } : {}) };
    });
}

export async function subscriberStatuses(r: Repo, subscriberIds: readonly number[]): Promise<Map<number, string>> {
  if (!subscriberIds.length) return new Map();
  const rows = await all<{ id: number; status: string }>(r, 'SELECT id, status FROM subscribers WHERE id = ANY(?::int[])', [[...subscriberIds]]);
  return new Map(rows.map((x) => [x.id, x.status]));
}

const HELD = `WHERE id = ? AND lease_owner = ? AND status = 'sending'`;

export async function markSkipped(r: Repo, id: number, owner: string, reason: string, now: number): Promise<void> {
  await run(r, `UPDATE deliveries SET status = 'skipped', last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL ${HELD}`, [reason, now, id, owner]);
}

export async function markUncertain(r: Repo, id: number, owner: string, messageId: string, error: string, now: number): Promise<void> {
  await run(
    r,
    `UPDATE deliveries SET status = 'uncertain', attempts = attempts + 1, uncertain = uncertain + 1, message_id = ?, last_error = ?,
       updated_at = ?, lease_owner = NULL, lease_until = NULL ${HELD}`,
    [messageId, `uncertain: ${error}`.slice(0, 500), now, id, owner],
  );
}

export async function markSent(r: Repo, owner: string, marks: readonly SentMark[]): Promise<void> {
  if (!marks.length) return;
  // One statement for the whole tick: the marks travel as four arrays, unnested side by side.
  await run(
    r,
    `UPDATE deliveries d SET status = 'sent', attempts = d.attempts + 1, message_id = m.message_id, smtp_response = m.response,
       sent_at = m.at, updated_at = m.at, last_error = NULL, lease_owner = NULL, lease_until = NULL
     FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[]) AS m(id, message_id, response, at)
     WHERE d.id = m.id AND d.lease_owner = ? AND d.status = 'sending'`,
    [marks.map((m) => m.id), marks.map((m) => m.messageId), marks.map((m) => m.response.slice(0, 500)), marks.map((m) => m.at), owner],
  );
}

export async function markRetry(
  r: Repo,
  id: number,
  owner: string,
  o: { error: string; nextAttemptAt: number | null; countAttempt: boolean; uncertain: boolean; messageId?: string },
  now: number,
): Promise<void> {
  const status = o.nextAttemptAt === null ? 'failed' : 'queued';
  await run(
    r,
    `UPDATE deliveries SET status = ?, attempts = attempts + ?::int, uncertain = uncertain + ?::int, next_attempt_at = ?, last_error = ?,
       message_id = COALESCE(?::text, message_id), updated_at = ?, lease_owner = NULL, lease_until = NULL ${HELD}`,
    [status, o.countAttempt ? 1 : 0, o.uncertain ? 1 : 0, o.nextAttemptAt ?? 0, o.error.slice(0, 500), o.messageId ?? null, now, id, owner],
  );
}

export async function markFailed(r: Repo, id: number, owner: string, error: string, now: number): Promise<void> {
  await run(r, `UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL ${HELD}`, [
    error.slice(0, 500),
    now,
    id,
    owner,
  ]);
}

/** The subscriber's bounce inside a transaction: state, consent event, their other queued rows skipped; the address, or null. */
async function bounceSubscriberTx(q: PgExec, subscriberId: number, error: string, now: number): Promise<string | null> {
  const email = await value<string | null>(
    q,
    `UPDATE subscribers SET status = 'bounced', bounced_at = ?, updated_at = ? WHERE id = ? AND status IN ('confirmed', 'pending') RETURNING email`,
    [now, now, subscriberId],
  );
  if (email === undefined) return null;
  await run(q, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, 'bounce', ?, ?)`, [subscriberId, now, error.slice(0, 300)]);
  await run(q, `UPDATE deliveries SET status = 'skipped', last_error = 'subscriber bounced', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`, [now, subscriberId]);
  return email ?? null;
}

export async function markBounced(r: Repo, id: number, owner: string, subscriberId: number, error: string, now: number): Promise<void> {
  const bouncedEmail = await r.tx(async (q) => {
    await run(
      q,
      `UPDATE deliveries SET status = 'bounced', attempts = attempts + 1, last_error = ?, smtp_response = ?, updated_at = ?,
         lease_owner = NULL, lease_until = NULL ${HELD}`,
      [error.slice(0, 500), error.slice(0, 500), now, id, owner],
    );
    return bounceSubscriberTx(q, subscriberId, error, now);
  });
  if (bouncedEmail) appendSuppression(r.suppressionLog, bouncedEmail, 'bounce', now);
}

export async function releaseClaims(r: Repo, ids: number[], owner: string, now: number, nextAttemptAt = 0): Promise<void> {
  if (!ids.length) return;
  await run(
    r,
    `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, next_attempt_at = GREATEST(next_attempt_at, ?), updated_at = ?
     WHERE id = ANY(?::bigint[]) AND lease_owner = ? AND status = 'sending'`,
    [nextAttemptAt, now, ids, owner],
  );
}

export async function releaseOrphanClaims(r: Repo, owner: string, keep: number[], now: number): Promise<number> {
  return run(
    r,
    `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?
     WHERE lease_owner = ? AND status = 'sending' AND NOT (id = ANY(?::bigint[]))`,
    [now, owner, keep],
  );
}

export async function renewLeases(r: Repo, owner: string, leaseUntil: number): Promise<number> {
  return run(
    r,
    `UPDATE deliveries SET lease_until = ? WHERE status = 'sending' AND lease_owner = ? AND issue_id IN (SELECT id FROM issues WHERE status = 'sending')`,
    [leaseUntil, owner],
  );
}

/** How a row left mid-send comes back: queued again counted as uncertain, or final `uncertain` after one already was. */
const RECOVER_SET = `status = CASE WHEN uncertain >= 1 THEN 'uncertain' ELSE 'queued' END, uncertain = uncertain + 1,
  lease_owner = NULL, lease_until = NULL, updated_at = ?`;

export async function recoverExpiredLeases(r: Repo, now: number): Promise<number> {
  return run(
    r,
    `UPDATE deliveries SET ${RECOVER_SET}, last_error = 'lease expired: the sending process stopped mid-send'
     WHERE status = 'sending' AND (lease_until IS NULL OR lease_until < ?) AND issue_id IN (SELECT id FROM issues WHERE status = 'sending')`,
    [now, now],
  );
}

export async function claimOwners(r: Repo): Promise<string[]> {
  return (
    await all<{ leaseOwner: string }>(
      r,
      `SELECT DISTINCT d.lease_owner FROM issues i JOIN deliveries d ON d.issue_id = i.id AND d.status = 'sending' WHERE i.status = 'sending' AND d.lease_owner IS NOT NULL`,
    )
  ).map((x) => x.leaseOwner);
}

export async function recoverOwners(r: Repo, owners: string[], now: number): Promise<number> {
  if (!owners.length) return 0;
  return run(r, `UPDATE deliveries SET ${RECOVER_SET}, last_error = 'the sending process died mid-send' WHERE status = 'sending' AND lease_owner = ANY(?::text[])`, [
    now,
    owners,
  ]);
}

export async function finishCompletedIssues(r: Repo, now: number): Promise<number[]> {
  return r.tx(
    async (q) => {
      const ids = (
        await all<{ id: number }>(
          q,
          `SELECT i.id FROM issues i WHERE i.status = 'sending' AND NOT EXISTS
             (SELECT 1 FROM deliveries d WHERE d.issue_id = i.id AND d.status IN ('queued', 'sending'))`,
        )
      ).map((x) => x.id);
      const done: number[] = [];
      for (const id of ids) {
        const o = (await one<{ sent: number; refused: number }>(
          q,
          `SELECT COUNT(*) FILTER (WHERE status = 'sent') AS sent, COUNT(*) FILTER (WHERE status IN ('failed', 'bounced', 'uncertain')) AS refused
             FROM deliveries WHERE issue_id = ?`,
          [id],
        ))!;
        // Not one copy accepted: that is a broken relay or a blocked sender, not a sent issue to publish.
        if (!o.sent && o.refused) {
          const reason = `refused: the relay accepted none of the ${o.refused} copies; fix the cause, then resend the failed deliveries`;
          await run(q, `UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ? AND paused_reason IS DISTINCT FROM ?`, [reason, now, id, reason]);
          continue;
        }
        await run(q, `UPDATE issues SET status = 'sent', sent_at = COALESCE(sent_at, ?), paused_reason = NULL, updated_at = ? WHERE id = ? AND status = 'sending'`, [
          now,
          now,
          id,
        ]);
        done.push(id);
      }
      return done;
    },
    { lock: 'newsdesk:finish-issues' },
  );
}

export async function nextDueAt(r: Repo, issueIds: number[]): Promise<number | null> {
  if (!issueIds.length) return null;
  return (await value<number | null>(r, `SELECT MIN(next_attempt_at) FROM deliveries WHERE issue_id = ANY(?::int[]) AND status = 'queued'`, [issueIds])) ?? null;
}

export async function setPausedReason(r: Repo, issueId: number, reason: string | null, now: number, onlyIfPrefix?: string): Promise<void> {
  if (onlyIfPrefix)
    await run(r, `UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ? AND (paused_reason IS NULL OR paused_reason LIKE ?)`, [
      reason,
      now,
      issueId,
      `${onlyIfPrefix}%`,
    ]);
  else await run(r, `UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ?`, [reason, now, issueId]);
}

export async function clearTransientPauses(r: Repo, now: number): Promise<void> {
  await run(r, `UPDATE issues SET paused_reason = NULL, updated_at = ? WHERE status = 'sending' AND (paused_reason LIKE 'relay:%' OR paused_reason LIKE 'auth:%')`, [now]);
}

export async function deliveryCounts(r: Repo, issueId: number): Promise<DeliveryCounts> {
  const out: DeliveryCounts = { queued: 0, sending: 0, sent: 0, failed: 0, bounced: 0, skipped: 0, unconfirmed: 0, uncertain: 0 };
  const rows = await all<{ status: string; n: number; u: number | null }>(r, `SELECT status, COUNT(*) AS n, SUM(uncertain) AS u FROM deliveries WHERE issue_id = ? GROUP BY status`, [
    issueId,
  ]);
  for (const row of rows) {
    const key = (row.status === 'uncertain' ? 'unconfirmed' : row.status) as Exclude<keyof DeliveryCounts, 'uncertain'>;
    out[key] = row.n;
    out.uncertain += row.u ?? 0;
  }
  return out;
}

export async function recentSends(r: Repo, issueId: number, since: number): Promise<RecentSends> {
  return (await one<RecentSends>(r, `SELECT COUNT(*) AS n, MIN(sent_at) AS first FROM deliveries WHERE issue_id = ? AND status = 'sent' AND sent_at > ?`, [issueId, since]))!;
}

export async function issueState(r: Repo, issueId: number): Promise<{ status: string; pausedReason: string | null } | undefined> {
  return one(r, 'SELECT status, paused_reason FROM issues WHERE id = ?', [issueId]);
}

/** The shared send budget: one row whose next free slot every sender moves forward, in one statement. */
export async function reserveSendSlots(r: Repo, n: number, gapMs: number, now: number): Promise<number> {
  const span = n * gapMs;
  return (await value<number>(
    r,
    `INSERT INTO send_slots (name, next_at) VALUES ('send', ?::bigint + ?::bigint)
     ON CONFLICT (name) DO UPDATE SET next_at = GREATEST(send_slots.next_at, ?::bigint) + ?::bigint
     RETURNING next_at - ?::bigint`,
    [now, Math.round(span), now, Math.round(span), Math.round(span)],
  ))!;
}

export async function hasPendingDeliveries(r: Repo, issueId: number): Promise<boolean> {
  return (await value(r, `SELECT 1 FROM deliveries WHERE issue_id = ? AND status IN ('queued', 'sending') LIMIT 1`, [issueId])) !== undefined;
}

const priorResend = (q: PgExec, key: string) => one<PriorResend>(q, 'SELECT issue_id, kind, email, queued FROM resend_requests WHERE idempotency_key = ?', [key]);

export async function findResendByKey(r: Repo, key: string): Promise<PriorResend | null> {
  return (await priorResend(r, key)) ?? null;
}

export async function queueResend(
  r: Repo,
  issueId: number,
  req: { kind: 'email'; email: string } | { kind: 'failed' } | { kind: 'missing' },
  requestedBy: string,
  now: number,
  idempotencyKey?: string,
): Promise<ResendOutcome> {
  // One resend at a time across processes: the same key sent twice at once is recorded once.
  return r.tx(
    async (q) => {
      const prior = idempotencyKey ? await priorResend(q, idempotencyKey) : undefined;
      if (prior) return { queued: prior.queued, prior };
      let out: ResendOutcome;
      if (req.kind === 'email') {
        const s = await one<{ id: number; status: string }>(q, 'SELECT id, status FROM subscribers WHERE email = ?', [req.email]);
        if (!s) out = { queued: 0, reason: 'not_found' };
        else if (s.status !== 'confirmed') out = { queued: 0, reason: 'not_confirmed' };
        else {
          const d = await one<{ id: number; status: string }>(q, 'SELECT id, status FROM deliveries WHERE issue_id = ? AND subscriber_id = ? FOR UPDATE', [issueId, s.id]);
          if (!d) {
            await run(q, `INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, next_attempt_at) VALUES (?, ?, 'queued', ?, ?, 0)`, [issueId, s.id, now, now]);
            out = { queued: 1 };
          } else if (d.status === 'queued' || d.status === 'sending') {
            out = { queued: 0, reason: 'pending' };
          } else {
            await run(
              q,
              `UPDATE deliveries SET status = 'queued', resends = resends + CASE WHEN status = 'sent' THEN 1 ELSE 0 END, attempts = 0,
                 next_attempt_at = 0, last_error = NULL, updated_at = ? WHERE id = ?`,
              [now, d.id],
            );
            out = { queued: 1 };
          }
        }
      } else if (req.kind === 'failed') {
        out = {
          queued: await run(
            q,
            `UPDATE deliveries SET status = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = ?
             WHERE issue_id = ? AND status = 'failed' AND subscriber_id IN (SELECT id FROM subscribers WHERE status = 'confirmed')`,
            [now, issueId],
          ),
        };
      } else {
        out = {
          queued: await run(
            q,
            `INSERT INTO deliveries (issue_id, subscriber_id, status, queued_at, updated_at, next_attempt_at)
             SELECT ?, id, 'queued', ?, ?, 0 FROM subscribers
              WHERE status = 'confirmed' AND (paused_until IS NULL OR paused_until <= ?) AND frequency = (SELECT edition FROM issues WHERE id = ?)
             ON CONFLICT (issue_id, subscriber_id) DO NOTHING`,
            [issueId, now, now, now, issueId],
          ),
        };
      }
      if (out.reason === 'not_found' || out.reason === 'not_confirmed') return out;
      await run(q, `INSERT INTO resend_requests (issue_id, kind, email, requested_by, requested_at, queued, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
        issueId,
        req.kind,
        req.kind === 'email' ? req.email : null,
        requestedBy,
        now,
        out.queued,
        idempotencyKey ?? null,
      ]);
      if (out.queued > 0) await run(q, `UPDATE issues SET status = 'sending', updated_at = ? WHERE id = ? AND status = 'sent'`, [now, issueId]);
      return out;
    },
    { lock: 'newsdesk:resend' },
  );
}

export async function listResendRequests(r: Repo, issueId: number): Promise<ResendRequestRow[]> {
  return all<ResendRequestRow>(r, `SELECT id, kind, email, requested_by, requested_at, queued FROM resend_requests WHERE issue_id = ? ORDER BY id`, [issueId]);
}

export async function recordTestSend(
  r: Repo,
  t: { issueId: number; email: string; at: number; status: 'sent' | 'failed'; messageId?: string; smtpResponse?: string; error?: string },
): Promise<number> {
  return (await value<number>(r, `INSERT INTO test_sends (issue_id, email, at, status, message_id, smtp_response, error) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, [
    t.issueId,
    t.email,
    t.at,
    t.status,
    t.messageId ?? null,
    t.smtpResponse ?? null,
    t.error ?? null,
  ]))!;
}

export async function subscriberIdByEmail(r: Repo, email: string): Promise<number | undefined> {
  return value<number>(r, 'SELECT id FROM subscribers WHERE email = ?', [email]);
}

export async function listDeliveries(r: Repo, issueId: number, afterId = 0, limit = 500): Promise<DeliveryRow[]> {
  return all<DeliveryRow>(
    r,
    `SELECT id, subscriber_id, status, attempts, uncertain, resends, next_attempt_at, message_id, smtp_response, last_error, sent_at
     FROM deliveries WHERE issue_id = ? AND id > ? ORDER BY id LIMIT ?`,
    [issueId, afterId, limit],
  );
}

const REPORTED = `SELECT d.id AS delivery_id, d.issue_id, d.subscriber_id, s.email, d.status
  FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id`;

const reported = (row: ReportedDelivery | undefined): ReportedDelivery | null =>
  row ? { ...row, deliveryId: Number(row.deliveryId), issueId: Number(row.issueId), subscriberId: Number(row.subscriberId) } : null;

export async function findReportedDelivery(r: Repo, q: { deliveryId: number } | { issueId: number; subscriberId: number }): Promise<ReportedDelivery | null> {
  return reported(
    'deliveryId' in q
      ? await one<ReportedDelivery>(r, `${REPORTED} WHERE d.id = ?`, [q.deliveryId])
      : await one<ReportedDelivery>(r, `${REPORTED} WHERE d.issue_id = ? AND d.subscriber_id = ?`, [q.issueId, q.subscriberId]),
  );
}

export async function latestDeliveryTo(r: Repo, email: string): Promise<ReportedDelivery | null> {
  return reported(await one<ReportedDelivery>(r, `${REPORTED} WHERE s.email = ? AND d.status IN ('sent', 'uncertain', 'bounced') ORDER BY d.issue_id DESC, d.id DESC LIMIT 1`, [email.toLowerCase()]));
}

export async function applyReport(r: Repo, x: ReportInput): Promise<ReportOutcome> {
  const d = x.delivery;
  const subscriberId = d?.subscriberId ?? x.subscriberId ?? null;
  const result = await r.tx(async (q) => {
    const reportId = await value<number>(
      q,
      `INSERT INTO delivery_reports (received_at, channel, kind, delivery_id, subscriber_id, issue_id, recipient, status, detail, action, dedupe_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [x.at, x.channel, x.kind, d?.deliveryId ?? null, subscriberId, d?.issueId ?? null, x.recipient, x.status, x.detail?.slice(0, 500) ?? null, x.dedupeKey],
    );
    if (reportId === undefined) return { applied: false, action: 'nothing: this report was applied before', suppress: null as null | { email: string; event: 'bounce' | 'unsubscribe' } };
    const sub =
      subscriberId === null
        ? undefined
        : await one<{ id: number; email: string | null; status: string; streak: number; lastIssue: number | null }>(
            q,
            'SELECT id, email, status, soft_bounce_streak AS streak, soft_bounce_issue_id AS last_issue FROM subscribers WHERE id = ? FOR UPDATE',
            [subscriberId],
          );
    let action = 'nothing';
    let suppress: null | { email: string; event: 'bounce' | 'unsubscribe' } = null;
    let pausedIssue: number | undefined;
    const active = sub && (sub.status === 'confirmed' || sub.status === 'pending');
    const bounce = async (why: string) => {
      await run(q, `UPDATE subscribers SET status = 'bounced', bounced_at = ?, updated_at = ? WHERE id = ?`, [x.at, x.at, sub!.id]);
      await run(q, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, 'bounce', ?, ?)`, [sub!.id, x.at, why.slice(0, 300)]);
      await run(q, `UPDATE deliveries SET status = 'skipped', last_error = 'subscriber bounced', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`, [x.at, sub!.id]);
      if (sub!.email) suppress = { email: sub!.email, event: 'bounce' };
    };
    const leave = async (type: 'complaint' | 'unsubscribe', why: string) => {
      await run(q, `UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ?`, [x.at, x.at, sub!.id]);
      await run(q, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, ?, ?, ?)`, [sub!.id, type, x.at, why.slice(0, 300)]);
      await run(q, `UPDATE deliveries SET status = 'skipped', last_error = 'subscriber unsubscribed', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`, [x.at, sub!.id]);
      if (sub!.email) suppress = { email: sub!.email, event: 'unsubscribe' };
    };
    const detail = `${x.status ?? ''} ${x.detail ?? ''} (${x.channel})`.trim();
    if (x.kind === 'hard' && sub) {
      if (d) await run(q, `UPDATE deliveries SET status = 'bounced', last_error = ?, updated_at = ? WHERE id = ? AND status IN ('sent', 'uncertain')`, [detail.slice(0, 500), x.at, d.deliveryId]);
      if (active) {
        await bounce(`hard bounce after delivery: ${detail}`);
        action = 'bounced';
      } else action = `nothing: the subscriber is ${sub.status}`;
    } else if (x.kind === 'soft' && sub && d) {
      const last = sub.lastIssue === null ? null : Number(sub.lastIssue);
      if (!active) action = `nothing: the subscriber is ${sub.status}`;
      else {
        const accepted =
          last !== null &&
          last !== d.issueId &&
          (await value<number>(q, `SELECT 1 FROM deliveries WHERE subscriber_id = ? AND issue_id > ? AND issue_id < ? AND status = 'sent' LIMIT 1`, [sub.id, last, d.issueId])) !== undefined;
        const step = softBounceStep({ streak: Number(sub.streak), lastIssue: last }, d.issueId, accepted, x.softBounceLimit);
        action = step.action;
        if (step.counted) {
          await run(q, 'UPDATE subscribers SET soft_bounce_streak = ?, soft_bounce_issue_id = ?, updated_at = ? WHERE id = ?', [step.streak, d.issueId, x.at, sub.id]);
          await run(q, `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, 'soft_bounce', ?, ?)`, [sub.id, x.at, `issue ${d.issueId}: ${detail}`.slice(0, 300)]);
          if (step.bounce) await bounce(`${step.streak} issues in a row soft-bounced (SOFT_BOUNCE_LIMIT=${x.softBounceLimit}): ${detail}`);
        }
      }
    } else if (x.kind === 'complaint' && sub) {
      if (active) {
        await leave('complaint', `spam complaint: ${detail}`);
        action = 'unsubscribed: complaint';
      } else action = `nothing: the subscriber is ${sub.status}`;
      if (d) {
        // The issue row is locked first, so two complaints at once count each other.
        const issue = await one<{ status: string; pausedReason: string | null }>(q, 'SELECT status, paused_reason FROM issues WHERE id = ? FOR UPDATE', [d.issueId]);
        const complaints = Number(await value<number>(q, `SELECT count(*) FROM delivery_reports WHERE issue_id = ? AND kind = 'complaint'`, [d.issueId]));
        const sent = Number(await value<number>(q, `SELECT count(*) FROM deliveries WHERE issue_id = ? AND status IN ('sent', 'bounced', 'uncertain')`, [d.issueId]));
        const reason = issue ? complaintPause({ complaints, sent, status: issue.status, pausedReason: issue.pausedReason }, x.complaintRate, x.complaintMinSent) : null;
        if (reason) {
          await run(q, 'UPDATE issues SET paused_reason = ?, updated_at = ? WHERE id = ?', [reason, x.at, d.issueId]);
          pausedIssue = d.issueId;
        }
      }
    } else if (x.kind === 'unsubscribe' && sub) {
      if (active) {
        await leave('unsubscribe', `by mail to the List-Unsubscribe address (${x.channel})`);
        action = 'unsubscribed: by mail';
      } else action = `nothing: the subscriber is ${sub.status}`;
    } else if (x.kind === 'unmatched') action = 'nothing: names no delivery';
    else if (x.kind === 'notice') action = 'nothing: a notice';
    await run(q, 'UPDATE delivery_reports SET action = ? WHERE id = ?', [action, reportId]);
    return { applied: true, action, suppress, ...(pausedIssue ? { pausedIssue } : {}) };
  });
  const { suppress, ...outcome } = result;
  if (suppress) appendSuppression(r.suppressionLog, suppress.email, suppress.event, x.at);
  return outcome;
}

export async function reportCounts(r: Repo, issueIds: number[]): Promise<Map<number, ReportCounts>> {
  if (!issueIds.length) return foldReportCounts(issueIds, []);
  const rows = await all<{ issueId: number; kind: string; n: string }>(
    r,
    `SELECT issue_id, kind, count(*) AS n FROM delivery_reports WHERE issue_id = ANY(?::int[]) AND kind IN ('hard', 'soft', 'complaint') GROUP BY issue_id, kind`,
    [issueIds],
  );
  return foldReportCounts(issueIds, rows);
}

export async function listReports(r: Repo, q: { subscriberId?: number; issueId?: number; limit?: number }): Promise<ReportRow[]> {
  const { sql: where, args } = reportWhere(q);
  const rows = await all<ReportRow>(
    r,
    `SELECT id, received_at, channel, kind, issue_id, subscriber_id, recipient, status, detail, action
     FROM delivery_reports ${where} ORDER BY received_at DESC, id DESC LIMIT ?`,
    [...args, q.limit ?? 100],
  );
  return rows.map((x) => ({ ...x, receivedAt: Number(x.receivedAt) }));
}
