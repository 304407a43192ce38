import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openStore } from '../../db/index.js';
import '../run.js';

/** serve (the default) and migrate. */
export function registerCoreCommands(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('run the web server, the admin API and the schedules (default)')
    .action(async () => {
      // Signals are handled from the first moment: one that arrives while services start stops them once started.
      let stopRequested: string | null = null;
      let signals = 0;
      const state: { running?: Awaited<ReturnType<typeof import('../../server.js').startServer>> } = {};
      const stop = (sig: string) => {
        const running = state.running;
        if (!running) return;
        running.ctx.log.info({ signal: sig }, 'signal received');
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      const onSignal = (sig: string) => {
        if (++signals > 1) process.exit(130);
        stopRequested = sig;
        stop(sig);
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      const config = loadConfig();
      // Loaded on demand so `--help` and the other commands start fast.
      const { startServer } = await import('../../server.js');
      state.running = await startServer(config);
      if (stopRequested) stop(stopRequested);
      await new Promise(() => {}); // run until a signal stops the process
    });

  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations')
    .action(async () => {
      const config = loadConfig();
      const { store, applied, where } = await openStore(config);
      await store.close();
      process.stdout.write(`${applied ? `applied ${applied} migration(s)` : 'database is up to date'}: ${where}\n`);
    });
}
