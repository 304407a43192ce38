// Read-only views only the console needs (trends, a subscriber's deliveries), and its signed-out sessions.
import type { DeliveryStatus } from '../../domain-types.js';

/** One point of the subscriber trend: confirmed subscribers at the end of a day. */
export interface TrendPoint {
  at: number;
  confirmed: number;
}

/** One delivery of an issue to a subscriber, as their history shows it. */
export interface SubscriberDelivery {
  id: number;
  issueId: number;
  date: string;
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  resends: number;
  uncertain: number;
  smtpResponse: string | null;
  lastError: string | null;
  queuedAt: number;
  sentAt: number | null;
  updatedAt: number;
}

/** A delivery that did not simply succeed: failed, bounced, or possibly sent twice. */
export interface ProblemDelivery {
  subscriberId: number;
  email: string | null;
  status: DeliveryStatus;
  attempts: number;
  uncertain: number;
  smtpResponse: string | null;
  lastError: string | null;
  updatedAt: number;
}

/** Read-only views of the console, and the sessions signed out before they expired. */
export interface ConsoleStore {
  /** Confirmed subscribers at each of `days` day ends up to now, and the joins and leaves in that span. */
  subscriberTrend(now: number, days?: number): Promise<{ points: TrendPoint[]; joined: number; left: number }>;
  /** A subscriber's deliveries, newest issue first. */
  subscriberDeliveries(subscriberId: number, limit?: number): Promise<SubscriberDelivery[]>;
  /** Test copies sent of an issue, newest first. */
  testSendsOf(issueId: number, limit?: number): Promise<{ email: string; at: number; status: string; error: string | null }[]>;
  /** How many people a resend would reach right now: confirmed subscribers only, as the resend itself counts them. */
  resendReach(issueId: number, req: { kind: 'failed' } | { kind: 'missing' } | { kind: 'email'; email: string }): Promise<number>;
  /** A subscriber's state by address, to explain a resend that would reach nobody. */
  subscriberStateByEmail(email: string): Promise<{ id: number; status: string } | null>;
  /** An issue's failed, bounced and uncertain deliveries with their SMTP answers, most recent first. */
  problemDeliveries(issueId: number, limit?: number): Promise<ProblemDelivery[]>;
  /** Records a signed-out session until its own expiry, and forgets revocations that have expired. */
  revokeSession(sessionId: string, expiresAt: number, now: number): Promise<void>;
  /** Whether a session was signed out. */
  isSessionRevoked(sessionId: string): Promise<boolean>;
}
