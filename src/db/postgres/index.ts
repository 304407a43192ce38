// The PostgreSQL backend: a pool opened and migrated here, every domain store bound to it.
import type { Store } from '../../store.js';
import { bindStore } from '../bind.js';
import { storeErrorKind } from '../errors.js';
import { openPg, type PgHandle } from './client.js';
import * as consoleViews from './console.js';
import * as deliveries from './deliveries.js';
import * as feedback from './feedback.js';
import * as feeds from './feeds.js';
import * as issues from './issues.js';
import * as jobs from './jobs.js';
import { migratePg } from './migrate.js';
import * as subscribers from './subscribers.js';

/** A PostgreSQL store; `handle` stays reachable for tests that inspect the database directly. */
export interface PgStore extends Store {
  backend: 'postgres';
  handle: PgHandle;
}

/** Binds every domain store to an open handle (a pool or PGlite) that is already migrated. */
export function pgStore(handle: PgHandle): PgStore {
  let fullSince: number | null = null;
  return {
    backend: 'postgres',
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
        await handle.query('SELECT 1');
      } catch (err) {
        return { ok: false, reason: `the database does not answer: ${(err as Error).message}` };
      }
      // The server gives no free-space reading: a disk-full error degrades health for a minute after it was seen.
      if (fullSince !== null && Date.now() - fullSince < 60_000) return { ok: false, reason: `disk full: writes failed at ${new Date(fullSince).toISOString()}` };
      return { ok: true };
    },
    errorKind: storeErrorKind,
    noteWriteError(err) {
      if (storeErrorKind(err) === 'full') fullSince = Date.now();
    },
    close: () => handle.close(),
  };
}

/** Connects (one clear line when it cannot), migrates under an advisory lock, and binds the stores. */
export async function openPgStore(
  url: string,
  o: { poolSize: number; waitMs?: number; suppressionLog: string | null; onIdleError?: (err: Error) => void },
): Promise<{ store: PgStore; applied: number; label: string }> {
  const handle = await openPg(url, o);
  try {
    const { applied } = await migratePg(handle);
    return { store: pgStore(handle), applied, label: handle.label };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
