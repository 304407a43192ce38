import type { Edition } from '../domain-types.js';
// What signup, confirmation, unsubscribe, import, export and the console need to know and change about subscribers.
import type { ConsentEventType, SubscriberStatus } from '../domain-types.js';
import type { Suppression } from './suppressions.js';

/** A person on the list as stored; an erased row keeps no address or name. */
export interface Subscriber {
  id: number;
  email: string | null;
  name: string | null;
  status: SubscriberStatus;
  createdAt: number;
  updatedAt: number;
  confirmedAt: number | null;
  unsubscribedAt: number | null;
  bouncedAt: number | null;
  lastConfirmationSentAt: number | null;
  /** How consent was given for the current confirmed state: 'double_opt_in' or 'import'. */
  consentSource: string | null;
  erasedAt: number | null;
  /** Paused by the reader until this time (null: not paused). */
  pausedUntil: number | null;
  /** The reader asked for the text part only. */
  textOnly: boolean;
  /** Which edition the reader gets: every daily issue, or only the weekly one. */
  frequency: Edition;
  /** Companies the reader left out, as stored (a JSON array of names): read it with companiesOf. */
  excludedCompanies: string;
}

/** What a reader can choose on the preferences page, as stored. */
export interface ReaderChoices {
  pausedUntil: number | null;
  textOnly: boolean;
  frequency: Edition;
  excludedCompanies: string[];
}

/** One entry of a subscriber's consent history. */
export interface ConsentEvent {
  id: number;
  subscriberId: number;
  type: ConsentEventType;
  at: number;
  ip: string | null;
  userAgent: string | null;
  page: string | null;
  consentTextVersion: string | null;
  detail: string | null;
}

/** Where a consent event came from: the request that caused it. */
export interface ConsentMeta {
  ip?: string | null;
  userAgent?: string | null;
  page?: string | null;
  consentTextVersion?: string | null;
  detail?: string | null;
}

/** The consent_events row both backends insert: columns in this order, long texts capped. */
export const CONSENT_EVENT_INSERT = `INSERT INTO consent_events (subscriber_id, type, at, ip, user_agent, page, consent_text_version, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
export function consentEventValues(subscriberId: number, type: string, at: number, meta: ConsentMeta = {}): (string | number | null)[] {
  return [
    subscriberId,
    type,
    at,
    meta.ip ?? null,
    meta.userAgent ? meta.userAgent.slice(0, 500) : null,
    meta.page ? meta.page.slice(0, 500) : null,
    meta.consentTextVersion ?? null,
    meta.detail ?? null,
  ];
}

/** A pending address gets at most one confirmation mail per this window. */
export const CONFIRMATION_THROTTLE_MS = 10 * 60 * 1000;

/** What a signup did, so the caller knows whether to mail a confirmation. */
export type SignupOutcome =
  | { action: 'send_confirmation'; subscriber: Subscriber }
  | { action: 'throttled' | 'already_confirmed'; subscriber: Subscriber };

export type ConfirmOutcome = 'confirmed' | 'already_confirmed' | 'invalid';

export interface SubscriberPage {
  subscribers: Subscriber[];
  nextCursor: string | null;
}

/** One CSV row to import, already validated; the state and times come from the CSV's own columns when it has them. */
export interface ImportRow {
  line: number;
  email: string;
  name: string | null;
  status: SubscriberStatus;
  createdAt: number;
  confirmedAt: number | null;
  unsubscribedAt: number | null;
  bouncedAt: number | null;
  consentSource: string | null;
  /** The consent time the CSV itself states (its confirmed_at), which alone may outweigh a later suppression. */
  statedConsentAt: number | null;
}

/** A row the import left alone, and why. */
export interface ImportSkip {
  line: number;
  email: string;
  reason: string;
}

/** The subscriber store. Every change of state also records a consent event, in the same transaction. */
export interface SubscribersStore {
  findSubscriberById(id: number): Promise<Subscriber | undefined>;
  findSubscriberByEmail(email: string): Promise<Subscriber | undefined>;
  /**
   * Records a signup in one immediate transaction: a new or returning address becomes pending and is due a
   * confirmation mail unless one went out in the last 10 minutes; a confirmed address is left alone.
   */
  recordSignup(email: string, name: string | null, now: number, meta: ConsentMeta): Promise<SignupOutcome>;
  /** Marks that a confirmation mail went out (or, with `failed`, clears the throttle so a retry can send one). */
  noteConfirmationMail(id: number, now: number, failed: boolean): Promise<void>;
  /**
   * Confirms a pending subscriber. A token issued before the subscriber's last unsubscribe or bounce no longer
   * works, so an old link can never silently re-subscribe someone.
   */
  confirmSubscriber(id: number, tokenIssuedAt: number, now: number, meta: ConsentMeta): Promise<{ outcome: ConfirmOutcome; subscriber?: Subscriber }>;
  /** Unsubscribes, idempotently: returns whether the state changed. Queued deliveries of this subscriber are skipped. */
  unsubscribeSubscriber(id: number, now: number, meta: ConsentMeta, type?: ConsentEventType): Promise<{ changed: boolean; subscriber?: Subscriber }>;
  /** Lists subscribers by id with an optional status filter and search; the cursor is the last id seen. */
  listSubscribers(q: { status?: SubscriberStatus; search?: string; cursor?: number; limit?: number }): Promise<SubscriberPage>;
  /** Counts subscribers per state. */
  countSubscribersByStatus(): Promise<Record<SubscriberStatus, number>>;
  listConsentEvents(subscriberId: number): Promise<ConsentEvent[]>;
  /** Saves a reader's preferences (pause, text-only) with a history event saying what changed; undefined when they are not subscribed. */
  setPreferences(id: number, p: ReaderChoices, now: number, detail: string, meta: ConsentMeta): Promise<Subscriber | undefined>;
  /**
   * Inserts a batch of imported rows in one transaction. An address already in the database is skipped (never
   * changed, so never re-subscribed); so is one the suppression log says left (unsubscribed, bounced, erased) when
   * the row would make it pending or confirmed without a consent newer than that event.
   */
  importSubscriberBatch(rows: ImportRow[], suppressed: Map<string, Suppression>, now: number): Promise<{ created: { id: number; email: string; status: SubscriberStatus }[]; skipped: ImportSkip[] }>;
  /** Streams every subscriber in id order, a page at a time (no cursor stays open across writes). */
  iterateSubscribers(pageSize?: number): AsyncGenerator<Subscriber>;
  /** Removes a subscriber's address and name (GDPR erasure); delivery rows stay, anonymous, for the counts. */
  eraseSubscriber(id: number, now: number): Promise<boolean>;
  /**
   * Start-up: applies the suppression log to a database that may have been restored from an older backup. A
   * confirmed or pending subscriber whose address was unsubscribed, bounced or erased after they last gave consent
   * is brought to that state again (nobody who consented again later is touched). Returns how many changed.
   */
  replaySuppressions(log: Map<string, Suppression>, now: number): Promise<number>;
}
