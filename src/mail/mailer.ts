/** A message as the rest of the code sees it; adapters turn it into MIME. */
export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Without angle brackets, e.g. `issue-3.sub-9@example.com`. Generated when absent. */
  messageId?: string;
  /** List-Unsubscribe (HTTPS URL, optional mailto) and List-Id; adds List-Unsubscribe-Post for one-click. */
  list?: { unsubscribeUrl?: string; unsubscribeMailto?: string; id: string; name: string };
  headers?: Record<string, string>;
}

/** A message already in MIME form, built once and sent many times with only the recipient changed. */
export interface RawMail {
  from: string;
  to: string;
  /** The whole message, or its pieces in order (shared pieces are written as they are, never copied together). */
  raw: Buffer | string | readonly Buffer[];
  messageId: string;
}

/** One Buffer of a raw message given whole or in pieces (an SMTP-ready mark carries over). */
export function rawBuffer(raw: RawMail['raw']): Buffer {
  if (typeof raw === 'string') return Buffer.from(raw);
  if (Buffer.isBuffer(raw)) return raw;
  const whole = Buffer.concat(raw as Buffer[]);
  return isSmtpReady(raw) ? markSmtpReady(whole) : whole;
}

/** What the server said when it took the message. */
export interface SendResult {
  messageId: string;
  response: string;
}

/** Why a send failed: permanent (5xx) or not, and whether the server may already have the message. */
export class MailError extends Error {
  override name = 'MailError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly opts: {
      responseCode?: number;
      code?: string;
      command?: string;
      afterData?: boolean;
      auth?: boolean;
      /** No transaction was under way (connect, greeting, EHLO, a 421): the relay, not this recipient, is the problem. */
      connection?: boolean;
      /** A wait the server asked for ("try again in 120 seconds"). */
      retryAfterMs?: number;
    } = {},
  ) {
    super(message);
  }
}

/** The port: SMTP or the outbox folder, the same to callers. */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<SendResult>;
  sendRaw(message: RawMail): Promise<SendResult>;
  /** Checks the connection and credentials; throws a MailError with one clear line. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

const smtpReady = new WeakSet<object>();
/**
 * Marks a prepared message as already SMTP-safe (every line ends in CRLF, none starts with a dot), so the
 * SMTP adapter can skip its per-line scan. Only builders that guarantee this (deliveries/message) mark.
 */
export function markSmtpReady<T extends object>(raw: T): T {
  smtpReady.add(raw);
  return raw;
}

/** Whether a prepared message was marked SMTP-safe by its builder. */
export function isSmtpReady(raw: object): boolean {
  return smtpReady.has(raw);
}
