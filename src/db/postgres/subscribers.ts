// Subscribers on PostgreSQL. A change of one subscriber locks that row (FOR UPDATE) or, for a new address, takes an
// advisory lock on the address, so two processes handling the same person take turns as SQLite's writers do.
import type { ConsentEventType, SubscriberStatus } from '../../domain-types.js';
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
import { addressKey, appendSuppression, logImportedLeavers, suppressedImportReason, type Suppression } from '../../subscribers/suppressions.js';
import type { PgExec, PgHandle } from './client.js';
import { all, one, run } from './rows.js';

type Repo = PgHandle;

async function addEvent(q: PgExec, subscriberId: number, type: ConsentEventType, at: number, meta: ConsentMeta = {}): Promise<void> {
  await run(q, CONSENT_EVENT_INSERT, consentEventValues(subscriberId, type, at, meta));
}

export async function findSubscriberById(r: Repo, id: number): Promise<Subscriber | undefined> {
  return one<Subscriber>(r, 'SELECT * FROM subscribers WHERE id = ?', [id]);
}

export async function findSubscriberByEmail(r: Repo, email: string): Promise<Subscriber | undefined> {
  return one<Subscriber>(r, 'SELECT * FROM subscribers WHERE email = ?', [email]);
}

export async function recordSignup(r: Repo, email: string, name: string | null, now: number, meta: ConsentMeta): Promise<SignupOutcome> {
  return r.tx(
    async (q) => {
      const existing = await one<Subscriber>(q, 'SELECT * FROM subscribers WHERE email = ? FOR UPDATE', [email]);
      if (!existing) {
        const row = (await one<Subscriber>(
          q,
          `INSERT INTO subscribers (email, name, status, created_at, updated_at, last_confirmation_sent_at) VALUES (?, ?, 'pending', ?, ?, ?) RETURNING *`,
          [email, name, now, now, now],
        ))!;
        await addEvent(q, row.id, 'signup', now, meta);
        return { action: 'send_confirmation' as const, subscriber: row };
      }
      if (existing.status === 'confirmed') return { action: 'already_confirmed' as const, subscriber: existing };
      if (existing.lastConfirmationSentAt && now - existing.lastConfirmationSentAt < CONFIRMATION_THROTTLE_MS)
        return { action: 'throttled' as const, subscriber: existing };
      const row = (await one<Subscriber>(
        q,
        `UPDATE subscribers SET status = 'pending', name = ?, updated_at = ?, last_confirmation_sent_at = ? WHERE id = ? RETURNING *`,
        [name ?? existing.name, now, now, existing.id],
      ))!;
      await addEvent(q, row.id, 'signup', now, meta);
      return { action: 'send_confirmation' as const, subscriber: row };
    },
    { lock: `newsdesk:address:${email}` },
  );
}

export async function noteConfirmationMail(r: Repo, id: number, now: number, failed: boolean): Promise<void> {
  if (failed) {
    await run(r, 'UPDATE subscribers SET last_confirmation_sent_at = NULL WHERE id = ?', [id]);
    return;
  }
  await r.tx(async (q) => {
    await run(q, 'UPDATE subscribers SET last_confirmation_sent_at = ? WHERE id = ?', [now, id]);
    await addEvent(q, id, 'confirmation_sent', now);
  });
}

export async function confirmSubscriber(r: Repo, id: number, tokenIssuedAt: number, now: number, meta: ConsentMeta): Promise<{ outcome: ConfirmOutcome; subscriber?: Subscriber }> {
  return r.tx(async (q) => {
    const s = await one<Subscriber>(q, 'SELECT * FROM subscribers WHERE id = ? FOR UPDATE', [id]);
    if (!s || !s.email) return { outcome: 'invalid' as const };
    const lastOut = Math.max(s.unsubscribedAt ?? 0, s.bouncedAt ?? 0);
    if (tokenIssuedAt < lastOut) return { outcome: 'invalid' as const };
    if (s.status === 'confirmed') return { outcome: 'already_confirmed' as const, subscriber: s };
    if (s.status !== 'pending') return { outcome: 'invalid' as const };
    const row = await one<Subscriber>(
      q,
      `UPDATE subscribers SET status = 'confirmed', confirmed_at = ?, updated_at = ?, consent_source = 'double_opt_in' WHERE id = ? RETURNING *`,
      [now, now, id],
    );
    await addEvent(q, id, 'confirm', now, meta);
    return { outcome: 'confirmed' as const, subscriber: row };
  });
}

async function unsubscribeTx(q: PgExec, id: number, now: number, meta: ConsentMeta, type: ConsentEventType): Promise<{ changed: boolean; subscriber?: Subscriber }> {
  const s = await one<Subscriber>(q, 'SELECT * FROM subscribers WHERE id = ? FOR UPDATE', [id]);
  if (!s) return { changed: false };
  if (s.status === 'unsubscribed') return { changed: false, subscriber: s };
  const row = await one<Subscriber>(q, `UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ? RETURNING *`, [now, now, id]);
  await addEvent(q, id, type, now, meta);
  await run(q, `UPDATE deliveries SET status = 'skipped', last_error = 'unsubscribed', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`, [now, id]);
  return { changed: true, subscriber: row };
}

export async function unsubscribeSubscriber(
  r: Repo,
  id: number,
  now: number,
  meta: ConsentMeta,
  type: ConsentEventType = 'unsubscribe',
): Promise<{ changed: boolean; subscriber?: Subscriber }> {
  const out = await r.tx((q) => unsubscribeTx(q, id, now, meta, type));
  if (out.changed && out.subscriber?.email) appendSuppression(r.suppressionLog, out.subscriber.email, 'unsubscribe', now);
  return out;
}

export async function listSubscribers(r: Repo, q: { status?: SubscriberStatus; search?: string; cursor?: number; limit?: number }): Promise<SubscriberPage> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.status) {
    where.push('status = ?');
    params.push(q.status);
  }
  if (q.cursor) {
    where.push('id > ?');
    params.push(q.cursor);
  }
  if (q.search) {
    // ILIKE: the search ignores case, as SQLite's LIKE does for ASCII.
    const pattern = `%${q.search.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
    where.push(`(email ILIKE ? ESCAPE '\\' OR name ILIKE ? ESCAPE '\\')`);
    params.push(pattern, pattern);
  }
  const rows = await all<Subscriber>(r, `SELECT * FROM subscribers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`, [...params, limit + 1]);
  const page = rows.slice(0, limit);
  return { subscribers: page, nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null };
}

export async function countSubscribersByStatus(r: Repo): Promise<Record<SubscriberStatus, number>> {
  const out: Record<SubscriberStatus, number> = { pending: 0, confirmed: 0, unsubscribed: 0, bounced: 0 };
  for (const row of await all<{ status: SubscriberStatus; n: number }>(r, 'SELECT status, count(*) AS n FROM subscribers WHERE email IS NOT NULL GROUP BY status'))
    out[row.status] = row.n;
  return out;
}

export async function listConsentEvents(r: Repo, subscriberId: number): Promise<ConsentEvent[]> {
  return all<ConsentEvent>(r, 'SELECT * FROM consent_events WHERE subscriber_id = ? ORDER BY at, id', [subscriberId]);
}

export async function importSubscriberBatch(
  r: Repo,
  rows: ImportRow[],
  suppressed: Map<string, Suppression>,
  now: number,
): Promise<{ created: { id: number; email: string; status: SubscriberStatus }[]; skipped: ImportSkip[] }> {
  const created = await r.tx(async (q) => {
    const skipped: ImportSkip[] = [];
    const candidates: ImportRow[] = [];
    for (const row of rows) {
      const refused = suppressedImportReason(row, suppressed);
      if (refused) skipped.push({ line: row.line, email: row.email, reason: refused });
      else candidates.push(row);
    }
    // One multi-row INSERT per 1,000 rows (ten parameters each, well under PostgreSQL's limit): an address already
    // there, or twice in the file, is left alone by the unique index and reported below.
    const ids = new Map<string, number>();
    for (let i = 0; i < candidates.length; i += 1000) {
      const chunk = candidates.slice(i, i + 1000);
      const inserted = await all<{ id: number; email: string }>(
        q,
        `INSERT INTO subscribers (email, name, status, created_at, updated_at, confirmed_at, unsubscribed_at, bounced_at, consent_source, last_confirmation_sent_at)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (email) DO NOTHING RETURNING id, email`,
        chunk.flatMap((row) => [row.email, row.name, row.status, row.createdAt, now, row.confirmedAt, row.unsubscribedAt, row.bouncedAt, row.consentSource, row.status === 'pending' ? now : null]),
      );
      for (const x of inserted) ids.set(x.email, x.id);
    }
    const out: { id: number; email: string; status: SubscriberStatus }[] = [];
    const others: ImportRow[] = [];
    for (const row of candidates) {
      const id = ids.get(row.email);
      if (id === undefined) others.push(row);
      else {
        out.push({ id, email: row.email, status: row.status });
        ids.delete(row.email); // a second row with the same address is the one left alone
      }
    }
    if (others.length) {
      // Already there (the unique address decides; the row is never changed): say in which state.
      const have = new Map(
        (await all<{ email: string; status: string }>(q, 'SELECT email, status FROM subscribers WHERE email = ANY(?::text[])', [others.map((o) => o.email)])).map((x) => [x.email, x.status]),
      );
      for (const row of others) {
        const st = have.get(row.email);
        skipped.push({ line: row.line, email: row.email, reason: st ? `already on the list as ${st}` : 'already on the list' });
      }
      skipped.sort((a, b) => a.line - b.line);
    }
    for (let i = 0; i < out.length; i += 1000) {
      const chunk = out.slice(i, i + 1000);
      await run(
        q,
        `INSERT INTO consent_events (subscriber_id, type, at, detail) VALUES ${chunk.map(() => "(?, 'import', ?, ?)").join(', ')}`,
        chunk.flatMap((c) => [c.id, now, `imported as ${c.status} by the operator`]),
      );
    }
    return { created: out, skipped };
  });
  logImportedLeavers(r.suppressionLog, rows, new Set(created.created.map((c) => c.email)), now);
  return created;
}

export async function* iterateSubscribers(r: Repo, pageSize = 1000): AsyncGenerator<Subscriber> {
  let cursor = 0;
  for (;;) {
    const rows = await all<Subscriber>(r, 'SELECT * FROM subscribers WHERE id > ? ORDER BY id LIMIT ?', [cursor, pageSize]);
    if (!rows.length) return;
    for (const row of rows) yield row;
    cursor = rows[rows.length - 1]!.id;
  }
}

async function eraseTx(q: PgExec, id: number, now: number): Promise<string | null> {
  const s = await one<Subscriber>(q, 'SELECT * FROM subscribers WHERE id = ? FOR UPDATE', [id]);
  if (!s || s.erasedAt) return null;
  await run(
    q,
    `UPDATE subscribers SET email = NULL, name = NULL, status = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, ?), erased_at = ?, updated_at = ? WHERE id = ?`,
    [now, now, now, id],
  );
  await run(q, 'UPDATE consent_events SET ip = NULL, user_agent = NULL WHERE subscriber_id = ?', [id]);
  await addEvent(q, id, 'erase', now);
  await run(q, `UPDATE deliveries SET status = 'skipped', last_error = 'erased', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`, [now, id]);
  return s.email ?? '';
}

export async function eraseSubscriber(r: Repo, id: number, now: number): Promise<boolean> {
  const erased = await r.tx((q) => eraseTx(q, id, now));
  if (erased) appendSuppression(r.suppressionLog, erased, 'erase', now);
  return erased !== null;
}

export async function replaySuppressions(r: Repo, log: Map<string, Suppression>, now: number): Promise<number> {
  if (!log.size) return 0;
  const rows = await all<{ id: number; email: string; status: string; confirmedAt: number | null; lastConfirmationSentAt: number | null; createdAt: number }>(
    r,
    `SELECT id, email, status, confirmed_at, last_confirmation_sent_at, created_at FROM subscribers WHERE status IN ('confirmed', 'pending') AND email IS NOT NULL`,
  );
  let changed = 0;
  for (const s of rows) {
    const e = log.get(addressKey(s.email));
    const consentAt = (s.status === 'confirmed' ? s.confirmedAt : s.lastConfirmationSentAt) ?? s.createdAt;
    if (!e || e.at <= consentAt) continue;
    const detail = `replayed from the suppression log (${e.event} at ${new Date(e.at).toISOString()})`;
    if (e.event === 'erase') await r.tx((q) => eraseTx(q, s.id, e.at));
    else if (e.event === 'unsubscribe') await r.tx((q) => unsubscribeTx(q, s.id, e.at, { detail }, 'unsubscribe'));
    else
      await r.tx(async (q) => {
        await run(q, `UPDATE subscribers SET status = 'bounced', bounced_at = ?, updated_at = ? WHERE id = ?`, [e.at, now, s.id]);
        await addEvent(q, s.id, 'bounce', e.at, { detail });
        await run(q, `UPDATE deliveries SET status = 'skipped', last_error = 'subscriber bounced', updated_at = ? WHERE subscriber_id = ? AND status = 'queued'`, [now, s.id]);
      });
    changed++;
  }
  return changed;
}

export async function setPreferences(r: Repo, id: number, p: ReaderChoices, now: number, detail: string, meta: ConsentMeta): Promise<Subscriber | undefined> {
  const changed = await r.tx(async (q) => {
    const n = await run(
      q,
      `UPDATE subscribers SET paused_until = ?, text_only = ?, frequency = ?, excluded_companies = ?, updated_at = ? WHERE id = ? AND status IN ('confirmed', 'pending')`,
      [p.pausedUntil, p.textOnly, p.frequency, JSON.stringify(p.excludedCompanies), now, id],
    );
    if (n) await addEvent(q, id, 'preferences', now, { ...meta, detail });
    return n > 0;
  });
  return changed ? findSubscriberById(r, id) : undefined;
}
