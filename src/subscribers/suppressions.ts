// The suppression log: every unsubscribe, bounce and erasure is also appended to a file outside the database, and
// the file is replayed at start. A database restored from a backup taken before those events would otherwise mail
// the people again; with the log it cannot. Addresses are stored as hashes, so an erased address stays unreadable.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** What ended someone's subscription. */
export type SuppressionEvent = 'unsubscribe' | 'bounce' | 'erase';

/** The latest suppression of one address. */
export interface Suppression {
  at: number;
  event: SuppressionEvent;
}

/** The log of a database file: the same path with `.suppressions` added; none for an in-memory database. */
export function suppressionLogPath(dbPath: string): string | null {
  return !dbPath || dbPath === ':memory:' ? null : `${dbPath}.suppressions`;
}

/** The key an address is logged under (normalized addresses are lowercase already; lowercased again for safety). */
export function addressKey(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('base64url').slice(0, 32);
}

/** Appends one event; called after the database committed it. */
export function appendSuppression(path: string | null, email: string, event: SuppressionEvent, at: number): void {
  appendSuppressions(path, [{ email, event, at }]);
}

/** Several events in one write (the unsubscribes one transaction committed together). */
export function appendSuppressions(path: string | null, events: readonly { email: string; event: SuppressionEvent; at: number }[]): void {
  if (!path || !events.length) return;
  appendFileSync(path, events.map((e) => `${JSON.stringify({ at: e.at, event: e.event, k: addressKey(e.email) })}\n`).join(''), { mode: 0o600 });
}

const EVENTS = new Set<string>(['unsubscribe', 'bounce', 'erase']);

/** The latest event per address key; lines that do not parse (a write cut short by a crash) are skipped. */
export function readSuppressions(path: string | null): Map<string, Suppression> {
  const out = new Map<string, Suppression>();
  if (!path || !existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    let e: { at?: unknown; event?: unknown; k?: unknown };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      continue;
    }
    if (typeof e.k !== 'string' || typeof e.at !== 'number' || typeof e.event !== 'string' || !EVENTS.has(e.event)) continue;
    const prev = out.get(e.k);
    if (!prev || e.at >= prev.at) out.set(e.k, { at: e.at, event: e.event as SuppressionEvent });
  }
  return out;
}

/**
 * Why an imported row must be left alone because the log says the address left (unsubscribed, bounced, erased), or
 * null: only a pending or confirmed row is refused, unless its own stated consent is newer than that event.
 */
export function suppressedImportReason(
  row: { email: string; status: string; statedConsentAt: number | null },
  suppressed: Map<string, Suppression>,
): string | null {
  const gone = suppressed.get(addressKey(row.email));
  const consentAt = row.status === 'confirmed' ? (row.statedConsentAt ?? 0) : 0;
  if (!gone || (row.status !== 'pending' && row.status !== 'confirmed') || consentAt > gone.at) return null;
  const what = gone.event === 'erase' ? 'erased' : gone.event === 'bounce' ? 'bounced' : 'unsubscribed';
  return `${what} on ${new Date(gone.at).toISOString().slice(0, 10)} (suppression log)`;
}

/** Appends the leavers an import created, so restoring an older backup later cannot bring them back either. */
export function logImportedLeavers(path: string | null, rows: { email: string; status: string; unsubscribedAt: number | null; bouncedAt: number | null }[], created: Set<string>, now: number): void {
  for (const row of rows) {
    if (!created.has(row.email)) continue;
    if (row.status === 'unsubscribed') appendSuppression(path, row.email, 'unsubscribe', row.unsubscribedAt ?? now);
    if (row.status === 'bounced') appendSuppression(path, row.email, 'bounce', row.bouncedAt ?? now);
  }
}
