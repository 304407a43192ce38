import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a base64url MAC from a link or cookie is exactly the canonical encoding of the expected one, compared
 * in constant time. Only one spelling verifies: a changed last character, padding, or anything appended fails
 * (Buffer.from(…, 'base64url') would decode many spellings to the same bytes).
 */
export function macEquals(given: string, expected: Buffer): boolean {
  const want = Buffer.from(expected.toString('base64url'));
  const got = Buffer.from(typeof given === 'string' ? given : '');
  // Always one full-length comparison, so the timing does not tell where or how the given text goes wrong.
  const same = got.length === want.length;
  return timingSafeEqual(same ? got : want, want) && same;
}

/** Whether two secrets or signatures are equal, in time that tells nothing about where they differ (or their length). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
