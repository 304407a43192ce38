import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { personalize } from '../../issues/personalize.js';
import { isIsoDate } from '../../lib/cron-time.js';
import { CliFailure, withContext } from '../run.js';

// Loaded on demand so `newsdesk --help` does not pay for MJML.
const assembly = () => import('../../issues/assemble.js');
const repo = () => import('../../issues/repo.js');

/** assemble [--date D] and preview D. */
export function registerIssueCommands(program: Command): void {
  program
    .command('assemble')
    .description('assemble the issue of a date (default: today in DIGEST_TIMEZONE); idempotent')
    .option('--date <date>', 'the issue date, YYYY-MM-DD')
    .option('--weekly', "the weekly edition: the best of the seven days' daily issues before the date")
    .action(async (opts: { date?: string; weekly?: boolean }) => {
      if (opts.date !== undefined && !isIsoDate(opts.date)) throw new CliFailure(`--date must be a calendar date as YYYY-MM-DD, got "${opts.date}"`);
      await withContext(async (ctx) => {
        const { assembleIssue, todayLocal } = await assembly();
        const date = opts.date ?? todayLocal(ctx);
        const result = opts.weekly ? await (await import('../../issues/weekly.js')).assembleWeekly(ctx, date) : await assembleIssue(ctx, date);
        const what = opts.weekly ? 'weekly issue' : 'issue';
        if (!result.issue) {
          process.stdout.write(`no ${what} for ${date}: ${result.reason}\n`);
          return;
        }
        const i = result.issue;
        process.stdout.write(`${what} ${i.id} for ${i.date}: ${i.articleCount} articles\n  subject: ${i.subject}\n  preview: ${ctx.urls.admin(`/issues/${i.id}`)}\n`);
      });
    });

  program
    .command('preview')
    .description('write the rendered HTML of an issue (by date or id) to a file and print its path')
    .argument('<issue>', 'issue date (YYYY-MM-DD) or id')
    .option('-o, --out <file>', 'where to write the HTML (default: DATA_DIR/previews/issue-DATE.html)')
    .option('--text', 'write the text part instead')
    .option('--weekly', 'a date names the weekly issue of that date')
    .action(async (ref: string, opts: { out?: string; text?: boolean; weekly?: boolean }) => {
      await withContext(async (ctx) => {
        const { getIssue, getIssueByDate } = await repo();
        const row = isIsoDate(ref) ? await getIssueByDate(ctx, ref, opts.weekly ? 'weekly' : 'daily') : /^\d+$/.test(ref) ? await getIssue(ctx, Number(ref)) : null;
        if (!row) throw new CliFailure(`no issue for "${ref}" (run: newsdesk assemble --date ${isIsoDate(ref) ? ref : 'YYYY-MM-DD'})`);
        const parts = personalize({ html: row.html, text: row.text }, { unsubscribeUrl: ctx.urls.home(), postalAddress: ctx.config.postalAddress });
        const file = resolve(opts.out ?? resolve(ctx.config.dataDir, 'previews', `issue-${row.edition === 'weekly' ? 'weekly-' : ''}${row.date}.${opts.text ? 'txt' : 'html'}`));
        mkdirSync(resolve(file, '..'), { recursive: true });
        writeFileSync(file, opts.text ? parts.text : parts.html);
        process.stdout.write(`${file}\n`);
      });
    });
}
