// The one place that picks a backend: DATABASE_URL file:… opens SQLite, postgres://… opens PostgreSQL.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Store } from '../store.js';

/** Opens and migrates the configured database; `applied` says how many migrations ran, `where` names it for logs. */
export async function openStore(config: Config, o: { onIdleError?: (err: Error) => void } = {}): Promise<{ store: Store; applied: number; where: string }> {
  if (config.databaseKind === 'postgres') {
    const { openPgStore } = await import('./postgres/index.js');
    const { store, applied, label } = await openPgStore(config.databaseUrl, {
      poolSize: config.databasePoolSize,
      waitMs: config.databasePoolWaitMs,
      // Every instance keeps its own log in its data folder, outside the database and its backups (README).
      suppressionLog: join(config.dataDir, 'suppressions.log'),
      onIdleError: o.onIdleError,
    });
    return { store, applied, where: label };
  }
  const { openSqliteStore } = await import('./sqlite/index.js');
  const { store, applied } = openSqliteStore(config.databasePath);
  return { store, applied, where: config.databasePath };
}
