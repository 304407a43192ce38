import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate as drizzleMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import { migrationsFolder, SchemaTooNewError } from '../migrations.js';
import type { DbHandle } from './client.js';

export { migrationsFolder, SchemaTooNewError };

/** Applies every pending migration in one transaction each; refuses a database newer than the code. */
export function migrate(handle: DbHandle): { applied: number } {
  const folder = migrationsFolder('sqlite');
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number; tag: string }[];
  };
  const known = journal.entries.length;
  const before = appliedCount(handle);
  if (before > known) {
    throw new SchemaTooNewError(
      `database ${handle.path} has ${before} migrations applied but this code knows ${known}: upgrade newsdesk`,
    );
  }
  drizzleMigrate(handle.db, { migrationsFolder: folder });
  return { applied: appliedCount(handle) - before };
}

function appliedCount(handle: DbHandle): number {
  const exists = handle.sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!exists) return 0;
  return (handle.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
}
