import { userInfo } from 'node:os';
import type cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { nextDueAt, sendProgress, type SendProgress } from '../../deliveries/repo.js';
import { parseResendRequest, resendIssue, resolveIssueRef, sendIssue } from '../../deliveries/send.js';
import { createSender } from '../../deliveries/sender.js';
import { localDate } from '../../lib/cron-time.js';
import { AppError } from '../../lib/errors.js';
import { CliFailure, isTty, withContext } from '../run.js';

const out = (line: string) => process.stdout.write(line + '\n');
const isoDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

function fmtEta(ms: number | null): string {
  if (ms === null) return '--';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const summary = (p: SendProgress) =>
  `${p.sent} sent, ${p.failed} failed, ${p.bounced} bounced, ${p.skipped} skipped, ${p.queued + p.sending} waiting` +
  (p.unconfirmed ? `, ${p.unconfirmed} uncertain (lost after the message twice, not sent again)` : '') +
  (p.uncertain ? `, ${p.uncertain} possibly sent twice (connection lost after the message)` : '');

/** Runs a sender for one issue until nothing is due; shows a bar with rate and ETA on a terminal. Throws CliFailure on a pause. */
async function sendUntilDone(ctx: AppContext, issueId: number): Promise<SendProgress> {
  try {
    await ctx.mailer.verify();
  } catch (err) {
    throw new CliFailure((err as Error).message);
  }
  const sender = createSender(ctx, { issueId, maintenanceMs: 1000 });
  let interrupted = false;
  const onSig = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  const first = await sendProgress(ctx, issueId, ctx.clock.now());
  // The bar's module is loaded only when there is a terminal to draw it on.
  const progress = isTty() ? (await import('cli-progress')).default : null;
  const bar: cliProgress.SingleBar | undefined = progress
    ? new progress.SingleBar(
        {
          stream: process.stderr,
          format: 'send [{bar}] {value}/{total} · {rate}/s · ETA {eta_h} · {state}',
          hideCursor: true,
          clearOnComplete: false,
        },
        progress.Presets.shades_classic,
      )
    : undefined;
  const doneOf = (p: SendProgress) => p.sent + p.failed + p.bounced + p.skipped;
  bar?.start(first.total, doneOf(first), { rate: 0, eta_h: '--', state: 'starting' });
  sender.start();
  let p: SendProgress;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      await sender.maintain();
      p = await sendProgress(ctx, issueId, ctx.clock.now());
      const st = sender.state();
      bar?.setTotal(p.total);
      bar?.update(doneOf(p), { rate: p.rate, eta_h: fmtEta(p.etaMs), state: st.relayReason ?? p.pausedReason ?? 'sending' });
      if (interrupted) break;
      if (p.issueStatus !== 'sending') break;
      if (p.pausedReason && !p.pausedReason.startsWith('relay:')) break;
      if (p.sending === 0 && st.inFlight === 0 && st.relayReason === null) {
        const due = await nextDueAt(ctx, [issueId]);
        if (due === null || due > ctx.clock.now()) break;
      }
    }
  } finally {
    await sender.stop();
    bar?.stop();
    process.removeListener('SIGINT', onSig);
    process.removeListener('SIGTERM', onSig);
  }
  p = await sendProgress(ctx, issueId, ctx.clock.now());
  if (interrupted) throw new CliFailure(`interrupted: ${summary(p)}; the rest stays queued (newsdesk serve or send resumes it)`);
  if (p.pausedReason && !p.pausedReason.startsWith('relay:')) throw new CliFailure(`sending paused: ${p.pausedReason.replace(/^\w+: /, '')} (${summary(p)})`);
  return p;
}

async function waitingNote(ctx: AppContext, issueId: number, p: SendProgress): Promise<string> {
  if (p.queued === 0) return '';
  const due = await nextDueAt(ctx, [issueId]);
  return due ? `; ${p.queued} wait for a retry from ${new Date(due).toISOString()} (newsdesk serve retries them)` : '';
}

/** Turns an AppError from an orchestrator into the CLI's one-line failure. */
async function cli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw new CliFailure(err.message);
    throw err;
  }
}

/** send, resend and daily. */
export function registerDeliveryCommands(program: Command): void {
  program
    .command('send')
    .description('queue an issue for its readers (daily or weekly; idempotent) and send it now, with progress on a terminal')
    .argument('<issue>', 'issue id or date (YYYY-MM-DD: the daily issue; weekly:YYYY-MM-DD for the weekly one)')
    .option('--weekly', 'a date names the weekly issue of that date')
    .action(async (ref: string, opts: { weekly?: boolean }) => {
      await withContext((ctx) =>
        cli(async () => {
          const id = await resolveIssueRef(ctx, ref, opts.weekly ? 'weekly' : 'daily');
          const q = await sendIssue(ctx, id);
          if (q.alreadySent) {
            out(`issue ${id} was already sent: ${summary(q.progress)} (use resend --missing for later subscribers)`);
            return;
          }
          out(`issue ${id}: ${q.queued} deliveries queued now, ${q.progress.total} in all`);
          const p = await sendUntilDone(ctx, id);
          out(`issue ${id}: ${summary(p)}${await waitingNote(ctx, id, p)}`);
        }),
      );
    });

  program
    .command('resend')
    .description('send an issue again: to one address (a new copy), to every failed delivery, or to confirmed subscribers who never got it')
    .argument('<issue>', 'issue id or date (YYYY-MM-DD)')
    .option('--email <address>', 'one confirmed subscriber')
    .option('--failed', 'every delivery that failed')
    .option('--missing', 'confirmed subscribers without a delivery of this issue')
    .action(async (ref: string, opts: { email?: string; failed?: boolean; missing?: boolean }) => {
      await withContext((ctx) =>
        cli(async () => {
          const chosen = [opts.email !== undefined, Boolean(opts.failed), Boolean(opts.missing)].filter(Boolean).length;
          if (chosen !== 1) throw new CliFailure('choose whom to resend to: exactly one of --email ADDRESS, --failed or --missing');
          const req = parseResendRequest({ email: opts.email, failed: opts.failed ? true : undefined, missing: opts.missing ? true : undefined });
          const id = await resolveIssueRef(ctx, ref);
          let who = 'cli';
          try {
            who = `cli:${userInfo().username}`;
          } catch {
            // no user name (container without passwd entry)
          }
          const r = await resendIssue(ctx, id, req, who);
          out(`issue ${id}: resend (${r.kind}) queued ${r.queued}`);
          if (!r.queued) return;
          const p = await sendUntilDone(ctx, id);
          out(`issue ${id}: ${summary(p)}${await waitingNote(ctx, id, p)}`);
        }),
      );
    });

  program
    .command('daily')
    .description('the daily job now: ingest, assemble and send the issue of a date (default today); once per date')
    .option('--date <date>', 'the issue date, YYYY-MM-DD (default: today in DIGEST_TIMEZONE)')
    .action(async (opts: { date?: string }) => {
      if (opts.date !== undefined && !isoDate(opts.date)) throw new CliFailure(`--date must be a calendar date as YYYY-MM-DD, got "${opts.date}"`);
      await withContext((ctx) =>
        cli(async () => {
          const date = opts.date ?? localDate(ctx.clock.now(), ctx.config.digestTimezone);
          // Ingest and assembly (feeds, MJML) are loaded only by the command that needs them.
          const { runDaily } = await import('../../jobs/daily.js');
          const o = await runDaily(ctx, date, { trigger: 'cli' });
          switch (o.status) {
            case 'busy':
              throw new CliFailure(`the daily job for ${date} is running in another process`);
            case 'failed':
              throw new CliFailure(`daily job for ${date} failed: ${o.error}`);
            case 'refused':
              throw new CliFailure(`daily job for ${date} refused: ${o.reason}`);
            case 'empty':
              out(`no issue for ${date}: ${o.reason}`);
              return;
            case 'review':
              out(`issue ${o.issueId} for ${date} assembled (${o.articleCount ?? '?'} articles); DIGEST_REVIEW is on: send it with \`newsdesk send ${o.issueId}\``);
              return;
            case 'already_done':
              out(`the daily job already ran for ${date} (${o.previous})`);
              return;
            case 'queued': {
              out(`issue ${o.issueId} for ${date} assembled (${o.articleCount ?? '?'} articles) and queued`);
              const p = await sendUntilDone(ctx, o.issueId);
              out(`issue ${o.issueId}: ${summary(p)}${await waitingNote(ctx, o.issueId, p)}`);
            }
          }
        }),
      );
    });
}
