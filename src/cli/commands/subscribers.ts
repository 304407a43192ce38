import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CliFailure, isTty, withContext } from '../run.js';

const csv = () => import('../../subscribers/csv.js');

/** `subscribers import FILE [--confirmed]` and `subscribers export`. */
export function registerSubscriberCommands(program: Command): void {
  const cmd = program.command('subscribers').description('import and export subscribers');

  cmd
    .command('import')
    .description('import subscribers from a CSV file of `email,name` rows (header optional)')
    .argument('<file>', 'CSV file')
    .option('--confirmed', 'import as confirmed (you hold their consent); default: pending, each gets a confirmation mail')
    .action(async (file: string, opts: { confirmed?: boolean }) => {
      if (!existsSync(file)) throw new CliFailure(`no such file: ${file}`);
      await withContext(async (ctx) => {
        const { importSubscribersCsv } = await csv();
        const res = await importSubscribersCsv(ctx, createReadStream(file), {
          confirmed: Boolean(opts.confirmed),
          onProgress: isTty() ? (rows) => process.stderr.write(`\rread ${rows} rows…`) : undefined,
        });
        if (isTty()) process.stderr.write('\n');
        for (const e of res.errors) process.stderr.write(`line ${e.line}: ${e.error}\n`);
        process.stdout.write(`imported ${res.imported}, skipped ${res.skipped} (${res.errors.length} with errors)${opts.confirmed ? ' as confirmed' : ', confirmation mails sent'}\n`);
      });
    });

  cmd
    .command('export')
    .description('write every subscriber with status and consent times as CSV to standard output')
    .action(async () => {
      await withContext(async (ctx) => {
        const { exportSubscribersCsv } = await csv();
        for await (const chunk of exportSubscribersCsv(ctx)) {
          if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
        }
      });
    });
}
