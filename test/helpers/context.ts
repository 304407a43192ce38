import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, closeContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { Clock } from '../../src/lib/clock.js';
import { silentLogger, type Logger } from '../../src/lib/log.js';
import type { Mailer } from '../../src/mail/mailer.js';

export interface TestContext extends AppContext {
  dir: string;
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
export function makeTestContext(
  opts: { env?: Record<string, string>; mailer?: Mailer; clock?: Clock; log?: Logger } = {},
): TestContext {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-test-'));
  const config = loadConfig(testEnv(dir, opts.env), dir);
  const ctx = createContext(config, { log: opts.log ?? silentLogger(), mailer: opts.mailer, clock: opts.clock });
  return {
    ...ctx,
    dir,
    cleanup: async () => {
      await closeContext(ctx);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds confirmed subscribers straight through the import store (no CSV, no mail); returns their ids. */
export async function addConfirmed(ctx: AppContext, people: { email: string; name?: string | null }[], now = ctx.clock.now()): Promise<{ id: number; email: string }[]> {
  const { importSubscriberBatch } = await import('../../src/subscribers/repo.js');
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
  return (await importSubscriberBatch(ctx, rows, new Map(), now)).created;
}
