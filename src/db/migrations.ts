import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A backend's committed migrations folder (migrations/sqlite, migrations/postgres), found by walking up from here. */
export function migrationsFolder(dialect: 'sqlite' | 'postgres'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'migrations', dialect);
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error(`migrations/${dialect} not found next to the installed code`);
}

/** Raised when the database was migrated by newer code than this. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}
