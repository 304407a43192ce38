import type { AppContext } from '../context.js';

/** Names of the sources the landing page lists (active ones, alphabetically). */
export async function activeSourceNames(ctx: Pick<AppContext, 'sqlite'>): Promise<string[]> {
  const rows = ctx.sqlite.prepare('SELECT name FROM sources WHERE active = 1 AND removed_at IS NULL ORDER BY name COLLATE NOCASE').all() as { name: string }[];
  return rows.map((r) => r.name);
}
