// Leases, scheduled runs and shared counters as the jobs and the HTTP limits call them: the store's, given a context.
import { facade } from '../store.js';

export * from './store.js';

export const {
  acquireLease,
  releaseLease,
  getJobRun,
  beginJobRun,
  finishJobRun,
  recordSkippedRun,
  listJobRuns,
  latestIssueDate,
  scheduleStartedAt,
  hitRateLimit,
  pruneRateLimits,
} = facade('jobs');
