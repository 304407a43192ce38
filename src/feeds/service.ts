import type { AppContext } from '../context.js';
import type { Service } from '../server.js';
import { syncSources } from './sources.js';
import { listSourcesWithHealth, type SourceHealth } from './repo.js';

/** Server starter: syncs the sources file once at start; a broken file is logged, never fatal (the last good list stays). */
export async function startSourcesSync(ctx: AppContext): Promise<Service> {
  try {
    const r = await syncSources(ctx);
    ctx.log.info({ sources: r.total, added: r.added, renamed: r.renamed, removed: r.removed }, 'sources loaded');
  } catch (err) {
    ctx.log.error({ error: (err as Error).message, file: ctx.config.sourcesFile }, 'sources file not loaded');
  }
  return { name: 'sources-sync', stop: async () => {} };
}

/**
 * The sources with their health after reading SOURCES_FILE again, so a source taken out of the file shows as
 * no longer followed at once, not as failing until the next ingest. A broken file leaves the last good list.
 */
export async function currentSources(ctx: AppContext, now = ctx.clock.now()): Promise<SourceHealth[]> {
  try {
    await syncSources(ctx);
  } catch (err) {
    ctx.log.warn({ error: (err as Error).message, file: ctx.config.sourcesFile }, 'sources file not read; showing the last good list');
  }
  return listSourcesWithHealth(ctx, now);
}
