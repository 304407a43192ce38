// The sender service as a child process, for kill tests: `node --import tsx test/helpers/sender-process.ts`.
// Env: the usual configuration, plus LEASE_MS, MARK_FLUSH_MS, CRASH_AT/CRASH_AFTER (exit 137 at a named point) and
// EXIT_WHEN_SENT=<issueId> (exit 0 once that issue is sent).
import { createContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { CrashPoint } from '../../src/deliveries/sender.js';
import { startSenderService } from '../../src/deliveries/service.js';
import { createLogger } from '../../src/lib/log.js';
import { sqliteOf } from './context.js';

const config = loadConfig(process.env);
const ctx = await createContext(config, { log: createLogger(config.logLevel, process.stderr) });
const crashAt = process.env.CRASH_AT as CrashPoint | undefined;
const crashAfter = Number(process.env.CRASH_AFTER ?? 0);
const service = await startSenderService(ctx, {
  leaseMs: Number(process.env.LEASE_MS ?? 30_000),
  ...(process.env.MARK_FLUSH_MS ? { markFlushMs: Number(process.env.MARK_FLUSH_MS) } : {}),
  maintenanceMs: 200,
  idlePollMs: 50,
  onPoint: (p, n) => {
    if (p === crashAt && n >= crashAfter) process.exit(137);
  },
});
process.stdout.write('ready\n');
const watch = Number(process.env.EXIT_WHEN_SENT ?? 0);
if (watch) {
  const timer = setInterval(() => {
    const row = sqliteOf(ctx).sqlite.prepare('SELECT status FROM issues WHERE id = ?').get(watch) as { status: string } | undefined;
    if (row?.status === 'sent') {
      clearInterval(timer);
      void service.stop().then(() => process.exit(0));
    }
  }, 100);
}
process.on('SIGTERM', () => {
  void service.stop().then(() => process.exit(0));
});
