import { and, asc, eq, gt, like, or, sql, type SQL } from 'drizzle-orm';
import type {
  ConfirmOutcome,
  ConsentEvent,
  ConsentMeta,
  ImportRow,
  ImportSkip,
  SignupOutcome,
  Subscriber,
  SubscriberPage,
  ReaderChoices,
} from '../../subscribers/store.js';
import { CONFIRMATION_THROTTLE_MS, CONSENT_EVENT_INSERT, consentEventValues } from '../../subscribers/store.js';
import { cachedStatement, immediate, immediateSync, type DbHandle } from './client.js';
import { consentEvents, deliveries, subscribers, type ConsentEventType, type SubscriberStatus } from './schema.js';
import { addressKey, appendSuppression, appendSuppressions, logImportedLeavers, suppressedImportReason, type Suppression } from '../../subscribers/suppressions.js';



type Repo = Pick<DbHandle, 'db' | 'sqlite' | 'suppressionLog'>;


/** A subscriber row in the store's shape, for the hot paths (signup, one-click unsubscribe) that skip the builder. */
const SUBSCRIBER = `id, email, name, status, created_at AS createdAt, updated_at AS updatedAt, confirmed_at AS confirmedAt,
  unsubscribed_at AS unsubscribedAt, bounced_at AS bouncedAt, last_confirmation_sent_at AS lastConfirmationSentAt,
  consent_source AS consentSource, erased_at AS erasedAt, paused_until AS pausedUntil, text_only AS textOnly, frequency,
  excluded_companies AS excludedCompanies`;

/** A raw row as a Subscriber: SQLite keeps booleans as 0 and 1. */
const asSubscriber = (row: Subscriber | undefined): Subscriber | undefined => (row ? { ...row, textOnly: Boolean(row.textOnly) } : undefined);

const st = (r: Repo, sql: string) => cachedStatement(r.sqlite, sql);

function addEvent(r: Repo, subscriberId: number, type: ConsentEventType, at: number, meta: ConsentMeta = {}) {
  st(r, CONSENT_EVENT_INSERT).run(...consentEventValues(subscriberId, type, at, meta));
}

const byId = (r: Repo, id: number) => asSubscriber(st(r, `SELECT ${SUBSCRIBER} FROM subscribers WHERE id = ?`).get(id) as Subscriber | undefined);

export async function findSubscriberById(r: Repo, id: number): Promise<Subscriber | undefined> {
  return byId(r, id);
}

export async function findSubscriberByEmail(r: Repo, email: string): Promise<Subscriber | undefined> {
  return r.db.select().from(subscribers).where(eq(subscribers.email, email)).get();
}


/**
 * Records a signup in one immediate transaction: a new or returning address becomes pending and is due a
 * confirmation mail unless one went out in the last 10 minutes; a confirmed address is left alone.
 */
export async function recordSignup(r: Repo, email: string, name: string | null, now: number, meta: ConsentMeta): Promise<SignupOutcome> {
  return immediate(r.sqlite, () => {
    const existing = r.db.select().from(subscribers).where(eq(subscribers.email, email)).get();
    if (!existing) {
      const row = r.db
        .insert(subscribers)
        .values({ email, name, status: 'pending', createdAt: now, updatedAt: now, lastConfirmationSentAt: now })
        .returning()
        .get();
      addEvent(r, row.id, 'signup', now, meta);
      return { action: 'send_confirmation' as const, subscriber: row };
    }
    if (existing.status === 'confirmed') return { action: 'already_confirmed' as const, subscriber: existing };
    if (existing.lastConfirmationSentAt && now - existing.lastConfirmationSentAt < CONFIRMATION_THROTTLE_MS)
      return { action: 'throttled' as const, subscriber: existing };
    const row = r.db
      .update(subscribers)
      .set({ status: 'pending', name: name ?? existing.name, updatedAt: now, lastConfirmationSentAt: now })
      .where(eq(subscribers.id, existing.id))
      .returning()
      .get();
    addEvent(r, row.id, 'signup', now, meta);
    return { action: 'send_confirmation' as const, subscriber: row };
  });
}

/** Marks that a confirmation mail went out (or, with `failed`, clears the throttle so a retry can send one). */
export async function noteConfirmationMail(r: Repo, id: number, now: number, failed: boolean): Promise<void> {
  if (failed) {
    r.db.update(subscribers).set({ lastConfirmationSentAt: null }).where(eq(subscribers.id, id)).run();
  } else {
    r.db.update(subscribers).set({ lastConfirmationSentAt: now }).where(eq(subscribers.id, id)).run();
    addEvent(r, id, 'confirmation_sent', now);
  }
}


/**
 * Confirms a pending subscriber. A token issued before the subscriber's last unsubscribe or bounce no longer
 * works, so an old link can never silently re-subscribe someone.
 */
export async function confirmSubscriber(r: Repo, id: number, tokenIssuedAt: number, now: number, meta: ConsentMeta): Promise<{ outcome: ConfirmOutcome; subscriber?: Subscriber }> {
  return immediate(r.sqlite, () => {
    const s = r.db.select().from(subscribers).where(eq(subscribers.id, id)).get();
    if (!s || !s.email) return { outcome: 'invalid' as const };
    const lastOut = Math.max(s.unsubscribedAt ?? 0, s.bouncedAt ?? 0);
    if (tokenIssuedAt < lastOut) return { outcome: 'invalid' as const };
    if (s.status === 'confirmed') return { outcome: 'already_confirmed' as const, subscriber: s };
    if (s.status !== 'pending') return { outcome: 'invalid' as const };
    const row = r.db
      .update(subscribers)
      .set({ status: 'confirmed', confirmedAt: now, updatedAt: now, consentSource: 'double_opt_in' })
      .where(eq(subscribers.id, id))
      .returning()
      .get();
    addEvent(r, id, 'confirm', now, meta);
    return { outcome: 'confirmed' as const, subscriber: row };
  });
}

/** Unsubscribes, idempotently: returns whether the state changed. Queued deliveries of this subscriber are skipped. */
export function unsubscribeSubscriber(r: Repo, id: number, now: number, meta: ConsentMeta, type: ConsentEventType = 'unsubscribe'): Promise<{ changed: boolean; subscriber?: Subscriber }> {
  // Unsubscribes that arrive together (the one-click burst after a big send) share one transaction and one append to
  // the suppression log: each caller still hears back only once its own change is committed.
  return new Promise((resolve, reject) => {
    let batch = unsubscribeBatches.get(r.sqlite);
    if (!batch) {
      const fresh: UnsubscribeRequest[] = [];
      unsubscribeBatches.set(r.sqlite, (batch = fresh));
      setImmediate(() => void commitUnsubscribes(r, fresh));
    }
    batch.push({ id, now, meta, type, resolve, reject });
  });
}

interface UnsubscribeRequest {
  id: number;
  now: number;
  meta: ConsentMeta;
  type: ConsentEventType;
  resolve(out: { changed: boolean; subscriber?: Subscriber }): void;
  reject(err: unknown): void;
}
const unsubscribeBatches = new WeakMap<Repo['sqlite'], UnsubscribeRequest[]>();

async function commitUnsubscribes(r: Repo, batch: UnsubscribeRequest[]): Promise<void> {
  unsubscribeBatches.delete(r.sqlite);
  let outs: { changed: boolean; subscriber?: Subscriber }[];
  try {
    outs = await immediate(r.sqlite, () => batch.map((u) => unsubscribeTx(r, u.id, u.now, u.meta, u.type)));
  } catch (err) {
    for (const u of batch) u.reject(err);
    return;
  }
  try {
    appendSuppressions(
      r.suppressionLog,
      outs.flatMap((o, i) => (o.changed && o.subscriber?.email ? [{ email: o.subscriber.email, event: 'unsubscribe' as const, at: batch[i]!.now }] : [])),
    );
  } catch (err) {
    // Committed already (the unsubscribes stand); the callers hear that the restore safety net missed them.
    for (const u of batch) u.reject(err);
    return;
  }
  batch.forEach((u, i) => u.resolve(outs[i]!));
}

/** The unsubscribe itself; runs inside the caller's transaction. */
function unsubscribeTx(r: Repo, id: number, now: number, meta: ConsentMeta, type: ConsentEventType): { changed: boolean; subscriber?: Subscriber } {
  const s = byId(r, id);
  if (!s) return { changed: false };
  if (s.status === 'unsubscribed') return { changed: false, subscriber: s };
  const row = st(r, `UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ? RETURNING ${SUBSCRIBER}`).get(now, now, id) as Subscriber;
  row.textOnly = Boolean(row.textOnly);
  addEvent(r, id, type, now, meta);
  st(r, `UPDATE deliveries SET status = 'skipped', last_error = 'unsubscribed', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`).run(now, id);
  return { changed: true, subscriber: row };
}


/** Lists subscribers by id with an optional status filter and search; the cursor is the last id seen. */
export async function listSubscribers(r: Repo, q: { status?: SubscriberStatus; search?: string; cursor?: number; limit?: number }): Promise<SubscriberPage> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const where: SQL[] = [];
  if (q.status) where.push(eq(subscribers.status, q.status));
  if (q.cursor) where.push(gt(subscribers.id, q.cursor));
  if (q.search) {
    const pattern = `%${q.search.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
    where.push(or(sql`${subscribers.email} LIKE ${pattern} ESCAPE '\\'`, like(subscribers.name, pattern))!);
  }
  const rows = r.db
    .select()
    .from(subscribers)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(subscribers.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  return { subscribers: page, nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null };
}

/** Counts subscribers per state. */
export async function countSubscribersByStatus(r: Repo): Promise<Record<SubscriberStatus, number>> {
  const out: Record<SubscriberStatus, number> = { pending: 0, confirmed: 0, unsubscribed: 0, bounced: 0 };
  const rows = r.sqlite.prepare('SELECT status, count(*) AS n FROM subscribers WHERE email IS NOT NULL GROUP BY status').all() as { status: SubscriberStatus; n: number }[];
  for (const row of rows) out[row.status] = row.n;
  return out;
}

export async function listConsentEvents(r: Repo, subscriberId: number): Promise<ConsentEvent[]> {
  return r.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, subscriberId)).orderBy(asc(consentEvents.at), asc(consentEvents.id)).all();
}



/**
 * Inserts a batch of imported rows in one transaction. An address already in the database is skipped (never
 * changed, so never re-subscribed); so is one the suppression log says left (unsubscribed, bounced, erased) when
 * the row would make it pending or confirmed without a consent newer than that event.
 */
export async function importSubscriberBatch(
  r: Repo,
  rows: ImportRow[],
  suppressed: Map<string, Suppression>,
  now: number,
): Promise<{ created: { id: number; email: string; status: SubscriberStatus }[]; skipped: ImportSkip[] }> {
  const existing = r.sqlite.prepare('SELECT status FROM subscribers WHERE email = ?').pluck();
  const insert = r.sqlite.prepare(
    `INSERT INTO subscribers (email, name, status, created_at, updated_at, confirmed_at, unsubscribed_at, bounced_at, consent_source, last_confirmation_sent_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(email) DO NOTHING RETURNING id`,
  );
  const event = r.sqlite.prepare(`INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES (?, 'import', ?, ?)`);
  const created = await immediate(r.sqlite, () => {
    const out: { id: number; email: string; status: SubscriberStatus }[] = [];
    const skipped: ImportSkip[] = [];
    for (const row of rows) {
      const refused = suppressedImportReason(row, suppressed);
      if (refused) {
        skipped.push({ line: row.line, email: row.email, reason: refused });
        continue;
      }
      const res = insert.get(
        row.email,
        row.name,
        row.status,
        row.createdAt,
        now,
        row.confirmedAt,
        row.unsubscribedAt,
        row.bouncedAt,
        row.consentSource,
        row.status === 'pending' ? now : null,
      ) as { id: number } | undefined;
      if (!res) {
        // Already there (the unique address decides; the row is never changed): say in which state.
        const have = existing.get(row.email) as SubscriberStatus | undefined;
        skipped.push({ line: row.line, email: row.email, reason: have ? `already on the list as ${have}` : 'already on the list' });
        continue;
      }
      event.run(res.id, now, `imported as ${row.status} by the operator`);
      out.push({ id: res.id, email: row.email, status: row.status });
    }
    return { created: out, skipped };
  });
  logImportedLeavers(r.suppressionLog, rows, new Set(created.created.map((c) => c.email)), now);
  return created;
}

/** Streams every subscriber in id order, a page at a time (no cursor stays open across writes). */
export async function* iterateSubscribers(r: Repo, pageSize = 1000): AsyncGenerator<Subscriber> {
  let cursor = 0;
  for (;;) {
    const rows = r.db.select().from(subscribers).where(gt(subscribers.id, cursor)).orderBy(asc(subscribers.id)).limit(pageSize).all();
    if (!rows.length) return;
    for (const row of rows) yield row;
    cursor = rows[rows.length - 1]!.id;
  }
}

/** Removes a subscriber's address and name (GDPR erasure); delivery rows stay, anonymous, for the counts. */
export async function eraseSubscriber(r: Repo, id: number, now: number): Promise<boolean> {
  const erased = await immediate(r.sqlite, () => eraseTx(r, id, now));
  if (erased) appendSuppression(r.suppressionLog, erased, 'erase', now);
  return erased !== null;
}

/** Erases, inside the caller's transaction; the address it had, or null when there was nothing to erase. */
function eraseTx(r: Repo, id: number, now: number): string | null {
  const s = r.db.select().from(subscribers).where(eq(subscribers.id, id)).get();
  if (!s || s.erasedAt) return null;
  r.db
    .update(subscribers)
    .set({ email: null, name: null, status: 'unsubscribed', unsubscribedAt: s.unsubscribedAt ?? now, erasedAt: now, updatedAt: now })
    .where(eq(subscribers.id, id))
    .run();
  r.db.update(consentEvents).set({ ip: null, userAgent: null }).where(eq(consentEvents.subscriberId, id)).run();
  addEvent(r, id, 'erase', now);
  r.db
    .update(deliveries)
    .set({ status: 'skipped', lastError: 'erased', updatedAt: now })
    .where(and(eq(deliveries.subscriberId, id), eq(deliveries.status, 'queued')))
    .run();
  return s.email ?? '';
}

/**
 * Start-up: applies the suppression log to a database that may have been restored from an older backup. A
 * confirmed or pending subscriber whose address was unsubscribed, bounced or erased after they last gave consent
 * is brought to that state again (nobody who consented again later is touched). Returns how many changed.
 */
export async function replaySuppressions(r: Repo, log: Map<string, Suppression>, now: number): Promise<number> {
  if (!log.size) return 0;
  const rows = r.sqlite
    .prepare(`SELECT id, email, status, confirmed_at AS confirmedAt, last_confirmation_sent_at AS sentAt, created_at AS createdAt
              FROM subscribers WHERE status IN ('confirmed', 'pending') AND email IS NOT NULL`)
    .all() as { id: number; email: string; status: string; confirmedAt: number | null; sentAt: number | null; createdAt: number }[];
  let changed = 0;
  for (const s of rows) {
    const e = log.get(addressKey(s.email));
    const consentAt = (s.status === 'confirmed' ? s.confirmedAt : s.sentAt) ?? s.createdAt;
    if (!e || e.at <= consentAt) continue;
    const detail = `replayed from the suppression log (${e.event} at ${new Date(e.at).toISOString()})`;
    if (e.event === 'erase') immediateSync(r.sqlite, () => eraseTx(r, s.id, e.at));
    else if (e.event === 'unsubscribe') immediateSync(r.sqlite, () => unsubscribeTx(r, s.id, e.at, { detail }, 'unsubscribe'));
    else
      immediateSync(r.sqlite, () => {
        r.sqlite.prepare(`UPDATE subscribers SET status = 'bounced', bounced_at = ?, updated_at = ? WHERE id = ?`).run(e.at, now, s.id);
        addEvent(r, s.id, 'bounce', e.at, { detail });
        r.sqlite.prepare(`UPDATE deliveries SET status = 'skipped', last_error = 'subscriber bounced', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`).run(now, s.id);
      });
    changed++;
  }
  return changed;
}

export async function setPreferences(r: Repo, id: number, p: ReaderChoices, now: number, detail: string, meta: ConsentMeta): Promise<Subscriber | undefined> {
  const changed = await immediate(r.sqlite, () => {
    const n = r.sqlite
      .prepare(`UPDATE subscribers SET paused_until = ?, text_only = ?, frequency = ?, excluded_companies = ?, updated_at = ? WHERE id = ? AND status IN ('confirmed', 'pending')`)
      .run(p.pausedUntil, p.textOnly ? 1 : 0, p.frequency, JSON.stringify(p.excludedCompanies), now, id).changes;
    if (n) addEvent(r, id, 'preferences', now, { ...meta, detail });
    return n > 0;
  });
  return changed ? byId(r, id) : undefined;
}
