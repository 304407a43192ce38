// The SQLite backend: one file, opened and migrated here, every domain store bound to it.
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '../../store.js';
import { storeErrorKind } from '../errors.js';
import { bindStore } from '../bind.js';
import { diskFullSince, noteWrite, openDb, type DbHandle } from './client.js';
import * as consoleViews from './console.js';
import * as deliveries from './deliveries.js';
import * as feedback from './feedback.js';
import * as feeds from './feeds.js';
import * as issues from './issues.js';
import * as jobs from './jobs.js';
import { migrate } from './migrate.js';
import * as subscribers from './subscribers.js';

/** Below this many free bytes beside the database, /healthz reports degraded before writes start failing. */
export const MIN_FREE_BYTES = 1024 * 1024;

function freeBytes(path: string): number | null {
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** A SQLite store; `handle` stays reachable for tests and benchmarks that inspect the file directly. */
export interface SqliteStore extends Store {
  backend: 'sqlite';
  handle: DbHandle;
}

/** Opens (creating when absent) and migrates the SQLite file; `applied` says how many migrations ran. */
export function openSqliteStore(path: string): { store: SqliteStore; applied: number } {
  const handle = openDb(path);
  let applied: number;
  try {
    applied = migrate(handle).applied;
  } catch (err) {
    handle.close();
    throw err;
  }
  const store: SqliteStore = {
    backend: 'sqlite',
    handle,
    deliveries: bindStore(handle, deliveries),
    subscribers: bindStore(handle, subscribers),
    issues: bindStore(handle, issues),
    feeds: bindStore(handle, feeds),
    jobs: bindStore(handle, jobs),
    console: bindStore(handle, consoleViews),
    feedback: bindStore(handle, feedback),
    suppressionLog: handle.suppressionLog,
    async health() {
      try {
        handle.sqlite.prepare('SELECT 1').get();
      } catch {
        return { ok: false, reason: 'the database does not answer' };
      }
      const fullSince = diskFullSince(handle.sqlite);
      if (fullSince !== null) return { ok: false, reason: `disk full: writes fail since ${new Date(fullSince).toISOString()}` };
      const free = path === ':memory:' ? null : freeBytes(handle.path);
      if (free !== null && free < MIN_FREE_BYTES) return { ok: false, reason: `disk almost full: ${free} bytes free beside the database` };
      return { ok: true };
    },
    errorKind: storeErrorKind,
    noteWriteError: (err) => noteWrite(handle.sqlite, err),
    close: async () => handle.close(),
  };
  return { store, applied };
}
