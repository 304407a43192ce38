// The sender: claim due deliveries with a lease, build each message from the issue's template,
// hand it to the mailer, and record the server's answers a tick at a time (one transaction for many marks).
import { COMPLAINT_MIN_SENT, COMPLAINT_RATE } from '../bounces/policy.js';
import { verpAddress } from '../bounces/verp.js';
import { addressDomain } from '../mail/compose.js';
import type { AppContext } from '../context.js';
import { newOwnerId, ownerIsGone } from '../lib/owner.js';
import { MailError, type SendResult } from '../mail/mailer.js';
import { recipientUnsubscribeUrl } from './links.js';
import { issueCopies, type IssueCopies } from './variants.js';
import {
  activeIssueIds,
  checkpoint,
  claimBatch,
  claimOwners,
  finishCompletedIssues,
  getSendableIssue,
  applyReport,
  markBounced,
  markFailed,
  markRetry,
  markSent,
  markSkipped,
  markUncertain,
  recoverExpiredLeases,
  recoverOwners,
  releaseClaims,
  releaseOrphanClaims,
  reserveSendSlots,
  renewLeases,
  setPausedReason,
  subscriberStatuses,
  useSenderCheckpoints,
  type ClaimedDelivery,
  type SentMark,
} from './repo.js';

/** Named points in the send loop where a test may kill the process. */
export type CrashPoint = 'after_claim' | 'before_smtp' | 'after_smtp_ok' | 'after_mark';

export interface SenderOptions {
  /** Lease owner id; unique per process by default. */
  owner?: string;
  /** Messages handed to the mailer at once (default 2 × SMTP_POOL_SIZE: one in flight, one ready per connection). */
  concurrency?: number;
  /** Rows claimed per transaction (default 32, at least 2 × SMTP_POOL_SIZE); the next batch is claimed before this one runs out. */
  batchSize?: number;
  /**
   * Accepted copies whose `sent` marks are written in one transaction (default SEND_MARK_BATCH). Never more than
   * this many accepted copies wait for their mark, so a kill can duplicate at most SMTP_POOL_SIZE + this many.
   */
  markBatch?: number;
  /** Longest a mark waits for its batch to fill (default 20 ms). */
  markFlushMs?: number;
  /** How long a claim lasts without renewal (default 30 s); a dead process's rows return after it. */
  leaseMs?: number;
  /** Lease renewal, crash recovery and completion checks (default every 5 s). */
  maintenanceMs?: number;
  /** Longest sleep when nothing is due (default 1 s). */
  idlePollMs?: number;
  /** First and longest wait while the relay is unreachable (default 2 s … 5 min). */
  relayBackoffMs?: [number, number];
  /** First and longest wait for one receiving domain that answered 421 to a recipient (default 1 min … 1 h). */
  domainBackoffMs?: [number, number];
  /**
   * Circuit breaker: pause an issue when more than `ratio` of the last `window` attempts failed (after `min`, small,
   * so a short list whose every copy is refused pauses too). A recipient's own hard bounce does not count.
   */
  breaker?: { window: number; min: number; ratio: number };
  /** How long stop() waits for messages in flight before abandoning them to their lease (default 10 s). */
  drainMs?: number;
  /** Only this issue (the CLI's `send`); default every issue that is sending. */
  issueId?: number;
  /** Called at named points (tests kill the process there). */
  onPoint?: (point: CrashPoint, count: number) => void;
}

/** What the sender is doing, for status lines. */
export interface SenderState {
  running: boolean;
  inFlight: number;
  relayPausedUntil: number | null;
  relayReason: string | null;
  sent: number;
}

export interface Sender {
  start(): void;
  /** No new claims; in-flight messages finish and are marked; unsent claims are released. */
  stop(): Promise<void>;
  /** Look for work now (after a send or resend was queued). */
  wake(): void;
  state(): SenderState;
  /** One maintenance pass now: renew leases, recover expired ones, finish completed issues. */
  maintain(): Promise<void>;
}

/** How old a subscriber's state may be when their message is handed to SMTP (an SMTP transaction takes longer). */
const STATUS_FRESH_MS = 50;
/** Subscribers whose state one query reads. */
const STATUS_BATCH = 64;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** Builds the sender on a context; `start()` runs it until `stop()`. */
export function createSender(ctx: AppContext, o: SenderOptions = {}): Sender {
  const cfg = ctx.config;
  const owner = o.owner ?? newOwnerId();
  const concurrency = o.concurrency ?? Math.max(2, cfg.smtpPoolSize * 2);
  const batchSize = o.batchSize ?? Math.max(32, cfg.smtpPoolSize * 2);
  const leaseMs = o.leaseMs ?? 30_000;
  const maintenanceMs = o.maintenanceMs ?? 5_000;
  const idlePollMs = o.idlePollMs ?? 1000;
  const [backoffMin, backoffMax] = o.relayBackoffMs ?? [2000, 300_000];
  const breaker = o.breaker ?? { window: 100, min: 5, ratio: 0.5 };
  const drainMs = o.drainMs ?? 10_000;
  const markBatch = Math.max(1, o.markBatch ?? cfg.sendMarkBatch);
  const markFlushMs = o.markFlushMs ?? 20;
  // Messages on SMTP sockets at once: the pool. Workers beyond it prepare the next message but hand it over only
  // when a slot frees, after checking the subscriber and the ledger once more.
  const slots = { free: cfg.smtpPoolSize, waiting: [] as (() => void)[] };
  const acquire = () => (slots.free > 0 ? (slots.free--, Promise.resolve()) : new Promise<void>((r) => slots.waiting.push(r)));
  const releaseSlot = () => {
    const next = slots.waiting.shift();
    if (next) next();
    else slots.free++;
  };
  /** Receiving domains that answered 421 to a recipient, and until when their copies wait. */
  const domainPaused = new Map<string, { until: number; wait: number }>();
  const domainBackoff = o.domainBackoffMs ?? [60_000, 3_600_000];
  /** Set when a ledger write failed: nothing more goes to SMTP until a write succeeds again. */
  let storeError: string | null = null;
  /** Copies the server accepted whose `sent` mark could not be written yet (kept and written once the store answers). */
  const unmarked: SentMark[] = [];
  /** Accepted copies waiting for the next mark transaction. */
  const pendingMarks: SentMark[] = [];
  /** Accepted copies not yet recorded (pending, being written, or unmarked): with those in flight, the kill bound. */
  let awaitingMark = 0;
  let flushing: Promise<void> | null = null;
  let flushTimer: NodeJS.Timeout | undefined;
  let roomWaiters: (() => void)[] = [];
  const schedule = cfg.sendRetryScheduleMs;
  const log = ctx.log.child({ component: 'sender' });
  const envelopeFrom = /<([^>]+)>/.exec(cfg.mailFrom)?.[1] ?? cfg.mailFrom;

  const templates = new Map<number, Promise<IssueCopies>>();
  /** Subscriber states read together for the rows about to go out (see statusBeforeSend). */
  const fresh = new Map<number, { status: string | null; at: number }>();
  /** When each buffered row was claimed (the claim read its subscriber's state). */
  const claimedAt = new Map<number, number>();
  let lastClaimFull = false;
  let prefetching = false;
  const buffer: ClaimedDelivery[] = [];
  const inFlight = new Set<number>();
  const held = new Set<number>();
  const outcomes: boolean[] = [];
  const counts: Record<CrashPoint, number> = { after_claim: 0, before_smtp: 0, after_smtp_ok: 0, after_mark: 0 };
  let running = false;
  let stopping = false;
  let workers: Promise<void>[] = [];
  let maintTimer: NodeJS.Timeout | undefined;
  let claiming: Promise<void> | null = null;
  let wakeResolvers: (() => void)[] = [];
  let relayPausedUntil = 0;
  let relayBackoff = 0;
  let relayReason: string | null = null;
  // Send slots reserved from the budget every sender of this database shares (SEND_RATE is one rate for all of them).
  let sendSlots: number[] = [];
  let reserving: Promise<void> | null = null;
  let sent = 0;
  let issueCursor = 0;
  let lastCheckpointAt = 0;
  let lastCheckpointSent = 0;

  const point = (p: CrashPoint) => {
    if (o.onPoint) o.onPoint(p, ++counts[p]);
  };
  const wake = () => {
    const rs = wakeResolvers;
    wakeResolvers = [];
    for (const r of rs) r();
  };
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(1, ms));
      wakeResolvers.push(() => {
        clearTimeout(t);
        resolve();
      });
    });

  async function copiesFor(issueId: number): Promise<IssueCopies | null> {
    const t = templates.get(issueId);
    if (t) return t;
    const issue = await getSendableIssue(ctx, issueId);
    if (!issue) return null;
    const pending = issueCopies(ctx, issueId, issue);
    templates.set(issueId, pending);
    pending.catch(() => templates.delete(issueId));
    return pending;
  }

  async function issueIds(): Promise<number[]> {
    const ids = await activeIssueIds(ctx);
    return o.issueId !== undefined ? ids.filter((id) => id === o.issueId) : ids;
  }

  /** Fills the buffer with one batch from the next active issue that has due rows. */
  async function claimMore(): Promise<void> {
    const ids = await issueIds();
    const now = ctx.clock.now();
    for (let i = 0; i < ids.length && !stopping; i++) {
      const id = ids[(issueCursor + i) % ids.length]!;
      const rows = await claimBatch(ctx, id, owner, batchSize, now, now + leaseMs);
      if (rows.length) {
        issueCursor = (issueCursor + i + 1) % ids.length;
        const at = Date.now();
        for (const r of rows) {
          held.add(r.id);
          claimedAt.set(r.id, at);
        }
        buffer.push(...rows);
        lastClaimFull = rows.length >= batchSize;
        point('after_claim');
        return;
      }
    }
    lastClaimFull = false;
  }

  async function next(): Promise<ClaimedDelivery | null> {
    if (buffer.length) {
      const row = buffer.shift()!;
      // The next batch is claimed while this one still has rows, between socket events: the connections never
      // stand idle waiting for a claim, and a claim never runs inside a reply's handling.
      if (buffer.length < batchSize / 2 && lastClaimFull && !claiming && !prefetching && !stopping && storeError === null) {
        prefetching = true;
        setImmediate(() => {
          prefetching = false;
          if (claiming || stopping || storeError !== null) return;
          claiming = claimMore()
            .catch((err) => storeFailed(err))
            .finally(() => (claiming = null));
        });
      }
      return row;
    }
    if (!claiming) claiming = claimMore().finally(() => (claiming = null));
    await claiming;
    return buffer.shift() ?? null;
  }

  async function pace(): Promise<void> {
    if (cfg.sendRate <= 0) return;
    const gap = 1000 / cfg.sendRate;
    while (!sendSlots.length) {
      if (!reserving) reserving = reserveSlots(gap).finally(() => (reserving = null));
      await reserving;
    }
    const at = sendSlots.shift()!;
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
  }

  /** About a tenth of a second of the shared budget at a time: few round trips, and senders interleave finely. */
  async function reserveSlots(gap: number): Promise<void> {
    const n = Math.max(1, Math.min(50, Math.ceil(cfg.sendRate / 10)));
    const now = Date.now();
    let start: number;
    try {
      start = await reserveSendSlots(ctx, n, gap, now);
    } catch {
      // The store did not answer: pace by this process alone for now (the ledger write that follows will say why).
      start = Math.max(now, (sendSlots.at(-1) ?? now) + gap);
    }
    sendSlots = Array.from({ length: n }, (_, i) => start + i * gap);
  }


  /**
   * The subscriber's state, read at most STATUS_FRESH_MS before the message leaves. One query reads it for this row
   * and the next ones in the buffer, so a send does not cost a query per message.
   */
  async function statusBeforeSend(row: ClaimedDelivery): Promise<string | null> {
    // The claim itself read the state (it hands out confirmed subscribers only): fresh enough if just now.
    const claimed = claimedAt.get(row.id);
    claimedAt.delete(row.id);
    if (claimed !== undefined && Date.now() - claimed <= STATUS_FRESH_MS) return 'confirmed';
    const known = fresh.get(row.subscriberId);
    fresh.delete(row.subscriberId);
    if (known && Date.now() - known.at <= STATUS_FRESH_MS) return known.status;
    const ids = [row.subscriberId, ...buffer.slice(0, STATUS_BATCH - 1).map((r) => r.subscriberId)];
    const at = Date.now();
    const states = await subscriberStatuses(ctx, ids);
    if (fresh.size > STATUS_BATCH * 4) fresh.clear();
    for (const id of ids.slice(1)) fresh.set(id, { status: states.get(id) ?? null, at });
    return states.get(row.subscriberId) ?? null;
  }

  function queueMark(m: SentMark): void {
    pendingMarks.push(m);
    // Written between socket events (setImmediate), not inside this reply's handling.
    if (pendingMarks.length === markBatch) setImmediate(() => void flushMarks());
    else if (!flushTimer && !flushing) {
      flushTimer = setTimeout(() => void flushMarks(), markFlushMs);
      flushTimer.unref?.();
    }
  }

  /** Writes every pending mark in one transaction; a failed write keeps them, to write once the store answers. */
  function flushMarks(): Promise<void> {
    if (flushTimer) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    if (flushing) return flushing.then(() => flushMarks());
    if (!pendingMarks.length) return Promise.resolve();
    const batch = pendingMarks.splice(0);
    const run = (async () => {
      try {
        await markSent(ctx, owner, batch);
      } catch (err) {
        // Sent but not recorded: kept here and written once the store answers (the lease is renewed meanwhile).
        unmarked.push(...batch);
        storeFailed(err, batch[0]?.id);
        return;
      }
      awaitingMark -= batch.length;
      for (const m of batch) {
        held.delete(m.id);
        sent++;
        point('after_mark');
      }
    })();
    flushing = run.finally(() => {
      flushing = null;
      const ws = roomWaiters;
      roomWaiters = [];
      for (const w of ws) w();
      if (pendingMarks.length >= markBatch) void flushMarks();
      else if (pendingMarks.length && !flushTimer) {
        flushTimer = setTimeout(() => void flushMarks(), markFlushMs);
        flushTimer.unref?.();
      }
    });
    return flushing;
  }

  /** Waits until one more copy may go out: accepted-but-unrecorded copies and those in flight stay within the bound. */
  async function roomForOneMore(): Promise<void> {
    while (awaitingMark + inFlight.size >= cfg.smtpPoolSize + markBatch && storeError === null && !stopping) {
      const wait = new Promise<void>((r) => roomWaiters.push(r));
      void flushMarks();
      await wait;
    }
  }

  async function release(rows: ClaimedDelivery[], nextAttemptAt = 0): Promise<void> {
    await releaseClaims(
      ctx,
      rows.map((r) => r.id),
      owner,
      ctx.clock.now(),
      nextAttemptAt,
    );
    for (const r of rows) {
      held.delete(r.id);
      claimedAt.delete(r.id);
    }
  }

  function recordOutcome(ok: boolean, issueId: number, error?: string): void {
    outcomes.push(ok);
    if (outcomes.length > breaker.window) outcomes.shift();
    const failures = outcomes.filter((x) => !x).length;
    if (outcomes.length >= breaker.min && failures > outcomes.length * breaker.ratio) {
      const reason = `breaker: ${failures} of the last ${outcomes.length} attempts failed (last error: ${error ?? 'unknown'}); send the issue again to resume`;
      outcomes.length = 0;
      log.error({ issueId, reason }, 'circuit breaker tripped: issue paused');
      // Not awaited (an SMTP outcome is being recorded); a store that fails here says so through the next write.
      void setPausedReason(ctx, issueId, reason, ctx.clock.now()).catch((err) => storeFailed(err));
      void drainBuffer().catch((err) => storeFailed(err));
    }
  }

  async function drainBuffer(nextAttemptAt = 0): Promise<void> {
    const rows = buffer.splice(0);
    try {
      if (rows.length) await release(rows, nextAttemptAt);
    } catch (err) {
      // Not given back: they stay ours, to give back (or send) once the store answers.
      buffer.unshift(...rows);
      throw err;
    }
  }

  /**
   * Gives back claims that are ours in the ledger but unknown here (their answer was lost with the connection): never
   * handed to SMTP, so queued again as they were. Runs while no claim is in flight, or a fresh claim would look orphaned.
   */
  async function releaseOrphans(): Promise<void> {
    while (claiming) await claiming.catch(() => {});
    const run = releaseOrphanClaims(ctx, owner, [...held], ctx.clock.now()).then((n) => {
      if (n) log.warn({ released: n }, 'claims whose answer was lost with the database connection are queued again');
    });
    claiming = run.catch(() => {}).finally(() => (claiming = null));
    await run;
  }

  async function relayDown(err: MailError, issueId: number): Promise<void> {
    const now = ctx.clock.now();
    // Several messages fail together when the relay goes: one failure sets the pause, the rest just wait.
    if (Date.now() < relayPausedUntil) return drainBuffer();
    relayBackoff = relayBackoff ? Math.min(relayBackoff * 2, backoffMax) : backoffMin;
    const wait = Math.max(relayBackoff, err.opts.retryAfterMs ?? 0);
    const first = relayPausedUntil === 0 && relayReason === null;
    relayPausedUntil = Date.now() + wait;
    relayReason = `relay: ${err.message}; retrying in ${Math.round(wait / 1000)} s`;
    if (first) log.error({ err: err.message, retryInMs: wait }, 'SMTP relay unavailable: sending paused, will retry by itself');
    else log.warn({ err: err.message, retryInMs: wait }, 'SMTP relay still unavailable');
    for (const id of new Set([issueId, ...(await issueIds())])) await setPausedReason(ctx, id, relayReason, now, 'relay:');
    await drainBuffer();
  }

  async function relayBack(): Promise<void> {
    if (relayReason === null) return;
    relayReason = null;
    relayPausedUntil = 0;
    relayBackoff = 0;
    log.info('SMTP relay reachable again: sending resumed');
    const now = ctx.clock.now();
    for (const id of await activeIssueIds(ctx)) await setPausedReason(ctx, id, null, now, 'relay:');
  }

  async function authFailed(err: MailError, issueId: number): Promise<void> {
    const reason = `auth: SMTP authentication failed (${err.message}); fix SMTP_URL, then restart or send the issue again`;
    const ids = new Set([issueId, ...(await issueIds())]);
    const already = (await getSendableIssue(ctx, issueId))?.pausedReason?.startsWith('auth:');
    for (const id of ids) await setPausedReason(ctx, id, reason, ctx.clock.now());
    if (!already) log.fatal({ err: err.message }, 'SMTP authentication failed: sending stopped, nobody marked failed');
    await drainBuffer();
  }

  /** A ledger write failed (disk full, busy, read-only): stop handing messages over and give the unsent claims back. */
  function storeFailed(err: unknown, deliveryId?: number): void {
    const msg = (err as Error)?.message ?? String(err);
    if (storeError === null) log.error({ err: msg, deliveryId }, 'the ledger cannot be written: no more messages handed to SMTP until it can');
    storeError = msg;
  }

  /** Writes the marks that failed and gives back the buffered claims; clears storeError when the store answers. */
  async function repairStore(): Promise<boolean> {
    try {
      if (unmarked.length) {
        const batch = unmarked.slice();
        await markSent(ctx, owner, batch);
        unmarked.splice(0, batch.length);
        awaitingMark -= batch.length;
        for (const m of batch) {
          held.delete(m.id);
          sent++;
        }
      }
      await drainBuffer();
      // Else such a claim would wait for a lease this very process keeps renewing.
      if (storeError !== null) await releaseOrphans();
    } catch (err) {
      storeError = (err as Error)?.message ?? String(err);
      return false;
    }
    if (storeError !== null) log.info('the ledger can be written again: sending resumed');
    storeError = null;
    return true;
  }

  async function deliver(row: ClaimedDelivery): Promise<void> {
    const copies = await copiesFor(row.issueId);
    if (!copies) {
      await release([row]);
      return;
    }
    const tpl = await copies.templateFor(row.excludedCompanies);
    // A receiving domain that asked us to slow down waits; the other domains go on.
    const slow = domainPaused.get(addressDomain(row.email));
    if (slow && slow.until > Date.now()) {
      await release([row], ctx.clock.now() + (slow.until - Date.now()));
      return;
    }
    const { raw, messageId } = tpl.pieces({
      subscriberId: row.subscriberId,
      email: row.email,
      unsubscribeUrl: recipientUnsubscribeUrl(ctx, row.subscriberId),
      resend: row.resends,
      ...(row.textOnly ? { textOnly: true } : {}),
      trackingToken: copies.trackingToken(row.subscriberId, ctx.clock.now()),
    });
    await pace();
    await acquire();
    try {
      await roomForOneMore();
      // The last moment before the message leaves: a broken ledger or an unsubscribe since the claim stops it.
      if (storeError !== null || stopping) {
        buffer.unshift(row);
        return;
      }
      const status = await statusBeforeSend(row);
      if (status !== 'confirmed') {
        await markSkipped(ctx, row.id, owner, `subscriber ${status ?? 'gone'}`, ctx.clock.now());
        held.delete(row.id);
        log.info({ deliveryId: row.id, subscriberId: row.subscriberId, status }, 'subscriber left while the issue was sending: not sent');
        return;
      }
      point('before_smtp');
      inFlight.add(row.id);
      let res: SendResult;
      try {
        // With BOUNCE_ADDRESS, the envelope sender names this delivery (VERP): a later bounce finds it.
        const from = cfg.bounceAddress ? verpAddress(cfg.secretKey, cfg.bounceAddress, row.id) : envelopeFrom;
        res = await ctx.mailer.sendRaw({ from, to: row.email, raw, messageId });
      } catch (e) {
        inFlight.delete(row.id);
        await failed(row, e, messageId);
        held.delete(row.id);
        return;
      }
      // Counted before it leaves the in-flight set, so the two together never dip below what a kill could duplicate.
      awaitingMark++;
      inFlight.delete(row.id);
      point('after_smtp_ok');
      queueMark({ id: row.id, messageId: res.messageId || messageId, response: res.response, at: ctx.clock.now() });
      recordOutcome(true, row.issueId);
      if (relayReason !== null) await relayBack();
      relayBackoff = 0;
      domainPaused.delete(addressDomain(row.email));
    } catch (err) {
      storeFailed(err, row.id);
      throw err;
    } finally {
      releaseSlot();
    }
  }

  /** Classifies a failed send and records it: bounce, failure, retry on the schedule, or a relay/auth pause. */
  async function failed(row: ClaimedDelivery, e: unknown, messageId: string): Promise<void> {
    const err = e instanceof MailError ? e : new MailError((e as Error)?.message ?? String(e), false);
    const now = ctx.clock.now();
    if (err.opts.responseCode === 421 && err.opts.command === 'RCPT TO') {
      // One receiving domain deferring ("421 4.7.0 try again later") slows that domain only: the relay is fine.
      const domain = addressDomain(row.email);
      const prev = domainPaused.get(domain);
      const wait = Math.min(domainBackoff[1], Math.max(domainBackoff[0], err.opts.retryAfterMs ?? 0, prev ? prev.wait * 2 : 0));
      domainPaused.set(domain, { until: Date.now() + wait, wait });
      await release([row], now + wait);
      log.warn({ domain, waitMs: wait, err: err.message }, 'a receiving domain is deferring (421): slowing that domain only');
    } else if (err.opts.auth) {
      await release([row]);
      await authFailed(err, row.issueId);
    } else if (err.opts.connection && !err.opts.afterData) {
      await release([row]);
      await relayDown(err, row.issueId);
    } else if (err.permanent && err.opts.command !== 'DATA' && err.opts.command !== 'MAIL FROM') {
      await markBounced(ctx, row.id, owner, row.subscriberId, err.message, now);
      log.info({ deliveryId: row.id, subscriberId: row.subscriberId, err: err.message }, 'hard bounce: subscriber marked bounced');
    } else if (err.opts.afterData && row.uncertain >= 1) {
      // An earlier copy may have arrived already: a second loss after the dot ends here, never a third copy.
      await markUncertain(ctx, row.id, owner, messageId, err.message, now);
      log.warn({ deliveryId: row.id, err: err.message }, 'connection lost after the final dot again: delivery left uncertain, not sent a third time');
    } else if (err.permanent) {
      await markFailed(ctx, row.id, owner, err.message, now);
      log.warn({ deliveryId: row.id, err: err.message }, 'message refused permanently');
      recordOutcome(false, row.issueId, err.message);
    } else {
      const wait = schedule[row.attempts];
      const nextAt = wait === undefined ? null : now + Math.max(wait, err.opts.retryAfterMs ?? 0);
      await markRetry(ctx, row.id, owner, { error: err.message, nextAttemptAt: nextAt, countAttempt: true, uncertain: Boolean(err.opts.afterData), messageId }, now);
      // A recipient's own temporary refusal (452 mailbox full) is a soft bounce of this issue, counted once.
      if (err.opts.command === 'RCPT TO' && typeof err.opts.responseCode === 'number' && err.opts.responseCode >= 400 && err.opts.responseCode < 500)
        await countSoftBounce(row, err);
      if (err.opts.afterData) log.warn({ deliveryId: row.id, err: err.message }, 'connection lost after the final dot: copy counted as uncertain, sent once more');
      if (nextAt === null) log.warn({ deliveryId: row.id, err: err.message, attempts: row.attempts + 1 }, 'delivery failed after its last retry');
      recordOutcome(false, row.issueId, err.message);
    }
  }

  async function countSoftBounce(row: ClaimedDelivery, err: MailError): Promise<void> {
    try {
      await applyReport(ctx, {
        channel: 'smtp',
        kind: 'soft',
        delivery: { deliveryId: row.id, issueId: row.issueId, subscriberId: row.subscriberId, email: row.email, status: 'sending' },
        recipient: row.email,
        status: /\b4\.\d{1,3}\.\d{1,3}\b/.exec(err.message)?.[0] ?? String(err.opts.responseCode),
        detail: `refused while sending: ${err.message}`.slice(0, 300),
        dedupeKey: `sync:${row.id}`,
        at: ctx.clock.now(),
        softBounceLimit: cfg.softBounceLimit,
        complaintRate: COMPLAINT_RATE,
        complaintMinSent: COMPLAINT_MIN_SENT,
      });
    } catch (e) {
      log.warn({ deliveryId: row.id, err: (e as Error).message }, 'soft bounce not counted');
    }
  }

  async function worker(): Promise<void> {
    while (!stopping) {
      const waitRelay = relayPausedUntil - Date.now();
      if (waitRelay > 0) {
        await nap(Math.min(waitRelay, idlePollMs * 5));
        continue;
      }
      if (storeError !== null) {
        await nap(idlePollMs * 5);
        if (storeError !== null) await repairStore();
        continue;
      }
      let row: ClaimedDelivery | null = null;
      try {
        row = await next();
        if (!row) {
          await nap(idlePollMs);
          continue;
        }
        await deliver(row);
      } catch (err) {
        // A database error (disk full, busy): nothing more is handed over until the store answers again.
        storeFailed(err, row?.id);
        // A claim whose outcome could not be written goes back to the queue once the store answers.
        if (row && held.has(row.id) && !unmarked.some((u) => u.id === row!.id) && !buffer.includes(row)) buffer.push(row);
        await nap(idlePollMs);
      }
    }
  }

  async function maintain(): Promise<void> {
    const now = ctx.clock.now();
    if (held.size) await renewLeases(ctx, owner, now + leaseMs);
    // Claims of a process on this host that is provably gone come back at once; others wait out their lease.
    const gone = (await claimOwners(ctx)).filter((x) => x !== owner && ownerIsGone(x));
    const fromDead = await recoverOwners(ctx, gone, now);
    if (fromDead) log.warn({ recovered: fromDead, owners: gone }, 'deliveries left mid-send by a process that died are queued again (counted as uncertain)');
    const recovered = (await recoverExpiredLeases(ctx, now)) + fromDead;
    if (recovered) {
      if (recovered > fromDead) log.warn({ recovered: recovered - fromDead }, 'deliveries whose lease ran out are queued again (counted as uncertain)');
      wake();
    }
    // Checkpointing the same hot pages many times a second costs more than it frees; every 5 s is plenty.
    if (sent !== lastCheckpointSent && Date.now() - lastCheckpointAt >= 5000) {
      lastCheckpointSent = sent;
      lastCheckpointAt = Date.now();
      await checkpoint(ctx);
    }
    for (const id of await finishCompletedIssues(ctx, now)) {
      templates.delete(id);
      log.info({ issueId: id }, 'issue sent: every delivery reached a final state');
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      void useSenderCheckpoints(ctx);
      workers = Array.from({ length: concurrency }, () => worker());
      const tick = () => {
        maintain()
          .catch((err) => log.error({ err: (err as Error).message }, 'sender maintenance failed'))
          .finally(() => {
            if (!stopping) maintTimer = setTimeout(tick, maintenanceMs);
          });
      };
      tick();
    },
    async stop() {
      if (!running) return;
      stopping = true;
      if (maintTimer) clearTimeout(maintTimer);
      wake();
      // Messages waiting for an SMTP slot are not handed over any more: they go back to the buffer, then the queue.
      for (const w of slots.waiting.splice(0)) w();
      // A relay that hangs after the dot must not hold shutdown: after drainMs the rest is left to its lease.
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.all(workers).then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), drainMs))),
      ]);
      clearTimeout(timer);
      if (!drained) log.warn({ inFlight: inFlight.size, drainMs }, 'messages still in flight at shutdown: abandoned to their lease');
      if (claiming) await Promise.race([claiming, new Promise((r) => setTimeout(r, 1000))]);
      await flushMarks().catch(() => {});
      await repairStore().catch(() => {});
      running = false;
    },
    wake,
    maintain,
    state: () => ({
      running,
      inFlight: inFlight.size,
      relayPausedUntil: relayPausedUntil > Date.now() ? relayPausedUntil : null,
      relayReason,
      sent,
    }),
  };
}
