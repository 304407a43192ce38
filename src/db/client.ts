import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

/** An open database: the drizzle handle plus the raw connection for pragmas and hot paths. */
export interface DbHandle {
  db: Db;
  sqlite: Database.Database;
  path: string;
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
    sqlite.pragma('busy_timeout = 10000');
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
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/** Runs fn in a BEGIN IMMEDIATE transaction: writers that read first never fail with SQLITE_BUSY on upgrade. */
export function immediate<T>(sqlite: Database.Database, fn: () => T): T {
  return sqlite.transaction(fn).immediate();
}
