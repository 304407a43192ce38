import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, closeContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { DbHandle } from '../../src/db/sqlite/client.js';
import type { SqliteStore } from '../../src/db/sqlite/index.js';
import type { Clock } from '../../src/lib/clock.js';
import { silentLogger, type Logger } from '../../src/lib/log.js';
import type { Mailer } from '../../src/mail/mailer.js';

export interface TestContext extends AppContext {
  dir: string;
  /** The SQLite file behind the store, for assertions that read it directly. */
  handle: DbHandle;
  sqlite: DbHandle['sqlite'];
  db: DbHandle['db'];
  cleanup(): Promise<void>;
}

/** The env every test starts from: a fresh data dir, fixed secrets, no SMTP unless given. */
export function testEnv(dir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dir,
    DATABASE_URL: `file:${join(dir, 'test.sqlite')}`,
    SECRET_KEY: 'test-secret-key-0123456789abcdefghijklmnop',
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    PUBLIC_URL: 'http://newsdesk.test',
    POSTAL_ADDRESS: '1 Test Street, Testville',
    LOG_LEVEL: 'silent',
    ...env,
  };
}

/** A context on a fresh SQLite file migrated by the production migrator. */
export async function makeTestContext(
  opts: { env?: Record<string, string>; mailer?: Mailer; clock?: Clock; log?: Logger } = {},
): Promise<TestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-test-'));
  const config = loadConfig(testEnv(dir, opts.env), dir);
  const ctx = await createContext(config, { log: opts.log ?? silentLogger(), mailer: opts.mailer, clock: opts.clock });
  const { handle } = ctx.store as SqliteStore;
  return {
    ...ctx,
    dir,
    handle,
    sqlite: handle.sqlite,
    db: handle.db,
    cleanup: async () => {
      await closeContext(ctx);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds confirmed subscribers straight through the import store (no CSV, no mail); returns their ids. */
export async function addConfirmed(
  ctx: Pick<AppContext, 'store'> & Partial<Pick<AppContext, 'clock'>>,
  people: { email: string; name?: string | null }[],
  now = ctx.clock?.now() ?? Date.now(),
): Promise<{ id: number; email: string }[]> {
  const rows = people.map((p, i) => ({
    line: i + 1,
    email: p.email,
    name: p.name ?? null,
    status: 'confirmed' as const,
    createdAt: now,
    confirmedAt: now,
    unsubscribedAt: null,
    bouncedAt: null,
    consentSource: 'import',
    statedConsentAt: now,
  }));
  return (await ctx.store.subscribers.importSubscriberBatch(rows, new Map(), now)).created;
}

/** The SQLite handle behind a context's store (contexts built by createContext on a file: URL). */
export function sqliteOf(ctx: Pick<AppContext, 'store'>): DbHandle {
  const s = ctx.store as SqliteStore;
  if (s.backend !== 'sqlite') throw new Error('this test reads SQLite directly; the context is on another backend');
  return s.handle;
}
