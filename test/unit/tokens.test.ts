import { describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_MS, signToken, verifyToken } from '../../src/subscribers/tokens.js';

const secret = 'a-secret-of-more-than-thirty-two-characters';
const now = Date.UTC(2026, 10, 27, 12);

describe('tokens', () => {
  it('round-trips a confirm and an unsubscribe token', () => {
    const c = signToken(secret, { purpose: 'confirm', subscriberId: 42, issuedAt: now });
    const u = signToken(secret, { purpose: 'unsubscribe', subscriberId: 42, issuedAt: 0 });
    expect(verifyToken(secret, 'confirm', c, now + 1000)).toEqual({ ok: true, payload: { purpose: 'confirm', subscriberId: 42, issuedAt: now } });
    expect(verifyToken(secret, 'unsubscribe', u, now)).toMatchObject({ ok: true, payload: { subscriberId: 42 } });
  });

  it('binds a token to its purpose', () => {
    const c = signToken(secret, { purpose: 'confirm', subscriberId: 7, issuedAt: now });
    const u = signToken(secret, { purpose: 'unsubscribe', subscriberId: 7, issuedAt: 0 });
    expect(verifyToken(secret, 'unsubscribe', c, now).ok).toBe(false);
    expect(verifyToken(secret, 'confirm', u, now).ok).toBe(false);
    // Same body relabelled with the other prefix still fails: the purpose is in the key.
    expect(verifyToken(secret, 'unsubscribe', u.replace(/^u/, 'c'), now).ok).toBe(false);
  });

  it('rejects forged, altered, foreign and garbage tokens', () => {
    const u = signToken(secret, { purpose: 'unsubscribe', subscriberId: 5, issuedAt: 0 });
    const [p, id, mac] = u.split('.');
    const otherId = `${p}.${(6).toString(36)}.${mac}`;
    const flipped = `${p}.${id}.${mac!.slice(0, -1)}${mac!.endsWith('A') ? 'B' : 'A'}`;
    for (const t of [otherId, flipped, 'u.5.', 'u.5', '', 'x'.repeat(500), 'u.5.!!!!', signToken('another-secret-of-more-than-32-chars!!', { purpose: 'unsubscribe', subscriberId: 5, issuedAt: 0 })]) {
      expect(verifyToken(secret, 'unsubscribe', t, now).ok).toBe(false);
    }
  });

  it('accepts only the canonical spelling of a MAC: no changed last character, padding or suffix verifies', () => {
    const c = signToken(secret, { purpose: 'confirm', subscriberId: 11, issuedAt: now });
    const u = signToken(secret, { purpose: 'unsubscribe', subscriberId: 11, issuedAt: 0 });
    for (const [t, purpose] of [[c, 'confirm'], [u, 'unsubscribe']] as const) {
      expect(verifyToken(secret, purpose, t, now).ok).toBe(true);
      const last = t.at(-1)!;
      // base64url's last character of 22 carries 2 unused bits: neighbours decode to the same bytes.
      const sameBytes = 'AQgw'.includes(last) ? [] : [String.fromCharCode(last.charCodeAt(0) ^ 1)];
      const spellings = [...sameBytes.map((ch) => t.slice(0, -1) + ch), `${t}=`, `${t}==`, `${t}%00`, `${t}%20`, `${t}!!`, `${t}\u0000`, `${t} `, t.slice(0, -1)];
      for (const s of spellings) expect(verifyToken(secret, purpose, s, now).ok, s).toBe(false);
    }
    // Non-canonical numbers in the body fail as well (the MAC covers the body as written).
    expect(verifyToken(secret, 'unsubscribe', u.replace(/^u\./, 'u.0'), now).ok).toBe(false);
  });

  it('a console session cookie, too, verifies in one spelling only', async () => {
    const { createSession, verifySession } = await import('../../src/http/console/session.js');
    const keys = { secretKey: secret, adminToken: 'admin-token-0123456789' };
    const { cookie } = createSession(keys, now);
    expect(verifySession(keys, cookie, now + 1000)).not.toBeNull();
    for (const s of [`${cookie}=`, `${cookie}%00`, `${cookie}!!`, `${cookie} `, cookie.slice(0, -1)]) expect(verifySession(keys, s, now + 1000), s).toBeNull();
  });

  it('refuses a confirm token issued in the future beyond a minute of leeway', () => {
    const soon = signToken(secret, { purpose: 'confirm', subscriberId: 3, issuedAt: now + 30_000 });
    const later = signToken(secret, { purpose: 'confirm', subscriberId: 3, issuedAt: now + 3600_000 });
    expect(verifyToken(secret, 'confirm', soon, now).ok).toBe(true);
    expect(verifyToken(secret, 'confirm', later, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('expires confirm tokens after 7 days but never unsubscribe tokens', () => {
    const c = signToken(secret, { purpose: 'confirm', subscriberId: 9, issuedAt: now });
    expect(verifyToken(secret, 'confirm', c, now + CONFIRM_TOKEN_TTL_MS - 1).ok).toBe(true);
    const late = verifyToken(secret, 'confirm', c, now + CONFIRM_TOKEN_TTL_MS + 1);
    expect(late).toMatchObject({ ok: false, reason: 'expired', payload: { subscriberId: 9 } });
    const u = signToken(secret, { purpose: 'unsubscribe', subscriberId: 9, issuedAt: 0 });
    expect(verifyToken(secret, 'unsubscribe', u, now + 10 * 365 * 24 * 3600 * 1000).ok).toBe(true);
  });
});
