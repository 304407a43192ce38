// The console's read-only views and its signed-out sessions, on PostgreSQL.
import type { ProblemDelivery, SubscriberDelivery, TrendPoint } from '../../http/console/store.js';
import type { PgHandle } from './client.js';
import { all, one, run, value } from './rows.js';

type Repo = PgHandle;

export async function subscriberTrend(r: Repo, now: number, days = 30): Promise<{ points: TrendPoint[]; joined: number; left: number }> {
  const day = 24 * 3600 * 1000;
  const ends = Array.from({ length: days }, (_, i) => now - (days - 1 - i) * day);
  // One scan for all days: each column counts who was confirmed at that day's end.
  const cols = ends
    .map((_, i) => `count(*) FILTER (WHERE confirmed_at <= ?::bigint AND (status = 'confirmed' OR (status = 'unsubscribed' AND unsubscribed_at > ?::bigint) OR (status = 'bounced' AND bounced_at > ?::bigint))) AS c${i}`)
    .join(', ');
  const row = (await r.query<Record<string, number>>(`SELECT ${cols} FROM subscribers WHERE confirmed_at IS NOT NULL`, ends.flatMap((t) => [t, t, t]))).rows[0] ?? {};
  const points: TrendPoint[] = ends.map((at, i) => ({ at, confirmed: row[`c${i}`] ?? 0 }));
  const since = now - days * day;
  const joined = (await value<number>(r, `SELECT count(DISTINCT subscriber_id) FROM consent_events WHERE at > ? AND (type = 'confirm' OR (type = 'import' AND detail LIKE '%confirmed%'))`, [since])) ?? 0;
  const left = (await value<number>(r, `SELECT count(DISTINCT subscriber_id) FROM consent_events WHERE at > ? AND type IN ('unsubscribe', 'admin_unsubscribe', 'bounce')`, [since])) ?? 0;
  return { points, joined, left };
}

export async function subscriberDeliveries(r: Repo, subscriberId: number, limit = 200): Promise<SubscriberDelivery[]> {
  return all<SubscriberDelivery>(
    r,
    `SELECT d.id, d.issue_id, i.date, COALESCE(i.subject_override, i.subject) AS subject, d.status, d.attempts, d.resends, d.uncertain,
            d.smtp_response, d.last_error, d.queued_at, d.sent_at, d.updated_at
       FROM deliveries d JOIN issues i ON i.id = d.issue_id
      WHERE d.subscriber_id = ? ORDER BY i.date DESC LIMIT ?`,
    [subscriberId, limit],
  );
}

export async function testSendsOf(r: Repo, issueId: number, limit = 10): Promise<{ email: string; at: number; status: string; error: string | null }[]> {
  return all(r, 'SELECT email, at, status, error FROM test_sends WHERE issue_id = ? ORDER BY at DESC, id DESC LIMIT ?', [issueId, limit]);
}

export async function resendReach(r: Repo, issueId: number, req: { kind: 'failed' } | { kind: 'missing' } | { kind: 'email'; email: string }): Promise<number> {
  if (req.kind === 'failed')
    return (
      (await value<number>(
        r,
        `SELECT count(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.issue_id = ? AND d.status = 'failed' AND s.status = 'confirmed'`,
        [issueId],
      )) ?? 0
    );
  if (req.kind === 'missing')
    return (
      (await value<number>(
        r,
        `SELECT count(*) FROM subscribers s WHERE s.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.issue_id = ? AND d.subscriber_id = s.id)`,
        [issueId],
      )) ?? 0
    );
  return (await value<string>(r, 'SELECT status FROM subscribers WHERE email = ?', [req.email])) === 'confirmed' ? 1 : 0;
}

export async function subscriberStateByEmail(r: Repo, email: string): Promise<{ id: number; status: string } | null> {
  return (await one<{ id: number; status: string }>(r, 'SELECT id, status FROM subscribers WHERE email = ?', [email])) ?? null;
}

export async function problemDeliveries(r: Repo, issueId: number, limit = 50): Promise<ProblemDelivery[]> {
  return all<ProblemDelivery>(
    r,
    `SELECT d.subscriber_id, s.email, d.status, d.attempts, d.uncertain, d.smtp_response, d.last_error, d.updated_at
       FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
      WHERE d.issue_id = ? AND (d.status IN ('failed', 'bounced') OR d.uncertain > 0)
      ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`,
    [issueId, limit],
  );
}

export async function revokeSession(r: Repo, sessionId: string, expiresAt: number, now: number): Promise<void> {
  await run(r, 'INSERT INTO console_revocations (session_id, expires_at) VALUES (?, ?) ON CONFLICT (session_id) DO NOTHING', [sessionId, expiresAt]);
  await run(r, 'DELETE FROM console_revocations WHERE expires_at <= ?', [now]);
}

export async function isSessionRevoked(r: Repo, sessionId: string): Promise<boolean> {
  return (await value(r, 'SELECT 1 FROM console_revocations WHERE session_id = ?', [sessionId])) !== undefined;
}
