// What a database error means to the callers above the store, whatever the backend: the store is busy (another
// process holds it, or every pooled connection is taken), full (no room to write), read-only, or unavailable (the
// server cannot be reached); anything else is not a storage condition.

/** The storage condition behind an error, or null. */
export type StoreErrorKind = 'busy' | 'full' | 'readonly' | 'unavailable';

/** The driver's error code, also when drizzle wraps the error (DrizzleQueryError keeps it in cause). */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : '';
  return code;
}

const PG_UNAVAILABLE = /^(08|57P0[123]|53300)/; // connection exceptions, admin/crash shutdown, too many connections
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Classifies a database error: SQLite's extended codes, PostgreSQL's SQLSTATEs and node-postgres' own errors. */
export function storeErrorKind(err: unknown): StoreErrorKind | null {
  const code = codeOf(err);
  if (/^SQLITE_BUSY|^SQLITE_LOCKED/.test(code)) return 'busy';
  if (/^SQLITE_FULL/.test(code)) return 'full';
  if (/^SQLITE_READONLY/.test(code)) return 'readonly';
  if (code === '40001' || code === '40P01' || code === '55P03' || code === '57014') return 'busy';
  if (code === '53100') return 'full';
  if (code === '25006') return 'readonly';
  if (PG_UNAVAILABLE.test(code) || NET_CODES.has(code)) return 'unavailable';
  const msg = (err as Error | null)?.message ?? '';
  // node-postgres without a code: the pool had no free connection in time, or the server went away.
  if (/timeout exceeded when trying to connect/i.test(msg)) return 'busy';
  if (/Connection terminated|Client has encountered a connection error|connection is closed/i.test(msg)) return 'unavailable';
  return null;
}
