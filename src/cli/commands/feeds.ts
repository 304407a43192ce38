import type cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { IngestResult } from '../../feeds/ingest.js';
import type { SourceHealth } from '../../feeds/repo.js';
import { isTty, withContext } from '../run.js';

// Loaded on demand so `newsdesk --help` does not pay for the feed pipeline.
const ingestModule = () => import('../../feeds/ingest.js');

const out = (s: string) => process.stdout.write(s + '\n');

/** The one-paragraph report of an ingest: a count line, then one line per failed source. */
export function formatIngestResult(r: IngestResult): string {
  const lines = [`${r.sources} source(s) polled, ${r.newArticles} new article(s), ${r.errors.length} error(s)`];
  for (const e of r.errors) lines.push(`  ${e.source}: ${e.error}`);
  const f = r.fullText;
  if (f)
    lines.push(
      `full text: ${f.fetched} page(s) fetched, ${f.failed} kept the feed's text (reasons in the log and articles.fulltext_reason), ${f.skipped} not needed${f.deferred ? `, ${f.deferred} left for the next ingest` : ''}`,
    );
  return lines.join('\n');
}

const ago = (t: number | null, now: number) => {
  if (t === null) return 'never';
  const m = Math.round((now - t) / 60_000);
  if (m < 1) return 'just now';
  if (m < 120) return `${m}m ago`;
  if (m < 48 * 60) return `${Math.round(m / 60)}h ago`;
  return `${Math.round(m / 1440)}d ago`;
};

/** The sources as an aligned table: status, name, article counts, failures, last success, last error. */
export function formatSourcesTable(list: SourceHealth[], now: number): string {
  const rows = list.map((s) => [
    !s.active ? 'removed' : s.consecutiveFailures > 0 ? 'failing' : s.lastSuccessAt ? 'ok' : 'new',
    s.name,
    s.company ?? '',
    String(s.weight),
    s.fulltext === null ? 'teaser' : s.fulltext ? 'always' : 'never',
    String(s.articleCount),
    String(s.articlesLast7Days),
    String(s.consecutiveFailures),
    ago(s.lastSuccessAt, now),
    s.lastError ?? '',
  ]);
  const head = ['STATUS', 'NAME', 'COMPANY', 'WEIGHT', 'FULL TEXT', 'ARTICLES', '7D', 'FAILS', 'LAST SUCCESS', 'LAST ERROR'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === head.length - 1 ? 0 : r[i]!.length))));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** `ingest` and `sources list|sync`. */
export function registerFeedCommands(program: Command): void {
  program
    .command('ingest')
    .description('poll every source now: fetch, parse, clean and store new articles (sources that fail are listed; exit 0)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const result = await withContext(async (ctx) => {
        let bar: cliProgress.SingleBar | undefined;
        const showBar = isTty() && !opts.json;
        const progress = showBar ? (await import('cli-progress')).default : null;
        try {
          // With a bar on the terminal, per-source warnings would tear it; the failures are listed after it instead.
          const runCtx = showBar ? { ...ctx, log: ctx.log.child({}, { level: 'error' }) } : ctx;
          const { ingestAll } = await ingestModule();
          return await ingestAll(runCtx, {
            onProgress: progress
              ? (e) => {
                  if (!bar) {
                    bar = new progress.SingleBar(
                      { stream: process.stderr, format: 'ingest [{bar}] {value}/{total} sources · {newArticles} new · {source}', hideCursor: true, clearOnComplete: true },
                      progress.Presets.shades_classic,
                    );
                    bar.start(e.total, 0, { source: '', newArticles: 0 });
                  }
                  bar.update(e.done, { source: `${e.source}${e.error ? ' (failed)' : ''}`.slice(0, 40), newArticles: e.newArticles });
                }
              : undefined,
          });
        } finally {
          bar?.stop();
        }
      });
      out(opts.json ? JSON.stringify(result, null, 2) : formatIngestResult(result));
    });

  const sources = program.command('sources').description('the feeds the newsletter follows');
  sources
    .command('list')
    .description('each source with its health: last fetch, last success, last error, failures in a row, article count')
    .option('--json', 'print the list as JSON')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const { currentSources } = await import('../../feeds/service.js');
        const list = await currentSources(ctx);
        if (opts.json) out(JSON.stringify(list, null, 2));
        else out(list.length ? formatSourcesTable(list, ctx.clock.now()) : 'no sources yet: run `newsdesk sources sync` or `newsdesk ingest`');
      });
    });
  sources
    .command('sync')
    .description('read SOURCES_FILE into the sources table (add, rename, mark removed) without fetching')
    .action(async () => {
      await withContext(async (ctx) => {
        const { syncSources } = await ingestModule();
        const r = await syncSources(ctx);
        out(`${r.total} source(s) in ${ctx.config.sourcesFile}: ${r.added} added, ${r.renamed} renamed, ${r.removed} removed, ${r.restored} restored`);
      });
    });
}
