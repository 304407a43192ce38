import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CliFailure, isTty, withContext } from '../run.js';

const csv = () => import('../../subscribers/csv.js');

/** `subscribers import FILE [--confirmed]` and `subscribers export`. */
export function registerSubscriberCommands(program: Command): void {
  const cmd = program.command('subscribers').description('import and export subscribers');

  cmd
    .command('import')
    .description('import subscribers from CSV: `email,name` rows, or an export (its status column is kept); nobody who left is brought back')
    .argument('<file>', 'CSV file')
    .option('--confirmed', 'import rows without a status as confirmed (you hold their consent); default: pending, each gets a confirmation mail')
    .action(async (file: string, opts: { confirmed?: boolean }) => {
      if (!existsSync(file)) throw new CliFailure(`no such file: ${file}`);
      await withContext(async (ctx) => {
        const { importSubscribersCsv, describeImport } = await csv();
        const res = await importSubscribersCsv(ctx, createReadStream(file), {
          confirmed: Boolean(opts.confirmed),
          onProgress: isTty() ? (rows) => process.stderr.write(`\rread ${rows} rows…`) : undefined,
        });
        if (isTty()) process.stderr.write('\n');
        for (const e of res.errors) process.stderr.write(`line ${e.line}: refused: ${e.error}\n`);
        for (const s of res.skippedRows) process.stderr.write(`line ${s.line}: skipped ${s.email}: ${s.reason}\n`);
        process.stdout.write(`${describeImport(res)}${opts.confirmed ? '; rows without a status imported as confirmed' : '; confirmation mails sent to new pending rows'}\n`);
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
