import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDb } from './db/client.js';
import { migrate } from './db/migrate.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/log.js';
import { createUrls } from './lib/urls.js';
import { createMailer } from './mail/index.js';
import type { Mailer } from './mail/mailer.js';
import { drainMail } from './mail/queue.js';
import { replaySuppressions } from './subscribers/repo.js';
import { readSuppressions, suppressionLogPath } from './subscribers/suppressions.js';

/** Opens and migrates the database and builds the context shared by the server, the jobs and the CLI. */
export function createContext(config: Config, over: { log?: Logger; mailer?: Mailer; clock?: Clock } = {}): AppContext {
  const log = over.log ?? createLogger(config.logLevel);
  const handle = openDb(config.databasePath);
  try {
    const { applied } = migrate(handle);
    if (applied) log.info({ applied, path: handle.path }, 'database migrated');
    const replayed = replaySuppressions(handle, readSuppressions(handle.sqlite.name), (over.clock ?? systemClock).now());
    if (replayed) log.warn({ replayed, log: suppressionLogPath(handle.sqlite.name) }, 'subscribers unsubscribed again from the suppression log (the database was older than the log)');
  } catch (err) {
    handle.close();
    throw err;
  }
  return {
    config,
    db: handle.db,
    sqlite: handle.sqlite,
    handle,
    mailer: over.mailer ?? createMailer(config),
    log,
    clock: over.clock ?? systemClock,
    urls: createUrls(config.publicUrl),
  };
}

/** Releases what createContext opened. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await drainMail(ctx.mailer);
  await ctx.mailer.close();
  ctx.handle.close();
}
