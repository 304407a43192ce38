import type { ProblemDelivery, SubscriberDelivery, TrendPoint } from '../../http/console/store.js';
import type { DbHandle } from './client.js';

// Read-only queries only the console needs (trends, a subscriber's deliveries, articles waiting).

type Repo = Pick<DbHandle, 'sqlite'>;


/** Confirmed subscribers at each of `days` day ends up to now, and the joins and leaves in that span. */
export async function subscriberTrend(r: Repo, now: number, days = 30): Promise<{ points: TrendPoint[]; joined: number; left: number }> {
  const day = 24 * 3600 * 1000;
  const ends = Array.from({ length: days }, (_, i) => now - (days - 1 - i) * day);
  // One scan for all days: each column counts who was confirmed at that day's end.
  const cols = ends
    .map((_, i) => `SUM(CASE WHEN confirmed_at <= @t${i} AND (status = 'confirmed' OR (status = 'unsubscribed' AND unsubscribed_at > @t${i}) OR (status = 'bounced' AND bounced_at > @t${i})) THEN 1 ELSE 0 END) AS c${i}`)
    .join(', ');
  const params = Object.fromEntries(ends.map((t, i) => [`t${i}`, t]));
  const row = r.sqlite.prepare(`SELECT ${cols} FROM subscribers WHERE confirmed_at IS NOT NULL`).get(params) as Record<string, number | null>;
  const points: TrendPoint[] = ends.map((at, i) => ({ at, confirmed: row[`c${i}`] ?? 0 }));
  const since = now - days * day;
  const joined = (r.sqlite.prepare(`SELECT count(DISTINCT subscriber_id) AS n FROM consent_events WHERE at > ? AND (type = 'confirm' OR (type = 'import' AND detail LIKE '%confirmed%'))`).get(since) as { n: number }).n;
  const left = (r.sqlite.prepare(`SELECT count(DISTINCT subscriber_id) AS n FROM consent_events WHERE at > ? AND type IN ('unsubscribe', 'admin_unsubscribe', 'bounce')`).get(since) as { n: number }).n;
  return { points, joined, left };
}


/** A subscriber's deliveries, newest issue first. */
export async function subscriberDeliveries(r: Repo, subscriberId: number, limit = 200): Promise<SubscriberDelivery[]> {
  return r.sqlite
    .prepare(
      `SELECT d.id, d.issue_id AS issueId, i.date, COALESCE(i.subject_override, i.subject) AS subject, d.status, d.attempts,
              d.resends, d.uncertain, d.smtp_response AS smtpResponse, d.last_error AS lastError, d.queued_at AS queuedAt,
              d.sent_at AS sentAt, d.updated_at AS updatedAt
         FROM deliveries d JOIN issues i ON i.id = d.issue_id
        WHERE d.subscriber_id = ? ORDER BY i.date DESC LIMIT ?`,
    )
    .all(subscriberId, limit) as SubscriberDelivery[];
}

/** Test copies sent of an issue, newest first. */
export async function testSendsOf(r: Repo, issueId: number, limit = 10): Promise<{ email: string; at: number; status: string; error: string | null }[]> {
  return r.sqlite
    .prepare('SELECT email, at, status, error FROM test_sends WHERE issue_id = ? ORDER BY at DESC, id DESC LIMIT ?')
    .all(issueId, limit) as { email: string; at: number; status: string; error: string | null }[];
}

/** How many people a resend would reach right now: confirmed subscribers only, as the resend itself counts them. */
export async function resendReach(r: Repo, issueId: number, req: { kind: 'failed' } | { kind: 'missing' } | { kind: 'email'; email: string }): Promise<number> {
  if (req.kind === 'failed')
    return (r.sqlite
      .prepare(
        `SELECT count(*) AS n FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
          WHERE d.issue_id = ? AND d.status = 'failed' AND s.status = 'confirmed'`,
      )
      .get(issueId) as { n: number }).n;
  if (req.kind === 'missing')
    return (r.sqlite
      .prepare(
        `SELECT count(*) AS n FROM subscribers s WHERE s.status = 'confirmed'
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.issue_id = ? AND d.subscriber_id = s.id)`,
      )
      .get(issueId) as { n: number }).n;
  const row = r.sqlite.prepare(`SELECT status FROM subscribers WHERE email = ?`).get(req.email) as { status: string } | undefined;
  return row?.status === 'confirmed' ? 1 : 0;
}

/** A subscriber's state by address, to explain a resend that would reach nobody. */
export async function subscriberStateByEmail(r: Repo, email: string): Promise<{ id: number; status: string } | null> {
  return (r.sqlite.prepare('SELECT id, status FROM subscribers WHERE email = ?').get(email) as { id: number; status: string } | undefined) ?? null;
}


/** An issue's failed, bounced and uncertain deliveries with their SMTP answers, most recent first. */
export async function problemDeliveries(r: Repo, issueId: number, limit = 50): Promise<ProblemDelivery[]> {
  return r.sqlite
    .prepare(
      `SELECT d.subscriber_id AS subscriberId, s.email, d.status, d.attempts, d.uncertain, d.smtp_response AS smtpResponse,
              d.last_error AS lastError, d.updated_at AS updatedAt
         FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
        WHERE d.issue_id = ? AND (d.status IN ('failed', 'bounced') OR d.uncertain > 0)
        ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`,
    )
    .all(issueId, limit) as ProblemDelivery[];
}

/** Records a signed-out session until its own expiry, and forgets revocations that have expired. */
export async function revokeSession(r: Repo, sessionId: string, expiresAt: number, now: number): Promise<void> {
  r.sqlite.prepare('INSERT INTO console_revocations (session_id, expires_at) VALUES (?, ?) ON CONFLICT (session_id) DO NOTHING').run(sessionId, expiresAt);
  r.sqlite.prepare('DELETE FROM console_revocations WHERE expires_at <= ?').run(now);
}

/** Whether a session was signed out. */
export async function isSessionRevoked(r: Repo, sessionId: string): Promise<boolean> {
  return r.sqlite.prepare('SELECT 1 FROM console_revocations WHERE session_id = ?').get(sessionId) !== undefined;
}
