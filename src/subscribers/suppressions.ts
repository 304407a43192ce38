// The suppression log: every unsubscribe, bounce and erasure is also appended to a file beside the database, and
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
export function appendSuppression(dbPath: string, email: string, event: SuppressionEvent, at: number): void {
  const path = suppressionLogPath(dbPath);
  if (!path) return;
  appendFileSync(path, `${JSON.stringify({ at, event, k: addressKey(email) })}\n`, { mode: 0o600 });
}

const EVENTS = new Set<string>(['unsubscribe', 'bounce', 'erase']);

/** The latest event per address key; lines that do not parse (a write cut short by a crash) are skipped. */
export function readSuppressions(dbPath: string): Map<string, Suppression> {
  const path = suppressionLogPath(dbPath);
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
