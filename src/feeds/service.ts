import type { AppContext } from '../context.js';
import type { Service } from '../server.js';
import { syncSources } from './ingest.js';

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
