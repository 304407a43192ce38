// What several benchmarks share: a child process to measure, waiting until it answers, a store on a fresh folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import type { Clock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/log.js';

/** Starts node with `args` and this env; its stderr shows in ours. */
export function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Resolves once `url` answers at all (any status, redirects not followed); throws after 10 s. */
export async function ready(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url, { redirect: 'manual' });
      return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up`);
}

/** A context on a fresh SQLite file in `dir`, with the benchmarks' secrets and silent logs. */
export function benchContext(dir: string, clock: Clock, env: Record<string, string> = {}) {
  const config = loadConfig(
    { DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'b.sqlite')}`, SECRET_KEY: 'bench-secret-key-0123456789abcdefghijkl', ADMIN_TOKEN: 'bench-admin-token-0123', LOG_LEVEL: 'silent', ...env },
    dir,
  );
  return createContext(config, { log: silentLogger(), clock });
}
