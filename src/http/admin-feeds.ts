import type { Hono } from 'hono';
import type { AppContext } from '../context.js';
import type { SourceHealth } from '../feeds/repo.js';
import { currentSources } from '../feeds/service.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** A source's health as the API shows it: times as ISO 8601 strings. */
export function sourceHealthJson(s: SourceHealth) {
  return {
    id: s.id,
    name: s.name,
    feedUrl: s.feedUrl,
    siteUrl: s.siteUrl,
    weight: s.weight,
    active: s.active,
    removedAt: iso(s.removedAt),
    lastFetchAt: iso(s.lastFetchAt),
    lastSuccessAt: iso(s.lastSuccessAt),
    lastError: s.lastError,
    consecutiveFailures: s.consecutiveFailures,
    retryAfter: iso(s.retryAfter),
    articleCount: s.articleCount,
    articlesLast7Days: s.articlesLast7Days,
  };
}

/** POST /api/admin/ingest (poll every source now) and GET /api/admin/sources (sources with health). */
export function registerAdminFeedsApi(app: Hono, ctx: AppContext): void {
  app.post('/api/admin/ingest', async (c) => c.json(await (await import('../feeds/ingest.js')).ingestAll(ctx)));
  app.get('/api/admin/sources', async (c) => c.json({ sources: (await currentSources(ctx)).map(sourceHealthJson) }));
}
