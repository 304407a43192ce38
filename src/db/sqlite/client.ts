import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { suppressionLogPath } from '../../subscribers/suppressions.js';
import { storeErrorKind } from '../errors.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

/** An open database: the drizzle handle plus the raw connection for pragmas and hot paths. */
export interface DbHandle {
  db: Db;
  sqlite: Database.Database;
  path: string;
  /** The suppression log beside the file (none for an in-memory database). */
  suppressionLog: string | null;
  close(): void;
}

/** Raised when the database file cannot be opened or used; the message names the path and the reason. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/** Opens (creating when absent) the SQLite file with WAL, foreign keys and a busy timeout. */
export function openDb(path: string): DbHandle {
  let sqlite: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    sqlite = new Database(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Short on purpose: a busy wait blocks the event loop. Writers retry with backoff off the loop (immediate()),
    // so another process holding the file costs one request a quick 503, never every request the process serves.
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Reading the schema surfaces a corrupt or non-database file here rather than later.
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    const check = sqlite.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseOpenError(`cannot open database ${path}: ${reason}`);
  }
  const db = drizzle(sqlite, { schema });
  return {
    db,
    sqlite,
    path,
    suppressionLog: suppressionLogPath(path),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/** How long SQLite itself waits for a lock, blocking the event loop; keep it short. */
export const BUSY_TIMEOUT_MS = 20;
/** How long immediate() keeps retrying a locked database, asleep between tries, before giving up with SQLITE_BUSY. */
export const BUSY_RETRY_MS = 2000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isBusy = (err: unknown) => storeErrorKind(err) === 'busy';

/** What the last write on a connection said about the disk: a full disk makes /healthz report degraded. */
const lastWrite = new WeakMap<Database.Database, { fullAt: number | null }>();

/** Notes a write's outcome: SQLITE_FULL marks the disk full until a write succeeds again. */
export function noteWrite(sqlite: Database.Database, err?: unknown): void {
  const full = storeErrorKind(err) === 'full';
  if (err && !full) return;
  lastWrite.set(sqlite, { fullAt: full ? Date.now() : null });
}

/** Since when writes fail because the disk is full (null while they succeed). */
export function diskFullSince(sqlite: Database.Database): number | null {
  return lastWrite.get(sqlite)?.fullAt ?? null;
}

/**
 * Runs fn in a BEGIN IMMEDIATE transaction (writers that read first never fail with SQLITE_BUSY on upgrade). A
 * database locked by another process is retried with growing sleeps for up to BUSY_RETRY_MS, off the event loop.
 */
export async function immediate<T>(sqlite: Database.Database, fn: () => T, retryMs = BUSY_RETRY_MS): Promise<T> {
  const tx = sqlite.transaction(fn);
  const end = Date.now() + retryMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 250)) {
    try {
      const out = tx.immediate();
      noteWrite(sqlite);
      return out;
    } catch (err) {
      if (!isBusy(err) || Date.now() + wait > end) {
        noteWrite(sqlite, err);
        throw err;
      }
    }
    await sleep(wait);
  }
}

/** The same as immediate(), blocking: only for start-up work that runs before anything is served. */
export function immediateSync<T>(sqlite: Database.Database, fn: () => T): T {
  const tx = sqlite.transaction(fn);
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      return tx.immediate();
    } catch (err) {
      if (!isBusy(err) || Date.now() > end) throw err;
    }
  }
}

const stmtCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
/** A prepared statement cached per connection: hot paths prepare nothing per request or message. */
export function cachedStatement(sqlite: Database.Database, sql: string): Database.Statement {
  let m = stmtCache.get(sqlite);
  if (!m) stmtCache.set(sqlite, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = sqlite.prepare(sql)));
  return s;
}

