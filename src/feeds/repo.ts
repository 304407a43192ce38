// Sources and articles as ingest and the admin call them: each function is the store's, given a context.
import type { AppContext } from '../context.js';
import type { SourceHealth } from './store.js';
import { facade } from '../store.js';

export * from './store.js';

export const {
  syncSourceEntries,
  sourcesFileDigest,
  listActiveSources,
  listAllSources,
  saveFetchSuccess,
  findKnownKeys,
  saveNotModified,
  saveFetchFailure,
  listArticlesOfSource,
  listDueSources,
  activeSourceNames,
  pendingFullText,
  saveFullText,
} = facade('feeds');

export { preferSource } from './credit.js';

/** Every source (followed first, then removed) with fetch health and article counts; `now` defaults to ctx.clock. */
export function listSourcesWithHealth(ctx: Pick<AppContext, 'store'> & Partial<Pick<AppContext, 'clock'>>, now?: number): Promise<SourceHealth[]> {
  return ctx.store.feeds.listSourcesWithHealth(now ?? ctx.clock?.now() ?? Date.now());
}
