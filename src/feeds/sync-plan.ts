// What making the sources table match the sources file takes: the same plan on every backend.
import type { SourceEntry } from './opml.js';
import type { Source, SyncResult } from './store.js';

/** Rows to add, rows to update (name, site, weight, company, full text, followed again) and rows no longer in the file. */
export interface SourceSyncPlan {
  add: SourceEntry[];
  update: { id: number; entry: SourceEntry }[];
  remove: number[];
  result: SyncResult;
}

/** Compares the stored sources with the file's entries (by feed URL); a removed source keeps its articles. */
export function planSourceSync(existing: Pick<Source, 'id' | 'feedUrl' | 'name' | 'siteUrl' | 'weight' | 'company' | 'fulltext' | 'active'>[], entries: SourceEntry[]): SourceSyncPlan {
  const byUrl = new Map(existing.map((s) => [s.feedUrl, s]));
  const inFile = new Set<string>();
  const plan: SourceSyncPlan = { add: [], update: [], remove: [], result: { total: entries.length, added: 0, renamed: 0, removed: 0, restored: 0 } };
  for (const e of entries) {
    inFile.add(e.feedUrl);
    const cur = byUrl.get(e.feedUrl);
    if (!cur) {
      plan.add.push(e);
      plan.result.added++;
      continue;
    }
    if (cur.name !== e.name) plan.result.renamed++;
    if (!cur.active) plan.result.restored++;
    if (cur.name !== e.name || cur.siteUrl !== e.siteUrl || cur.weight !== e.weight || cur.company !== e.company || cur.fulltext !== e.fulltext || !cur.active)
      plan.update.push({ id: cur.id, entry: e });
  }
  for (const s of existing) {
    if (s.active && !inFile.has(s.feedUrl)) {
      plan.remove.push(s.id);
      plan.result.removed++;
    }
  }
  return plan;
}
