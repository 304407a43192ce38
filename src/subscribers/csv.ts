import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import type { parse as parseType } from 'csv-parse/sync';
import type { AppContext } from '../context.js';
import { cleanName, normalizeEmail } from './address.js';
import { sendConfirmation } from './lifecycle.js';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../domain-types.js';
import { csvRows, csvUncell } from '../lib/csv.js';
import { findSubscriberById, importSubscriberBatch, iterateSubscribers, type ImportRow, type ImportSkip } from './repo.js';
import { readSuppressions } from './suppressions.js';

// The parser is loaded by the first import, not by every process that serves the site.
const load = createRequire(import.meta.url);
let parser: typeof parseType | undefined;
const parseLine = (): typeof parseType => (parser ??= (load('csv-parse/sync') as { parse: typeof parseType }).parse);

export interface ImportResult {
  imported: number;
  /** Rows left alone: the address is on the list already, or it left (database or suppression log). */
  skipped: number;
  /** Why each skipped row was skipped (the first 100). */
  skippedRows: ImportSkip[];
  /** Rows refused because they could not be read (bad address, bad quoting, unknown status), each with its line. */
  errors: { line: number; error: string }[];
  /** How many rows were refused (errors lists the first 100). */
  refused: number;
}

const BATCH = 2000;
const MAX_LISTED = 100;
/** Confirmation mails for pending imports go out this many at a time. */
const MAIL_CONCURRENCY = 4;

/** The columns an import reads, by header name (the export writes all of them). */
type Column = 'email' | 'name' | 'status' | 'created_at' | 'confirmed_at' | 'unsubscribed_at' | 'bounced_at' | 'consent_source';
const COLUMNS: readonly Column[] = ['email', 'name', 'status', 'created_at', 'confirmed_at', 'unsubscribed_at', 'bounced_at', 'consent_source'];

function headerIndex(record: string[]): Map<Column, number> | null {
  const names = record.map((h) => h.trim().toLowerCase().replace(/^e-mail$/, 'email'));
  if (!/^e-?mail/.test(names[0] ?? '') && !names.includes('email')) return null;
  const out = new Map<Column, number>();
  names.forEach((n, i) => {
    if ((COLUMNS as readonly string[]).includes(n) && !out.has(n as Column)) out.set(n as Column, i);
  });
  if (!out.has('email')) out.set('email', 0);
  return out;
}

const time = (text: string | undefined): number | null | 'bad' => {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : 'bad';
};

/**
 * Imports subscriber CSV (`email,name`, or the export's own columns), streaming in batches of 2,000 rows per
 * transaction. A `status` column is honoured with its times: `confirmed` stays confirmed with its consent time,
 * `unsubscribed` and `bounced` are kept as such (and logged as suppressed), `pending` stays pending. Rows without
 * a status become pending with a confirmation mail, or confirmed with `confirmed`. Nobody already on the list is
 * changed, and nobody the database or the suppression log knows to have left is made pending or confirmed.
 */
export async function importSubscribersCsv(
  ctx: AppContext,
  input: Readable | string | Buffer,
  opts: { confirmed: boolean; onProgress?: (rows: number) => void },
): Promise<ImportResult> {
  const stream = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  const result: ImportResult = { imported: 0, skipped: 0, skippedRows: [], errors: [], refused: 0 };
  let line = 0;
  const addError = (at: number, error: string) => {
    result.refused++;
    if (result.errors.length < MAX_LISTED) result.errors.push({ line: at, error });
  };
  const suppressed = readSuppressions(ctx.store.suppressionLog);
  const toConfirm: number[] = [];
  let batch: ImportRow[] = [];
  let columns: Map<Column, number> | null = null;
  const flush = async () => {
    if (!batch.length) return;
    const { created, skipped } = await importSubscriberBatch(ctx, batch, suppressed, ctx.clock.now());
    result.imported += created.length;
    result.skipped += skipped.length;
    for (const s of skipped) if (result.skippedRows.length < MAX_LISTED) result.skippedRows.push(s);
    if (!opts.confirmed) toConfirm.push(...created.filter((c) => c.status === 'pending').map((c) => c.id));
    batch = [];
    opts.onProgress?.(line);
  };
  const now = ctx.clock.now();
  try {
    // One record per line: a row with broken quoting is reported with its line and the rest still imports
    // (the export never writes a line break inside a cell).
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      if (!text.trim()) continue;
      if (text.length > 4096) {
        addError(line, 'the row is longer than 4,096 characters');
        continue;
      }
      const row = line === 1 ? text.replace(/^\uFEFF/, '') : text;
      let record: string[];
      try {
        // Most lines have no quotes at all: a plain split is what the parser would return, at a fraction of the cost.
        record = row.includes('"')
          ? ((parseLine()(row, { trim: true, relax_column_count: true, relax_quotes: true }) as string[][])[0] ?? [])
          : row.split(',').map((c) => c.trim());
      } catch (err) {
        addError(line, `the row could not be read: ${(err as Error).message.replace(/ at line \d+/, '').slice(0, 120)}`);
        continue;
      }
      const cells = record.map((c) => csvUncell(c));
      if (!columns) {
        const header = headerIndex(cells);
        columns = header ?? new Map<Column, number>([['email', 0], ['name', 1]]);
        if (header) continue;
      }
      const col = (c: Column) => {
        const i = columns!.get(c);
        return i === undefined ? undefined : cells[i];
      };
      const emailField = col('email');
      const addr = normalizeEmail(emailField);
      if (!addr.ok) {
        addError(line, `${addr.error} (${String(emailField ?? '').slice(0, 80)})`);
        continue;
      }
      const statusText = (col('status') ?? '').toLowerCase();
      if (statusText && !(SUBSCRIBER_STATUSES as readonly string[]).includes(statusText)) {
        addError(line, `unknown status "${statusText.slice(0, 30)}" (use ${SUBSCRIBER_STATUSES.join(', ')})`);
        continue;
      }
      const times = { createdAt: time(col('created_at')), confirmedAt: time(col('confirmed_at')), unsubscribedAt: time(col('unsubscribed_at')), bouncedAt: time(col('bounced_at')) };
      const badTime = Object.entries(times).find(([, v]) => v === 'bad');
      if (badTime) {
        addError(line, `${badTime[0].replace(/At$/, '_at').replace('createdAt', 'created_at')} is not a date`);
        continue;
      }
      const t = times as Record<keyof typeof times, number | null>;
      const status: SubscriberStatus = (statusText as SubscriberStatus) || (opts.confirmed ? 'confirmed' : 'pending');
      batch.push({
        line,
        email: addr.email,
        name: cleanName(col('name')),
        status,
        createdAt: t.createdAt ?? now,
        confirmedAt: status === 'confirmed' ? (t.confirmedAt ?? now) : t.confirmedAt,
        unsubscribedAt: status === 'unsubscribed' ? (t.unsubscribedAt ?? now) : t.unsubscribedAt,
        bouncedAt: status === 'bounced' ? (t.bouncedAt ?? now) : t.bouncedAt,
        consentSource: status === 'confirmed' ? (col('consent_source') || 'import') : (col('consent_source') || null),
        statedConsentAt: t.confirmedAt,
      });
      if (batch.length >= BATCH) await flush();
    }
  } catch (err) {
    addError(line + 1, `CSV could not be read past this line: ${(err as Error).message.slice(0, 200)}`);
  }
  await flush();
  for (let i = 0; i < toConfirm.length; i += MAIL_CONCURRENCY) {
    await Promise.all(
      toConfirm.slice(i, i + MAIL_CONCURRENCY).map(async (id) => {
        const s = await findSubscriberById(ctx, id);
        if (s?.email) await sendConfirmation(ctx, s);
      }),
    );
  }
  ctx.log.info({ imported: result.imported, skipped: result.skipped, refused: result.refused, confirmed: opts.confirmed }, 'subscribers imported');
  return result;
}

/** One line for people: what an import did (the CLI prints it, the console shows it). */
export function describeImport(r: ImportResult): string {
  const parts = [`imported ${r.imported}`, `skipped ${r.skipped}`];
  if (r.skipped) {
    const reasons = new Map<string, number>();
    for (const s of r.skippedRows) {
      const key = s.reason.replace(/ on \d{4}-\d{2}-\d{2}/, '');
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    const listed = [...reasons].map(([k, n]) => `${n} ${k}`).join(', ');
    parts[1] += `: ${listed}${r.skippedRows.length < r.skipped ? ', …' : ''}`;
  }
  parts.push(`refused ${r.refused}${r.refused ? ' unreadable row' + (r.refused === 1 ? '' : 's') : ''}`);
  return parts.join('; ');
}

const iso = (t: number | null) => (t ? new Date(t).toISOString() : '');
export const EXPORT_COLUMNS = ['email', 'name', 'status', 'created_at', 'confirmed_at', 'unsubscribed_at', 'bounced_at', 'consent_source'];

/** Every subscriber (erased ones left out) as CSV text chunks, streamed a page at a time. */
export async function* exportSubscribersCsv(ctx: AppContext): AsyncGenerator<string> {
  yield csvRows([EXPORT_COLUMNS]);
  let rows: unknown[][] = [];
  for await (const s of iterateSubscribers(ctx)) {
    if (!s.email) continue;
    rows.push([s.email, s.name ?? '', s.status, iso(s.createdAt), iso(s.confirmedAt), iso(s.unsubscribedAt), iso(s.bouncedAt), s.consentSource ?? '']);
    if (rows.length >= 1000) {
      yield csvRows(rows);
      rows = [];
    }
  }
  if (rows.length) yield csvRows(rows);
}
