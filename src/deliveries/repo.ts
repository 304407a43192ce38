// The delivery ledger, as the sender, the API and the console call it: each function is the store's, given a context.
import type { AppContext } from '../context.js';
import type { SendProgress } from './store.js';
import { facade } from '../store.js';

export * from './store.js';

export const {
  getSendableIssue,
  findIssueIdByDate,
  queueIssue,
  firstSendAt,
  useSenderCheckpoints,
  checkpoint,
  activeIssueIds,
  claimBatch,
  subscriberStatuses,
  markSkipped,
  markUncertain,
  markSent,
  markRetry,
  markFailed,
  markBounced,
  releaseClaims,
  releaseOrphanClaims,
  renewLeases,
  recoverExpiredLeases,
  claimOwners,
  recoverOwners,
  finishCompletedIssues,
  nextDueAt,
  setPausedReason,
  clearTransientPauses,
  deliveryCounts,
  hasPendingDeliveries,
  findResendByKey,
  queueResend,
  listResendRequests,
  recordTestSend,
  subscriberIdByEmail,
  listDeliveries,
  recentSends,
  issueState,
  reserveSendSlots,
  findReportedDelivery,
  latestDeliveryTo,
  applyReport,
  reportCounts,
  listReports,
} = facade('deliveries');

/** Counts, pace over the last minute and an estimated finish, for the API, the admin page and the CLI. */
export async function sendProgress(ctx: Pick<AppContext, 'store'>, issueId: number, now: number): Promise<SendProgress> {
  const d = ctx.store.deliveries;
  const [counts, issue, recent] = await Promise.all([d.deliveryCounts(issueId), d.issueState(issueId), d.recentSends(issueId, now - 60_000)]);
  // Over the last minute, or since the first send of that minute when the send is younger than that.
  const span = recent.first !== null ? Math.max(1000, Math.min(60_000, now - recent.first)) : 60_000;
  const rate = recent.n > 0 ? recent.n / (span / 1000) : 0;
  const left = counts.queued + counts.sending;
  const etaMs = left === 0 ? 0 : rate > 0 ? Math.round((left / rate) * 1000) : null;
  const total = counts.queued + counts.sending + counts.sent + counts.failed + counts.bounced + counts.skipped + counts.unconfirmed;
  return {
    ...counts,
    total,
    rate: Math.round(rate * 10) / 10,
    etaMs,
    etaAt: etaMs === null ? null : now + etaMs,
    issueStatus: issue?.status ?? null,
    pausedReason: issue?.pausedReason ?? null,
  };
}
