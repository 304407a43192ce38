import type { Config } from './config.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/log.js';
import type { Urls } from './lib/urls.js';
import type { Signals } from './lib/signals.js';
import type { Mailer } from './mail/mailer.js';
import type { Store } from './store.js';

/** Everything an orchestrator needs, passed in rather than imported, so tests can build their own. */
export interface AppContext {
  config: Config;
  /** The one storage port; which database is behind it is the store's business. */
  store: Store;
  mailer: Mailer;
  log: Logger;
  clock: Clock;
  urls: Urls;
  /** Signals between this process's services (queueing wakes the sender). */
  signals: Signals;
}
