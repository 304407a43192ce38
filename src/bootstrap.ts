import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openStore } from './db/index.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/log.js';
import { createSignals } from './lib/signals.js';
import { createUrls } from './lib/urls.js';
import { createMailer } from './mail/index.js';
import type { Mailer } from './mail/mailer.js';
import { drainMail } from './mail/queue.js';
import { readSuppressions } from './subscribers/suppressions.js';

/** Opens and migrates the database and builds the context shared by the server, the jobs and the CLI. */
export async function createContext(config: Config, over: { log?: Logger; mailer?: Mailer; clock?: Clock } = {}): Promise<AppContext> {
  const log = over.log ?? createLogger(config.logLevel);
  const { store, applied, where } = await openStore(config, { onIdleError: (err) => log.warn({ err: err.message }, 'a database connection was lost; the next query reconnects') });
  try {
    if (applied) log.info({ applied, db: where }, 'database migrated');
    const replayed = await store.subscribers.replaySuppressions(readSuppressions(store.suppressionLog), (over.clock ?? systemClock).now());
    if (replayed) log.warn({ replayed, log: store.suppressionLog }, 'subscribers unsubscribed again from the suppression log (the database was older than the log)');
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    config,
    store,
    mailer: over.mailer ?? (await createMailer(config)),
    log,
    clock: over.clock ?? systemClock,
    urls: createUrls(config.publicUrl),
    signals: createSignals(),
  };
}

/** Releases what createContext opened. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await drainMail(ctx.mailer);
  await ctx.mailer.close();
  await ctx.store.close();
}
