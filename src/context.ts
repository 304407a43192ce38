import type Database from 'better-sqlite3';
import type { Config } from './config.js';
import type { Db, DbHandle } from './db/client.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/log.js';
import type { Urls } from './lib/urls.js';
import type { Mailer } from './mail/mailer.js';

/** Everything an orchestrator needs, passed in rather than imported, so tests can build their own. */
export interface AppContext {
  config: Config;
  db: Db;
  sqlite: Database.Database;
  handle: DbHandle;
  mailer: Mailer;
  log: Logger;
  clock: Clock;
  urls: Urls;
}
