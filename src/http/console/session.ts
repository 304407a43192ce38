import { createHash, createHmac, randomBytes } from 'node:crypto';
import { macEquals } from '../../lib/mac.js';

// Pure session and CSRF tokens for the operator's console. The purpose string keeps these MACs apart from
// the subscriber tokens (src/subscribers/tokens.ts) even though both use SECRET_KEY, and the admin token's
// hash is part of the key so rotating ADMIN_TOKEN signs everyone out.

/** How long a console session lasts from sign-in. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;

/** A verified session: its random id (for CSRF and sign-out) and when it ends. */
export interface ConsoleSession {
  id: string;
  issuedAt: number;
  expiresAt: number;
}

/** The keys a console session is signed with. */
export interface SessionKeys {
  secretKey: string;
  adminToken: string;
}

function key(k: SessionKeys, purpose: 'admin-session' | 'admin-csrf'): Buffer {
  const tokenHash = createHash('sha256').update(k.adminToken).digest('hex');
  return createHmac('sha256', k.secretKey).update(`newsdesk:${purpose}:v1:${tokenHash}`).digest();
}

function mac(k: SessionKeys, purpose: 'admin-session' | 'admin-csrf', body: string): Buffer {
  return createHmac('sha256', key(k, purpose)).update(body).digest();
}

/** Issues a new session starting at `now`: `s1.<id>.<issued>.<expires>.<mac>`. */
export function createSession(k: SessionKeys, now: number, ttlMs = SESSION_TTL_MS): { cookie: string; session: ConsoleSession } {
  const session: ConsoleSession = { id: randomBytes(16).toString('base64url'), issuedAt: now, expiresAt: now + ttlMs };
  const body = `s1.${session.id}.${now.toString(36)}.${session.expiresAt.toString(36)}`;
  return { cookie: `${body}.${mac(k, 'admin-session', body).toString('base64url')}`, session };
}

/** Verifies a session cookie value in constant time; null when forged, malformed, expired or from the future. */
export function verifySession(k: SessionKeys, value: string | undefined, now: number): ConsoleSession | null {
  if (typeof value !== 'string' || value.length > 300) return null;
  const parts = value.split('.');
  const sig = parts.pop() ?? '';
  const body = parts.join('.');
  const ok = macEquals(sig, mac(k, 'admin-session', body));
  if (!ok || parts.length !== 4 || parts[0] !== 's1') return null;
  const issuedAt = parseInt(parts[2]!, 36);
  const expiresAt = parseInt(parts[3]!, 36);
  if (!Number.isSafeInteger(issuedAt) || !Number.isSafeInteger(expiresAt)) return null;
  // A minute of leeway for clock steps; anything issued further ahead was not issued by this clock.
  if (issuedAt > now + 60_000 || expiresAt <= now || expiresAt - issuedAt > SESSION_TTL_MS) return null;
  return { id: parts[1]!, issuedAt, expiresAt };
}

/** The CSRF token of a session: a MAC of its id, so it needs no storage and dies with the session. */
export function csrfToken(k: SessionKeys, session: ConsoleSession): string {
  return mac(k, 'admin-csrf', session.id).toString('base64url');
}

/** Checks a submitted CSRF token against the session's, in constant time. */
export function checkCsrf(k: SessionKeys, session: ConsoleSession, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 100) return false;
  return macEquals(given, mac(k, 'admin-csrf', session.id));
}
