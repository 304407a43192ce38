import { createHmac } from 'node:crypto';
import { macEquals } from '../lib/mac.js';

/** What a token lets its bearer do; a token of one purpose never works for another. */
export type TokenPurpose = 'confirm' | 'unsubscribe' | 'preferences';

const PREFIX: Record<TokenPurpose, string> = { confirm: 'c', unsubscribe: 'u', preferences: 'p' };
/** Confirmation links expire; unsubscribe links never do (RFC 8058 clients may use them months later). */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;
/** A confirm token dated this far ahead of the clock is still accepted (a clock step), as for console sessions. */
export const TOKEN_FUTURE_LEEWAY_MS = 60_000;
const BASE36 = /^[0-9a-z]{1,11}$/;

export interface TokenPayload {
  purpose: TokenPurpose;
  subscriberId: number;
  issuedAt: number;
}

export type VerifyResult = { ok: true; payload: TokenPayload } | { ok: false; reason: 'invalid' | 'expired'; payload?: TokenPayload };

function mac(secret: string, purpose: TokenPurpose, body: string): Buffer {
  // The purpose is part of the key, so the same body signed for one purpose is worthless for the other.
  return createHmac('sha256', `newsdesk:${purpose}:${secret}`).update(body).digest().subarray(0, 16);
}

/** Signs a purpose-bound token: `c.<id>.<issued>.<mac>`, `u.<id>.<mac>` or `p.<id>.<mac>` (base36 numbers, base64url MAC). */
export function signToken(secret: string, p: TokenPayload): string {
  const body =
    p.purpose === 'confirm'
      ? `${PREFIX.confirm}.${p.subscriberId.toString(36)}.${p.issuedAt.toString(36)}`
      : `${PREFIX[p.purpose]}.${p.subscriberId.toString(36)}`;
  return `${body}.${mac(secret, p.purpose, body).toString('base64url')}`;
}

/** Verifies a token for one purpose in constant time; expired confirm tokens report their payload. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string, now: number): VerifyResult {
  const bad: VerifyResult = { ok: false, reason: 'invalid' };
  if (typeof token !== 'string' || token.length > 200) return bad;
  const parts = token.split('.');
  const expectedParts = purpose === 'confirm' ? 4 : 3;
  const sigText = parts[parts.length - 1] ?? '';
  const body = parts.slice(0, -1).join('.');
  const expected = mac(secret, purpose, body);
  const macOk = macEquals(sigText, expected);
  if (!macOk || parts.length !== expectedParts || parts[0] !== PREFIX[purpose]) return bad;
  if (!BASE36.test(parts[1]!) || (purpose === 'confirm' && !BASE36.test(parts[2]!))) return bad;
  const subscriberId = parseInt(parts[1]!, 36);
  const issuedAt = purpose === 'confirm' ? parseInt(parts[2]!, 36) : 0;
  if (!Number.isSafeInteger(subscriberId) || subscriberId <= 0 || !Number.isSafeInteger(issuedAt)) return bad;
  const payload = { purpose, subscriberId, issuedAt };
  // Issued later than now: not by this clock (a forged or replayed-from-the-future link).
  if (purpose === 'confirm' && issuedAt > now + TOKEN_FUTURE_LEEWAY_MS) return bad;
  if (purpose === 'confirm' && now - issuedAt > CONFIRM_TOKEN_TTL_MS) return { ok: false, reason: 'expired', payload };
  return { ok: true, payload };
}
