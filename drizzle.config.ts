import { defineConfig } from 'drizzle-kit';

// drizzle-kit generates SQL migrations from each backend's schema; the app applies them at start.
// SQLite: `npm run db:generate`; PostgreSQL: `npm run db:generate:postgres` (DRIZZLE_DIALECT=postgresql).
const postgres = process.env.DRIZZLE_DIALECT === 'postgresql';

export default defineConfig(
  postgres
    ? { dialect: 'postgresql', schema: './src/db/postgres/schema.ts', out: './migrations/postgres' }
    : { dialect: 'sqlite', schema: './src/db/sqlite/schema.ts', out: './migrations/sqlite' },
);
