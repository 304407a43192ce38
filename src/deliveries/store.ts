// What the sender, the admin API and the console need from the delivery ledger, in their own words. Implemented
// once per backend (src/db/sqlite/deliveries.ts, src/db/postgres/deliveries.ts); the contract suite holds both to it.
import type { Edition } from '../domain-types.js';
import type { ReportChannel, ReportKind } from '../domain-types.js';

/** Counts per state of one issue's deliveries, plus copies that may have gone twice. */
export interface DeliveryCounts {
  queued: number;
  sending: number;
  sent: number;
  failed: number;
  bounced: number;
  skipped: number;
  /** Rows in the final `uncertain` state: a copy lost after the final dot twice, not sent a third time. */
  unconfirmed: number;
  /** Copies that may have reached their recipient twice (connection lost after the final dot, crash mid-send). */
  uncertain: number;
}

/** Counts plus pace: messages per second over the last minute and the estimated finish. */
export interface SendProgress extends DeliveryCounts {
  total: number;
  /** Messages per second over the last minute. */
  rate: number;
  /** Estimated milliseconds until nothing is left to send; null when idle or unknown. */
  etaMs: number | null;
  /** Estimated finish time (ms since the epoch); null when unknown. */
  etaAt: number | null;
  issueStatus: string | null;
  pausedReason: string | null;
}

/** A claimed row, with what the sender needs to build its message. */
export interface ClaimedDelivery {
  id: number;
  issueId: number;
  subscriberId: number;
  email: string;
  attempts: number;
  resends: number;
  /** Copies of this delivery that may already have arrived (an earlier drop after the final dot, a crash). */
  uncertain: number;
  /** The reader asked for the text part only. */
  textOnly?: boolean;
  /** Companies the reader left out: their copy is the issue's variant without those stories. */
  excludedCompanies?: string[];
}

/** The issue fields the sender reads to build messages. */
export interface SendableIssue {
  id: number;
  date: string;
  edition: Edition;
  status: string;
  subject: string;
  subjectOverride: string | null;
  html: string;
  text: string;
  pausedReason: string | null;
  sendStartedAt: number | null;
}

/** What a resend request did. */
export interface ResendOutcome {
  queued: number;
  /** For an email resend: why nobody was queued. */
  reason?: 'not_found' | 'not_confirmed' | 'pending';
  /** Set when the idempotency key was used before: that request, whose result this is. */
  prior?: PriorResend;
}

/** A resend recorded under an idempotency key. */
export interface PriorResend {
  issueId: number;
  kind: 'email' | 'failed' | 'missing';
  email: string | null;
  queued: number;
}

/** One recorded resend request. */
export interface ResendRequestRow {
  id: number;
  kind: string;
  email: string | null;
  requestedBy: string;
  requestedAt: number;
  queued: number;
}

/** One delivery row, for tests and the admin page. */
export interface DeliveryRow {
  id: number;
  subscriberId: number;
  status: string;
  attempts: number;
  uncertain: number;
  resends: number;
  nextAttemptAt: number;
  messageId: string | null;
  smtpResponse: string | null;
  lastError: string | null;
  sentAt: number | null;
}

/** Sends of an issue accepted since a time: how many, and the first of them (for the pace over the last minute). */
export interface RecentSends {
  n: number;
  first: number | null;
}

/** One copy the server accepted: what it said, and when. */
export interface SentMark {
  id: number;
  messageId: string;
  response: string;
  at: number;
}

/** The delivery a bounce or complaint report names, as the ledger knows it. */
export interface ReportedDelivery {
  deliveryId: number;
  issueId: number;
  subscriberId: number;
  email: string | null;
  status: string;
}

/** A report to apply: what it is and whom it names (null: nobody with certainty, recorded as unmatched). */
export interface ReportInput {
  channel: ReportChannel;
  kind: ReportKind;
  delivery: ReportedDelivery | null;
  /** For a report that names a subscriber but no delivery (an unsubscribe by mail). */
  subscriberId?: number | null;
  recipient: string | null;
  status: string | null;
  detail: string | null;
  dedupeKey: string;
  at: number;
  softBounceLimit: number;
  /** Complaint rate over which an issue pauses (0.003), counted from `complaintMinSent` sent copies. */
  complaintRate: number;
  complaintMinSent: number;
}

/** What applying a report did. */
export interface ReportOutcome {
  /** false: the same report (its dedupe key) was applied before, and nothing changed. */
  applied: boolean;
  action: string;
  /** Set when the complaint rate paused the issue. */
  pausedIssue?: number;
}

/** One report as the console lists it. */
export interface ReportRow {
  id: number;
  receivedAt: number;
  channel: ReportChannel;
  kind: ReportKind;
  issueId: number | null;
  subscriberId: number | null;
  recipient: string | null;
  status: string | null;
  detail: string | null;
  action: string | null;
}

/** The delivery ledger. Every mark changes only a row its owner still holds (`lease_owner` and status `sending`). */
export interface DeliveriesStore {
  getSendableIssue(issueId: number): Promise<SendableIssue | undefined>;
  /** The issue of a date in an edition (default daily). */
  findIssueIdByDate(date: string, edition?: Edition): Promise<number | undefined>;
  /**
   * Snapshots every confirmed subscriber into one queued delivery each, in one immediate transaction with
   * INSERT … SELECT (no rows pass through JavaScript), and marks the issue sending. Idempotent: the unique
   * (issue, subscriber) index lets a second call add nobody twice. Clears an operator-resumable pause.
   */
  queueIssue(issueId: number, now: number, warmup?: { cap: number; reason: string }): Promise<{ queued: number; status: string; heldBack?: number }>;
  /** When this database first queued an issue (recorded by the first call): day 1 of SEND_WARMUP. */
  firstSendAt(now: number): Promise<number>;
  /**
   * While sending, the WAL is checkpointed by the sender's maintenance tick rather than inside whichever
   * per-row commit crosses the 1,000-page mark (which stalls every connection's replies); the cap stays.
   */
  useSenderCheckpoints(): Promise<void>;
  /** A passive checkpoint: copies what it can without waiting for readers. */
  checkpoint(): Promise<void>;
  /** Issues the sender should work on: sending and not paused for the operator (relay pauses resume by themselves). */
  activeIssueIds(): Promise<number[]>;
  /**
   * Claims up to `limit` due queued rows of an issue for `owner` until `leaseUntil`, in one immediate
   * transaction. Rows whose subscriber is no longer confirmed are skipped instead (unsubscribed or bounced
   * while the issue was sending). Walks the claim index in (next_attempt_at, id) order: no sort, no full scan.
   */
  claimBatch(issueId: number, owner: string, limit: number, now: number, leaseUntil: number): Promise<ClaimedDelivery[]>;
  /**
   * The states of these subscribers right now, in one query (checked again just before their messages are handed
   * to SMTP); a subscriber who no longer exists is absent from the map.
   */
  subscriberStatuses(subscriberIds: readonly number[]): Promise<Map<number, string>>;
  /** A claimed row whose subscriber left while it waited: skipped, never sent. */
  markSkipped(id: number, owner: string, reason: string, now: number): Promise<void>;
  /**
   * A copy lost after the final dot when an earlier copy may already have arrived: final state `uncertain`, so the
   * recipient gets at most two copies (FAULTS 59). Counted as one more uncertain copy.
   */
  markUncertain(id: number, owner: string, messageId: string, error: string, now: number): Promise<void>;
  /**
   * Records the server's acceptance of several copies in one transaction (the sender writes a tick's marks at
   * once); only rows this owner still holds are changed.
   */
  markSent(owner: string, marks: readonly SentMark[]): Promise<void>;
  /**
   * A temporary failure: back to the queue for `nextAttemptAt`, or failed when the schedule is spent.
   * `countAttempt` false gives the try back (the relay, not the recipient, failed). `uncertain` counts a copy
   * the server may have taken (connection lost after the final dot).
   */
  markRetry(id: number, owner: string, o: { error: string; nextAttemptAt: number | null; countAttempt: boolean; uncertain: boolean; messageId?: string }, now: number): Promise<void>;
  /** A permanent failure that is not the recipient's fault (content refused): failed, no retry. */
  markFailed(id: number, owner: string, error: string, now: number): Promise<void>;
  /**
   * A 5xx for the recipient: the delivery is bounced, the subscriber becomes bounced (with a consent event)
   * and their other queued deliveries are skipped, all in one transaction.
   */
  markBounced(id: number, owner: string, subscriberId: number, error: string, now: number): Promise<void>;
  /** Gives claimed rows back untouched (shutdown, pause before sending): no attempt, not uncertain. */
  releaseClaims(ids: number[], owner: string, now: number, nextAttemptAt?: number): Promise<void>;
  /** Gives back, untouched, every row `owner` holds except `keep` (claims the owner never learnt it made); returns how many. */
  releaseOrphanClaims(owner: string, keep: number[], now: number): Promise<number>;
  /** Extends the lease of every row this owner holds in the given issues: a live process keeps its claims. */
  renewLeases(owner: string, leaseUntil: number): Promise<number>;
  /**
   * Puts rows whose lease ran out (their process died) back in the queue, counted as uncertain: the
   * crashed process may have handed them to the server. Returns how many were recovered.
   */
  recoverExpiredLeases(now: number): Promise<number>;
  /** Owners holding rows mid-send right now (to find those whose process is gone). */
  claimOwners(): Promise<string[]>;
  /** Takes back at once the rows of owners whose process is provably gone (same host, pid dead), as a lease expiry would. */
  recoverOwners(owners: string[], now: number): Promise<number>;
  /** Marks issues sent whose deliveries have all reached a final state; returns their ids. */
  finishCompletedIssues(now: number): Promise<number[]>;
  /** The earliest next_attempt_at among an issue's queued rows (to sleep until then); null when none. */
  nextDueAt(issueIds: number[]): Promise<number | null>;
  /** Sets or clears why an issue is paused; with `onlyIfPrefix` only when it is not paused for another reason. */
  setPausedReason(issueId: number, reason: string | null, now: number, onlyIfPrefix?: string): Promise<void>;
  /** Clears pauses that a fresh process should retry by itself (relay and authentication). */
  clearTransientPauses(now: number): Promise<void>;
  deliveryCounts(issueId: number): Promise<DeliveryCounts>;
  /** Whether an issue still has deliveries waiting or in flight. */
  hasPendingDeliveries(issueId: number): Promise<boolean>;
  /** The resend recorded under an idempotency key, if any. */
  findResendByKey(key: string): Promise<PriorResend | null>;
  /**
   * Queues operator resends in one immediate transaction and records the request (who, when, what, how many).
   * Never reaches anyone not confirmed. `email`: a new copy even if sent before; `failed`: every failed
   * delivery; `missing`: confirmed subscribers without a delivery of this issue.
   */
  queueResend(issueId: number, req: { kind: 'email'; email: string } | { kind: 'failed' } | { kind: 'missing' }, requestedBy: string, now: number, idempotencyKey?: string): Promise<ResendOutcome>;
  listResendRequests(issueId: number): Promise<ResendRequestRow[]>;
  /** Records a test copy, apart from deliveries. */
  recordTestSend(t: { issueId: number; email: string; at: number; status: 'sent' | 'failed'; messageId?: string; smtpResponse?: string; error?: string }): Promise<number>;
  /** The unsubscribe-link subject of an address, when it belongs to a subscriber. */
  subscriberIdByEmail(email: string): Promise<number | undefined>;
  /** A page of an issue's deliveries by id (never all at once). */
  listDeliveries(issueId: number, afterId?: number, limit?: number): Promise<DeliveryRow[]>;

  recentSends(issueId: number, since: number): Promise<RecentSends>;
  issueState(issueId: number): Promise<{ status: string; pausedReason: string | null } | undefined>;
  /**
   * Reserves `n` send slots `gapMs` apart on the budget shared by every sender of this database; returns the time
   * the first slot starts. Senders in several processes together keep to one SEND_RATE.
   */
  reserveSendSlots(n: number, gapMs: number, now: number): Promise<number>;
  /** The delivery of a VERP token's id, or of (issue, subscriber) from a Message-ID; null when there is none. */
  findReportedDelivery(q: { deliveryId: number } | { issueId: number; subscriberId: number }): Promise<ReportedDelivery | null>;
  /** The latest delivery sent to an address (for provider events that name only the recipient); null for none. */
  latestDeliveryTo(email: string): Promise<ReportedDelivery | null>;
  /**
   * Applies a report once (by its dedupe key) in one transaction: records it, and by its kind bounces the subscriber
   * (hard, or the soft-bounce limit of issues in a row reached), counts a soft bounce once per issue, unsubscribes on
   * a complaint or an unsubscribe by mail (and pauses the issue past the complaint rate); every change goes on the
   * subscriber's history and the suppression log.
   */
  applyReport(r: ReportInput): Promise<ReportOutcome>;
  /** Hard bounces, soft bounces and complaints of each issue. */
  reportCounts(issueIds: number[]): Promise<Map<number, { hard: number; soft: number; complaints: number }>>;
  /** The latest reports, newest first; of one subscriber or one issue when given. */
  listReports(q: { subscriberId?: number; issueId?: number; limit?: number }): Promise<ReportRow[]>;
}
