// Pure MIME building for issue deliveries: the issue is encoded once, each recipient only costs
// joining pre-encoded pieces with their own address, Message-ID and unsubscribe URL.
import { createHash } from 'node:crypto';
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { RECIPIENT_PLACEHOLDER } from '../feedback/tokens.js';
import { UNSUBSCRIBE_PLACEHOLDER, withPostalAddress } from '../issues/personalize.js';
import { addressDomain } from '../mail/compose.js';
import type { Config } from '../config.js';
import { headerSafe, listId } from '../mail/headers.js';
import { isSmtpReady, markSmtpReady } from '../mail/mailer.js';

/** What a message template needs from the issue and the configuration. */
export interface IssueMailSource {
  issueId: number;
  subject: string;
  html: string;
  text: string;
  from: string;
  listId: string;
  listName: string;
  unsubscribeMailto?: string;
}

/** One recipient's variable parts. */
export interface Recipient {
  subscriberId: number;
  email: string;
  unsubscribeUrl: string;
  /** How many operator resends preceded this copy; a resend gets its own Message-ID so it is not deduplicated away. */
  resend?: number;
  /** Test copies get a random Message-ID. */
  messageId?: string;
  /** The reader asked for the text part only: a text/plain message, no HTML. */
  textOnly?: boolean;
  /** With tracking on: this copy's recipient part of every tracked link (absent: links redirect but count nothing). */
  trackingToken?: string;
}

/** A message template built once per issue. */
export interface IssueTemplate {
  build(r: Recipient, date?: Date): { raw: Buffer; messageId: string };
  /**
   * The same message as its pieces in order: the issue's shared pieces (the same Buffers for every recipient) and
   * the recipient's few short ones. Sent as they are, the message is never copied into one Buffer.
   */
  pieces(r: Recipient, date?: Date): { raw: Buffer[]; messageId: string };
}

const CRLF = '\r\n';

/** The deterministic Message-ID (no brackets) of one issue to one subscriber; resends get a suffix. */
export function deliveryMessageId(issueId: number, subscriberId: number, from: string, resend = 0): string {
  const suffix = resend > 0 ? `.r${resend}` : '';
  return `issue-${issueId}.sub-${subscriberId}${suffix}@${addressDomain(from)}`;
}

// A dot starting a line is written as =2E: the message then needs no SMTP dot-stuffing at all.
const qp = (s: string) => qpWrap(qpEncode(s), 76).replace(/(^|\r\n)\./g, '$1=2E');

/** A part split where per-recipient values go: `kinds[i]` says which value comes before `bufs[i + 1]`. */
interface Pieces {
  bufs: Buffer[];
  kinds: number[];
}

/** The per-recipient placeholders, in the order their values are passed to joinPieces. */
const PLACEHOLDERS = [UNSUBSCRIBE_PLACEHOLDER, RECIPIENT_PLACEHOLDER];
const SPLIT = new RegExp(PLACEHOLDERS.join('|'), 'g');

/** Splits a part on the placeholders and encodes each piece as quoted-printable once. */
function encodePieces(content: string): Pieces {
  const normalized = content.replace(/\r?\n/g, CRLF);
  const kinds: number[] = [];
  for (const m of normalized.matchAll(SPLIT)) kinds.push(PLACEHOLDERS.indexOf(m[0]));
  return { bufs: normalized.split(SPLIT).map((p) => Buffer.from(qp(p), 'utf8')), kinds };
}

/** Joins encoded pieces around encoded values: soft line breaks keep every line within 76 characters. */
function joinPieces(out: Buffer[], pieces: Pieces, values: string[]): Buffer[] {
  out.push(pieces.bufs[0]!);
  if (pieces.bufs.length === 1) return [];
  // A URL of plain characters is its own quoted-printable form (the common case: no encoder call).
  const enc = values.map((value) => Buffer.from(`=${CRLF}${/^[\x21-\x3c\x3e-\x7e]{1,76}$/.test(value) ? value : qp(value)}=${CRLF}`, 'utf8'));
  for (let i = 1; i < pieces.bufs.length; i++) out.push(enc[pieces.kinds[i - 1]!]!, pieces.bufs[i]!);
  return enc;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Encodes a mailbox such as `Name <a@b>` with the display name as an RFC 2047 word when needed. */
function encodeMailbox(mailbox: string): string {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(mailbox);
  if (!m) return mailbox.trim();
  const name = headerSafe(m[1]!.replace(/^"|"$/g, ''));
  if (!name) return `<${m[2]}>`;
  return `${phrase(name)} <${m[2]}>`;
}

/** A display name as a quoted string, or RFC 2047 words when it is not plain ASCII. */
function phrase(name: string): string {
  return /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : encodeWords(name, 'Q', 52, true);
}

const header = (name: string, value: string) => foldLines(`${name}: ${value}`, 76) + CRLF;

/**
 * Builds the per-issue template: the headers all recipients share, the boundary, and both parts
 * quoted-printable encoded once, split where the per-recipient unsubscribe URL goes.
 */
export function createIssueTemplate(src: IssueMailSource): IssueTemplate {
  const boundary = `--_newsdesk_${createHash('sha1').update(`${src.issueId}:${src.subject}`).digest('hex').slice(0, 24)}`;
  const shared =
    header('From', encodeMailbox(src.from)) +
    header('Subject', encodeWords(headerSafe(src.subject, 300), 'Q', 52)) +
    'MIME-Version: 1.0' + CRLF +
    header('List-Id', `${phrase(headerSafe(src.listName))} <${src.listId}>`) +
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click' + CRLF +
    'Precedence: bulk' + CRLF +
    // The campaign for feedback loops (Gmail's FBL): which issue of which list a complaint was about.
    header('Feedback-ID', `issue-${src.issueId}:newsletter:${addressDomain(src.from)}`) +
    'Auto-Submitted: auto-generated' + CRLF +
    `Content-Type: multipart/alternative; boundary="${boundary}"` + CRLF;
  // Encoded once per issue; a recipient's message is these Buffers, shared, and a few short strings of its own.
  const textPieces = encodePieces(src.text);
  const htmlPieces = encodePieces(src.html);
  const partHead = (type: string) =>
    `--${boundary}${CRLF}Content-Type: ${type}; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`;
  const textHead = Buffer.from(partHead('text/plain'));
  const htmlHead = Buffer.from(CRLF + partHead('text/html'));
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`);
  const sharedHead = Buffer.from(shared + CRLF, 'utf8');
  // Every static piece is checked once: CRLF line ends only and no line starting with a dot.
  const clean = (b: Buffer) => !/\r(?!\n)|(?<!\r)\n|\n\./.test(b.toString('latin1'));
  const staticClean = [textHead, htmlHead, tail, sharedHead, ...textPieces.bufs, ...htmlPieces.bufs].every(clean) && !/^\./.test(shared);
  const mailto = src.unsubscribeMailto ? `,${CRLF} <mailto:${src.unsubscribeMailto}?subject=unsubscribe>` : '';
  // A text-only copy: the same headers with a text/plain body instead of the two alternatives.
  const textOnlyHead = Buffer.from(
    shared.replace(/Content-Type: multipart\/alternative; boundary="[^"]+"\r\n$/, '') + `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`,
    'utf8',
  );
  const pieces = (r: Recipient, date = new Date()): { raw: Buffer[]; messageId: string } => {
    const messageId = r.messageId ?? deliveryMessageId(src.issueId, r.subscriberId, src.from, r.resend);
    const to = r.email.replace(/[\r\n<>]/g, '');
    const head =
      `To: <${to}>${CRLF}` +
      `Date: ${date.toUTCString().replace(/GMT$/, '+0000')}${CRLF}` +
      `Message-ID: <${messageId}>${CRLF}` +
      `List-Unsubscribe: <${r.unsubscribeUrl.replace(/[\r\n<>\s]/g, '')}>${mailto}${CRLF}`;
    // Only URL-safe characters go into a tracked link; a missing token leaves the links working, counting nothing.
    const rcpt = (r.trackingToken ?? 'x').replace(/[^A-Za-z0-9._~-]/g, '');
    if (r.textOnly) {
      const only: Buffer[] = [Buffer.from(head, 'utf8'), textOnlyHead];
      const vals = joinPieces(only, textPieces, [r.unsubscribeUrl, rcpt]);
      only.push(Buffer.from(CRLF));
      if (staticClean && !/[\r\n]/.test(to + messageId) && vals.every(clean)) markSmtpReady(only);
      return { raw: only, messageId };
    }
    const parts: Buffer[] = [Buffer.from(head, 'utf8'), sharedHead, textHead];
    const textVals = joinPieces(parts, textPieces, [r.unsubscribeUrl, rcpt]);
    parts.push(htmlHead);
    const htmlVals = joinPieces(parts, htmlPieces, [escapeAttr(r.unsubscribeUrl), rcpt]);
    parts.push(tail);
    // The per-recipient parts are short and stripped of line breaks; the values are checked like the pieces.
    if (staticClean && !/[\r\n]/.test(to + messageId) && textVals.every(clean) && htmlVals.every(clean)) markSmtpReady(parts);
    return { raw: parts, messageId };
  };
  return {
    pieces,
    build(r, date) {
      const { raw, messageId } = pieces(r, date);
      const whole = Buffer.concat(raw);
      return { raw: isSmtpReady(raw) ? markSmtpReady(whole) : whole, messageId };
    },
  };
}

/** The template of a stored issue under this configuration (a prefix such as "[Test] " goes before the subject). */
export function issueTemplateFrom(
  config: Pick<Config, 'mailFrom' | 'newsletterName' | 'unsubscribeMailto' | 'postalAddress'>,
  issueId: number,
  stored: { subject: string; subjectOverride: string | null; html: string; text: string },
  subjectPrefix = '',
): IssueTemplate {
  const issue = { ...stored, ...withPostalAddress(stored, config.postalAddress) };
  return createIssueTemplate({
    issueId,
    subject: `${subjectPrefix}${issue.subjectOverride ?? issue.subject}`,
    html: issue.html,
    text: issue.text,
    from: config.mailFrom,
    listId: listId(config),
    listName: config.newsletterName,
    unsubscribeMailto: config.unsubscribeMailto,
  });
}
