// Stored issues as assembling, editing and the archive call them: each function is the store's, given a context.
import { facade } from '../store.js';

export * from './store.js';

export const {
  publicVersion,
  getIssue,
  getIssueByDate,
  countIssueArticles,
  listArchiveIssues,
  countArchiveIssues,
  listAllIssues,
  deliveryCounts,
  previousCutoff,
  unassignedArticles,
  historyArticles,
  followedSourceNames,
  getIssueArticles,
  weekArticles,
  insertIssue,
  updateDraftIssue,
  adjacentArchiveDates,
  llmCacheGet,
  llmCachePut,
  llmSpend,
  llmSpent,
} = facade('issues');

/** Whether an issue row is in the public archive (the same rule as archiveWhere). */
export function isPublished(row: { status: string; pausedReason: string | null }): boolean {
  return (row.status === 'sending' || row.status === 'sent') && !(row.pausedReason ?? '').startsWith('refused:');
}
