import { createHmac } from 'node:crypto';
import { safeEqual } from '../lib/mac.js';

// VERP: each copy's envelope sender names its delivery, `bounces+<id>-<mac>@domain`, so a bounce that reaches the
// bounce address says which delivery it is about. The id is base 36, the MAC 10 characters of base 32 (lower case:
// some servers fold the case of local parts). A token whose MAC does not verify names nobody.

const MAC_CHARS = 10;
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function mac(secret: string, deliveryId: number): string {
  return base32(createHmac('sha256', secret).update(`verp:${deliveryId}`).digest()).slice(0, MAC_CHARS);
}

/** The token of a delivery: its id and a short MAC. */
export function verpToken(secret: string, deliveryId: number): string {
  return `${deliveryId.toString(36)}-${mac(secret, deliveryId)}`;
}

/** The envelope sender of a delivery's copy. */
export function verpAddress(secret: string, bounceAddress: string, deliveryId: number): string {
  const at = bounceAddress.lastIndexOf('@');
  return `${bounceAddress.slice(0, at)}+${verpToken(secret, deliveryId)}${bounceAddress.slice(at)}`;
}

/** The delivery a token names, or null when it is malformed or forged. */
export function verifyVerpToken(secret: string, token: string): number | null {
  const m = /^([0-9a-z]{1,12})-([a-z2-7]{10})$/i.exec(token.trim());
  if (!m) return null;
  const id = parseInt(m[1]!.toLowerCase(), 36);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return safeEqual(m[2]!.toLowerCase(), mac(secret, id)) ? id : null;
}

/**
 * The token in an address of the bounce family (`bounces+TOKEN@domain`, the same local part and domain as
 * BOUNCE_ADDRESS, compared without case), or null. The address itself (`bounces@domain`) gives ''.
 */
export function verpTokenOf(bounceAddress: string, address: string): string | null {
  const a = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const b = bounceAddress.toLowerCase();
  const [local, domain] = [b.slice(0, b.lastIndexOf('@')), b.slice(b.lastIndexOf('@') + 1)];
  const at = a.lastIndexOf('@');
  if (at < 0 || a.slice(at + 1) !== domain) return null;
  const l = a.slice(0, at);
  if (l === local) return '';
  return l.startsWith(`${local}+`) ? l.slice(local.length + 1) : null;
}
