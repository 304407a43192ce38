import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openStore } from '../../db/index.js';
import '../run.js';
import { runServe } from '../serve.js';

/** serve (the default) and migrate. */
export function registerCoreCommands(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('run the web server, the admin API and the schedules (default)')
    .action(() => runServe());

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
