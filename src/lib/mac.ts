import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a base64url MAC from a link or cookie equals the expected one, in constant time: a full-length buffer
 * is always compared, so the timing does not depend on where or how the given text goes wrong.
 */
export function macEquals(given: string, expected: Buffer): boolean {
  let buf: Buffer;
  try {
    buf = Buffer.from(given, 'base64url');
  } catch {
    buf = Buffer.alloc(0);
  }
  const padded = Buffer.alloc(expected.length);
  buf.copy(padded, 0, 0, Math.min(buf.length, expected.length));
  return timingSafeEqual(padded, expected) && buf.length === expected.length;
}
