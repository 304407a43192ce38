// The ingest orchestrator: sources file → sources table; each due source fetched, parsed, cleaned and stored.
import type { AppContext } from '../context.js';
import { FeedError } from './errors.js';
import type { FullTextReport } from './fulltext.js';
import { fetchFeed } from './fetch.js';
import { itemKey, normalizeFeed, type ItemKey } from './normalize.js';
import { DEFAULT_MAX_ITEMS, parseFeedBody } from './parse.js';
import {
  findKnownKeys,
  listActiveSources,
  saveFetchFailure,
  saveFetchSuccess,
  saveNotModified,
  type Source,
} from './repo.js';

/** One step of an ingest, for progress bars (newArticles counts the run so far). */
export interface IngestProgress {
  source: string;
  done: number;
  total: number;
  newArticles: number;
  error?: string;
}

/** What an ingest answers (the admin API and the CLI print it as is). */
export interface IngestResult {
  sources: number;
  newArticles: number;
  errors: { source: string; error: string }[];
  /** Article pages fetched for teaser items (absent when none was pending). */
  fullText?: FullTextReport;
}

/** Options of one ingest run. */
export interface IngestOptions {
  onProgress?: (e: IngestProgress) => void;
  /** Per-feed, per-run item cap (newest first). */
  maxItems?: number;
  /** When the run began: the first-seen time of everything it finds. */
  runAt?: number;
}

import { SOURCES_FILE_LABEL, syncSources } from './sources.js';

export { readSourcesFile, SOURCES_FILE_LABEL, syncSources } from './sources.js';

/** The User-Agent every feed request sends: names the software and where it runs, so publishers can reach the operator. */
export function userAgent(ctx: AppContext): string {
  return `newsdesk/1.0 (+${ctx.config.publicUrl}; feed reader)`;
}

/** Fetches, parses and stores one source; never throws for a feed problem (it is recorded on the source). */
export async function ingestSource(ctx: AppContext, source: Source, opts: IngestOptions = {}): Promise<{ newArticles: number; error?: string }> {
  const startedAt = ctx.clock.now();
  try {
    const res = await fetchFeed(source.feedUrl, {
      etag: source.etag,
      lastModified: source.lastModified,
      timeoutMs: ctx.config.feedTimeoutMs,
      maxBytes: ctx.config.feedMaxBytes,
      userAgent: userAgent(ctx),
      now: () => ctx.clock.now(),
    });
    if (res.status === 'not_modified') {
      await saveNotModified(ctx, source.id, ctx.clock.now());
      return { newArticles: 0 };
    }
    const parsed = parseFeedBody(res.body, { contentType: res.contentType, feedUrl: res.finalUrl, maxItems: opts.maxItems ?? DEFAULT_MAX_ITEMS });
    const now = ctx.clock.now();
    // Items this source stored already are recognised by GUID or canonical URL before the costly cleaning; an article
    // another source stored goes on to the store, which decides which source it is credited to.
    const keys = parsed.items.map(itemKey).filter((k): k is ItemKey => k !== null);
    const known = await findKnownKeys(ctx, source.id, keys.map((k) => k.guid), keys.map((k) => k.canonicalUrl));
    // First seen at the run's start, so two feeds of one run carrying the same article tie whatever order they finish in.
    const { articles, skippedNoLink, skippedDuplicate, skippedKnown } = normalizeFeed(parsed, opts.runAt ?? now, (k) => known.guids.has(k.guid) || known.urls.has(k.canonicalUrl));
    const newArticles = await saveFetchSuccess(ctx, source.id, articles, { etag: res.etag, lastModified: res.lastModified, at: now, siteUrl: parsed.siteUrl });
    ctx.log.debug(
      { source: source.name, format: parsed.format, items: parsed.items.length, newArticles, skippedNoLink, skippedDuplicate, skippedKnown, capped: parsed.truncatedItems, ms: ctx.clock.now() - startedAt },
      'source ingested',
    );
    return { newArticles };
  } catch (err) {
    const feedErr = err instanceof FeedError ? err : undefined;
    const message = feedErr ? feedErr.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
    if (!feedErr) ctx.log.error({ err, source: source.name }, 'unexpected error while ingesting a source');
    else ctx.log.warn({ source: source.name, feedUrl: source.feedUrl, error: message }, 'source failed');
    try {
      await saveFetchFailure(ctx, source.id, message, ctx.clock.now(), feedErr?.retryAfter);
    } catch (dbErr) {
      ctx.log.error({ err: dbErr, source: source.name }, 'could not record the source failure');
    }
    return { newArticles: 0, error: message };
  }
}

/**
 * Runs tasks with at most `limit` in progress, except that a task still running after `stallMs` gives its slot up
 * (it keeps running to its own deadline): hung feeds cannot queue the rest behind them, so an ingest takes about one
 * timeout however many feeds hang.
 */
async function runBounded<T>(items: T[], limit: number, stallMs: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let active = 0;
  const all: Promise<void>[] = [];
  await new Promise<void>((resolveAll) => {
    const pump = () => {
      while (active < limit && next < items.length) {
        const item = items[next++]!;
        active++;
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          active--;
          pump();
        };
        const timer = setTimeout(release, stallMs);
        all.push(
          task(item)
            .catch(() => {})
            .finally(() => {
              clearTimeout(timer);
              release();
            }),
        );
      }
      if (next >= items.length) resolveAll();
    };
    pump();
  });
  await Promise.all(all);
}

const inFlight = new WeakMap<object, Promise<IngestResult>>();

/**
 * Polls every followed source now (after syncing the sources file): bounded concurrency, each failure recorded with its
 * reason and reported without stopping the others. Idempotent: unchanged feeds add nothing. A call while an ingest of
 * the same database is running joins that run.
 */
export function ingestAll(ctx: AppContext, opts: IngestOptions = {}): Promise<IngestResult> {
  const key = ctx.store;
  const running = inFlight.get(key);
  if (running) return running;
  const run = doIngestAll(ctx, opts).finally(() => inFlight.delete(key));
  inFlight.set(key, run);
  return run;
}

async function doIngestAll(ctx: AppContext, opts: IngestOptions): Promise<IngestResult> {
  const started = ctx.clock.now();
  const errors: IngestResult['errors'] = [];
  try {
    await syncSources(ctx);
  } catch (err) {
    // A broken sources file must not stop polling the sources already known.
    errors.push({ source: SOURCES_FILE_LABEL, error: (err as Error).message });
    ctx.log.error({ error: (err as Error).message }, 'sources file not synced');
  }
  const list = await listActiveSources(ctx);
  const now = ctx.clock.now();
  const due: Source[] = [];
  let done = 0;
  let newArticles = 0;
  for (const s of list) {
    if (s.retryAfter && s.retryAfter > now) {
      const error = `skipped: the server asked to wait until ${new Date(s.retryAfter).toISOString()}`;
      errors.push({ source: s.name, error });
      opts.onProgress?.({ source: s.name, done: ++done, total: list.length, newArticles, error });
    } else due.push(s);
  }
  const stallMs = Math.max(20, Math.min(1000, Math.floor(ctx.config.feedTimeoutMs / 10)));
  await runBounded(due, ctx.config.ingestConcurrency, stallMs, async (s) => {
    const r = await ingestSource(ctx, s, { ...opts, runAt: opts.runAt ?? now });
    newArticles += r.newArticles;
    if (r.error) errors.push({ source: s.name, error: r.error });
    opts.onProgress?.({ source: s.name, done: ++done, total: list.length, newArticles, ...(r.error ? { error: r.error } : {}) });
  });
  // Teaser items get their page, under one more timeout at most; a failure there never fails the ingest.
  let fullText: FullTextReport | undefined;
  try {
    const { completeFullText } = await import('./fulltext.js');
    const r = await completeFullText(ctx, userAgent(ctx));
    if (r.fetched + r.failed + r.skipped + r.deferred) fullText = r;
  } catch (err) {
    ctx.log.error({ err }, 'full text step failed; the feed content stands');
  }
  ctx.log.info({ sources: list.length, newArticles, errors: errors.length, ms: ctx.clock.now() - started }, 'ingest finished');
  // Completion order is a race; the report lists failures by source name.
  errors.sort((a, b) => (a.source === SOURCES_FILE_LABEL ? -1 : b.source === SOURCES_FILE_LABEL ? 1 : a.source.localeCompare(b.source)));
  return { sources: list.length, newArticles, errors, ...(fullText ? { fullText } : {}) };
}
