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

  program
    .command('doctor')
    .description('check SPF, DKIM, DMARC, the bounce MX, the relay and PUBLIC_URL; exit 1 when a check fails')
    .option('--json', 'print the checks as JSON')
    .action(async (o: { json?: boolean }) => {
      const config = loadConfig();
      const { runDoctor, formatChecks } = await import('../../deliverability/doctor.js');
      process.stderr.write('doctor: checking DNS, the relay and PUBLIC_URL…\n');
      const checks = await runDoctor(config);
      process.stdout.write(o.json ? `${JSON.stringify({ checks }, null, 2)}\n` : `${formatChecks(checks)}\n`);
      const failed = checks.filter((c) => c.status === 'fail').length;
      const warned = checks.filter((c) => c.status === 'warn').length;
      if (!o.json) process.stdout.write(`\n${checks.length - failed - warned} passed, ${warned} warning(s), ${failed} failed\n`);
      if (failed) process.exitCode = 1;
    });
}
