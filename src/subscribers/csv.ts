import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../context.js';
import { cleanName, normalizeEmail } from './address.js';
import { sendConfirmation } from './lifecycle.js';
import { findSubscriberById, importSubscriberBatch, iterateSubscribers, type ImportRow } from './repo.js';

export interface ImportResult {
  imported: number;
  skipped: number;
  errors: { line: number; error: string }[];
}

const BATCH = 2000;
const MAX_ERRORS = 100;
/** Confirmation mails for pending imports go out this many at a time. */
const MAIL_CONCURRENCY = 4;

/**
 * Imports `email,name` CSV (header row optional), streaming in batches of 2,000 rows per transaction.
 * Existing addresses are skipped, never changed. Pending imports (the default) get a confirmation mail;
 * `confirmed` imports are recorded with the import as their consent source.
 */
export async function importSubscribersCsv(
  ctx: AppContext,
  input: Readable | string | Buffer,
  opts: { confirmed: boolean; onProgress?: (rows: number) => void },
): Promise<ImportResult> {
  const stream = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  const parser = stream.pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, max_record_size: 4096 }),
  );
  const result: ImportResult = { imported: 0, skipped: 0, errors: [] };
  const toConfirm: number[] = [];
  let batch: ImportRow[] = [];
  let line = 0;
  const flush = async () => {
    if (!batch.length) return;
    const { created, skipped } = await importSubscriberBatch(ctx, batch, opts.confirmed, ctx.clock.now());
    result.imported += created.length;
    result.skipped += skipped;
    if (!opts.confirmed) toConfirm.push(...created.map((c) => c.id));
    batch = [];
    opts.onProgress?.(line);
  };
  const addError = (error: string) => {
    result.skipped++;
    if (result.errors.length < MAX_ERRORS) result.errors.push({ line, error });
  };
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      const [emailField, nameField] = record;
      if (line === 1 && /^e-?mail/i.test(emailField ?? '')) continue; // header row
      const addr = normalizeEmail(emailField);
      if (!addr.ok) {
        addError(`${addr.error} (${String(emailField ?? '').slice(0, 80)})`);
        continue;
      }
      batch.push({ email: addr.email, name: cleanName(nameField) });
      if (batch.length >= BATCH) await flush();
    }
  } catch (err) {
    result.errors.push({ line: line + 1, error: `CSV could not be read: ${(err as Error).message.slice(0, 200)}` });
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
  ctx.log.info({ imported: result.imported, skipped: result.skipped, errors: result.errors.length, confirmed: opts.confirmed }, 'subscribers imported');
  return result;
}

const iso = (t: number | null) => (t ? new Date(t).toISOString() : '');
export const EXPORT_COLUMNS = ['email', 'name', 'status', 'created_at', 'confirmed_at', 'unsubscribed_at', 'bounced_at', 'consent_source'];

/** Every subscriber (erased ones left out) as CSV text chunks, streamed a page at a time. */
export async function* exportSubscribersCsv(ctx: AppContext): AsyncGenerator<string> {
  yield stringify([EXPORT_COLUMNS]);
  let rows: unknown[][] = [];
  for await (const s of iterateSubscribers(ctx)) {
    if (!s.email) continue;
    rows.push([s.email, s.name ?? '', s.status, iso(s.createdAt), iso(s.confirmedAt), iso(s.unsubscribedAt), iso(s.bouncedAt), s.consentSource ?? '']);
    if (rows.length >= 1000) {
      yield stringify(rows);
      rows = [];
    }
  }
  if (rows.length) yield stringify(rows);
}
