// The sources file (OPML) and its sync into the sources table: all a process needs at start, without the fetch,
// parse and clean code of an ingest.
import { readFile } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import { FeedError } from './errors.js';
import { createHash } from 'node:crypto';
import type { SourceEntry } from './opml.js';
import { listActiveSources, sourcesFileDigest, syncSourceEntries, type SyncResult } from './repo.js';

/** The label errors use for the sources file itself. */
export const SOURCES_FILE_LABEL = 'SOURCES_FILE';

/** Reads and validates the OPML sources file. */
export async function readSourcesFile(path: string): Promise<SourceEntry[]> {
  return parseSourcesText(path, await readSourcesText(path));
}

async function readSourcesText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new FeedError(`cannot read the sources file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function parseSourcesText(path: string, text: string): Promise<SourceEntry[]> {
  // The XML parser is loaded by the first file that changed since the last sync, not by every start.
  const { parseOpml } = await import('./opml.js');
  let entries;
  try {
    entries = parseOpml(text);
  } catch (err) {
    throw new FeedError(`the sources file ${path} is not valid OPML: ${(err as Error).message}`);
  }
  // An empty list is far more likely a broken file than an operator who wants to follow nothing.
  if (!entries.length) throw new FeedError(`the sources file ${path} lists no feeds (no outline with xmlUrl); sources left unchanged`);
  return entries;
}

/** Syncs SOURCES_FILE into the sources table: adds, renames and marks removed (a removed source keeps its articles). */
export async function syncSources(ctx: AppContext): Promise<SyncResult> {
  const path = ctx.config.sourcesFile;
  const text = await readSourcesText(path);
  // The same bytes as the last sync read: the table already matches them (nothing else writes sources).
  const digest = createHash('sha256').update(text).digest('base64url');
  if ((await sourcesFileDigest(ctx)) === digest) return { total: (await listActiveSources(ctx)).length, added: 0, renamed: 0, removed: 0, restored: 0 };
  const entries = await parseSourcesText(path, text);
  const result = await syncSourceEntries(ctx, entries, ctx.clock.now(), digest);
  if (result.added || result.renamed || result.removed || result.restored) ctx.log.info({ ...result }, 'sources synced');
  return result;
}
