// Tracked-link tokens. A tracked URL is `/r/<link>.<recipient>`: the link part (signed once per issue and article)
// names the stored URL; the recipient part is the one value filled in per copy at send time (the issue, the send
// time, and under TRACKING=subscriber the reader), signed on its own. The redirect only ever goes to the stored URL.
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_CHARS = 12;

function mac(secret: string, what: string): string {
  return createHmac('sha256', secret).update(what).digest('base64url').slice(0, MAC_CHARS);
}

/** Compares a given MAC with the expected one in constant time; both have the public length MAC_CHARS. */
function macOk(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  return a.length === MAC_CHARS && timingSafeEqual(a, Buffer.from(expected));
}

/** Link parts verified before, by token: a popular issue's few links are checked once, not on every click. */
const verifiedLinks = new Map<string, number>();
const VERIFIED_MAX = 10_000;

/** Stands where each copy's recipient part goes; replaced when the copy is built. */
export const RECIPIENT_PLACEHOLDER = '__NEWSDESK_RECIPIENT__';

/** The link part: `<id36>-<mac>`. */
export function linkToken(secret: string, linkId: number): string {
  return `${linkId.toString(36)}-${mac(secret, `link:${linkId}`)}`;
}

/** What a recipient part says. */
export interface RecipientPart {
  issueId: number;
  /** When the copy was built (seconds are enough): a click seconds later is a scanner's. */
  sentAt: number;
  /** Only under TRACKING=subscriber. */
  subscriberId: number | null;
}

/** The recipient part: `<issue36>.<sentSeconds36>[.<subscriber36>]-<mac>`. */
export function recipientToken(secret: string, p: RecipientPart): string {
  const body = [p.issueId.toString(36), Math.floor(p.sentAt / 1000).toString(36), ...(p.subscriberId != null ? [p.subscriberId.toString(36)] : [])].join('.');
  return `${body}-${mac(secret, `rcpt:${body}`)}`;
}

/** A parsed tracked token; `recipient` is null when that part is missing or does not verify (a test copy, a preview). */
export interface ParsedTracked {
  linkId: number;
  recipient: RecipientPart | null;
}

const ID = /^[0-9a-z]{1,10}$/;

/** The link and recipient a token names, or null when the link part is malformed or forged. */
export function parseTrackedToken(secret: string, token: string): ParsedTracked | null {
  if (typeof token !== 'string' || token.length > 120) return null;
  const dot = token.indexOf('.');
  const link = dot < 0 ? token : token.slice(0, dot);
  const key = `${secret}\n${link}`;
  let linkId = verifiedLinks.get(key);
  if (linkId === undefined) {
    const m = /^([0-9a-z]{1,10})-([A-Za-z0-9_-]{12})$/.exec(link);
    if (!m) return null;
    linkId = parseInt(m[1]!, 36);
    if (!Number.isSafeInteger(linkId) || linkId <= 0 || !macOk(m[2]!, mac(secret, `link:${linkId}`))) return null;
    if (verifiedLinks.size >= VERIFIED_MAX) verifiedLinks.clear();
    verifiedLinks.set(key, linkId);
  }
  return { linkId, recipient: dot < 0 ? null : parseRecipient(secret, token.slice(dot + 1)) };
}

function parseRecipient(secret: string, part: string): RecipientPart | null {
  // The MAC is the last MAC_CHARS characters (base64url: it may hold a '-' itself), after a '-'.
  const dash = part.length - MAC_CHARS - 1;
  if (dash < 1 || part[dash] !== '-') return null;
  const body = part.slice(0, dash);
  if (!macOk(part.slice(dash + 1), mac(secret, `rcpt:${body}`))) return null;
  const bits = body.split('.');
  if ((bits.length !== 2 && bits.length !== 3) || !bits.every((b) => ID.test(b))) return null;
  const [issue, sent, sub] = bits.map((b) => parseInt(b, 36));
  return { issueId: issue!, sentAt: sent! * 1000, subscriberId: sub ?? null };
}
