// The backends the storage contract runs on: SQLite (a fresh file per test), PostgreSQL at TEST_DATABASE_URL (a fresh
// database per test file, emptied between tests), or, where no server is configured, PGlite (PostgreSQL in WASM).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPg, pgliteHandle, type PgHandle } from '../../src/db/postgres/client.js';
import { pgStore, type PgStore } from '../../src/db/postgres/index.js';
import { migratePg } from '../../src/db/postgres/migrate.js';
import { openSqliteStore } from '../../src/db/sqlite/index.js';
import type { Store } from '../../src/store.js';

/** A store to test, its suppression log, and a way to remove everything it made. */
export interface OpenedStore {
  store: Store;
  dir: string;
  close(): Promise<void>;
}

/** One backend: `setup` once per file, `open` a clean store per test, `teardown` at the end. */
export interface Backend {
  name: string;
  setup(): Promise<void>;
  open(): Promise<OpenedStore>;
  teardown(): Promise<void>;
}

/** A PostgreSQL server for tests, when one is configured (CI sets TEST_DATABASE_URL). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? '';

/** Creates a database with a random name next to TEST_DATABASE_URL's; returns its URL and a drop function. */
export async function createTestDatabase(prefix = 'nd_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const TABLES = 'deliveries, resend_requests, test_sends, issue_articles, issues, consent_events, subscribers, articles, sources, leases, job_runs, settings, console_revocations, send_slots, rate_limits, delivery_reports, llm_cache, llm_usage';

const tempDir = () => mkdtempSync(join(tmpdir(), 'nd-contract-'));

const sqlite: Backend = {
  name: 'sqlite',
  async setup() {},
  async open() {
    const dir = tempDir();
    const { store } = openSqliteStore(join(dir, 'contract.sqlite'));
    return {
      store,
      dir,
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  async teardown() {},
};

/** A PostgreSQL-family backend over one migrated handle, emptied between tests. */
function postgresBackend(name: string, connect: () => Promise<{ handle: PgHandle; done(): Promise<void> }>): Backend {
  let shared: { handle: PgHandle; done(): Promise<void> } | null = null;
  return {
    name,
    async setup() {
      shared = await connect();
      await migratePg(shared.handle);
    },
    async open() {
      const dir = tempDir();
      const h = shared!.handle;
      await h.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
      // Each test gets its own suppression log, as each SQLite file has its own.
      const store: PgStore = pgStore({ ...h, suppressionLog: join(dir, 'suppressions.log') });
      return { store, dir, close: async () => rmSync(dir, { recursive: true, force: true }) };
    },
    async teardown() {
      await shared?.done();
    },
  };
}

const postgres = postgresBackend('postgres', async () => {
  const db = await createTestDatabase('nd_contract');
  const handle = await openPg(db.url, { poolSize: 4, suppressionLog: null });
  return {
    handle,
    async done() {
      await handle.close();
      await db.drop();
    },
  };
});

const pglite = postgresBackend('pglite', async () => {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create({ parsers: { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) } });
  const handle = pgliteHandle(db);
  return { handle, done: () => handle.close() };
});

/** SQLite, and PostgreSQL on the configured server or else PGlite. */
export const BACKENDS: Backend[] = [sqlite, TEST_DATABASE_URL ? postgres : pglite];
