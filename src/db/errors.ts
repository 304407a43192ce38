// What a database error means to the callers above the store, whatever the backend: the store is busy (another
// process holds it), full (no room to write) or read-only; anything else is not a storage condition.

/** The storage condition behind an error, or null. */
export type StoreErrorKind = 'busy' | 'full' | 'readonly';

/** The driver's error code, also when drizzle wraps the error (DrizzleQueryError keeps it in cause). */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : '';
  return code;
}

/** Classifies a database error (SQLite's extended codes such as SQLITE_BUSY_SNAPSHOT included). */
export function storeErrorKind(err: unknown): StoreErrorKind | null {
  const code = codeOf(err);
  if (/^SQLITE_BUSY|^SQLITE_LOCKED/.test(code)) return 'busy';
  if (/^SQLITE_FULL/.test(code)) return 'full';
  if (/^SQLITE_READONLY/.test(code)) return 'readonly';
  return null;
}
