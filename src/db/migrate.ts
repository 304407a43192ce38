import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as drizzleMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { DbHandle } from './client.js';

/** The committed migrations folder, found by walking up from this file (works from src/ and from dist/). */
export function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error('migrations folder not found next to the installed code');
}

/** Raised when the database was migrated by newer code than this. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

/** Applies every pending migration in one transaction each; refuses a database newer than the code. */
export function migrate(handle: DbHandle): { applied: number } {
  const folder = migrationsFolder();
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
