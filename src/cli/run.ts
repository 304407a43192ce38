import 'dotenv/config';
import { loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { createLogger } from '../lib/log.js';

/** A failure the CLI prints as one line (no stack) before exiting non-zero. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

/** Runs a CLI action with a context (config, migrated db, mailer) and always closes it. Logs go to stderr. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
  const { createContext, closeContext } = await import('../bootstrap.js');
  const ctx = await createContext(config, { log });
  try {
    return await fn(ctx);
  } finally {
    await closeContext(ctx);
  }
}

/** Whether progress bars make sense (stderr is a terminal). */
export const isTty = (): boolean => Boolean(process.stderr.isTTY);
