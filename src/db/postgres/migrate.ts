// Applies migrations/postgres (drizzle-kit output) at start, in the same bookkeeping table drizzle's own migrator
// uses. An advisory lock makes processes that start together take turns: the first migrates, the others find it done.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsFolder, SchemaTooNewError } from '../migrations.js';
import type { PgHandle } from './client.js';

interface Journal {
  entries: { idx: number; when: number; tag: string; breakpoints: boolean }[];
}

/** Applies every pending migration, each in its own transaction; refuses a database newer than the code. */
export async function migratePg(db: PgHandle): Promise<{ applied: number }> {
  const folder = migrationsFolder('postgres');
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  return db.tx(
    async (q) => {
      await q.query('CREATE SCHEMA IF NOT EXISTS drizzle');
      await q.query('CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)');
      const done = (await q.query<{ n: number; last: number | null }>('SELECT count(*) AS n, max(created_at) AS last FROM drizzle.__drizzle_migrations')).rows[0]!;
      if (done.n > journal.entries.length)
        throw new SchemaTooNewError(`database ${db.label} has ${done.n} migrations applied but this code knows ${journal.entries.length}: upgrade newsdesk`);
      let applied = 0;
      for (const e of journal.entries) {
        if (done.last !== null && e.when <= done.last) continue;
        const text = readFileSync(join(folder, `${e.tag}.sql`), 'utf8');
        for (const stmt of text.split('--> statement-breakpoint')) if (stmt.trim()) await q.query(stmt);
        await q.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [createHash('sha256').update(text).digest('hex'), e.when]);
        applied++;
      }
      return { applied };
    },
    { lock: 'newsdesk:migrate' },
  );
}
