import { domainToASCII } from 'node:url';

export type AddressResult = { ok: true; email: string } | { ok: false; error: string };

const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Validates and normalizes an email address: trimmed, lowercased, IDN domain in punycode.
 * Rejects control characters (header injection), quoted local parts, and anything over 254 characters.
 */
export function normalizeEmail(input: unknown): AddressResult {
  if (typeof input !== 'string') return { ok: false, error: 'Enter an email address.' };
  const raw = input.trim();
  if (!raw) return { ok: false, error: 'Enter an email address.' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(raw)) return { ok: false, error: 'An email address cannot contain spaces or line breaks.' };
  if (raw.length > 254) return { ok: false, error: 'That email address is too long.' };
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1 || raw.indexOf('@') !== at)
    return { ok: false, error: 'Enter an address like name@example.com.' };
  const local = raw.slice(0, at);
  let domain = raw.slice(at + 1).toLowerCase();
  if (local.length > 64) return { ok: false, error: 'The part before @ is too long.' };
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..') || !local.split('.').every((a) => LOCAL_ATOM.test(a)))
    return { ok: false, error: 'The part before @ is not valid.' };
  if (/[^ -~]/.test(domain)) {
    const ascii = domainToASCII(domain);
    if (!ascii) return { ok: false, error: 'The domain is not valid.' };
    domain = ascii;
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^(xn--[a-z0-9-]+|[a-z]{2,63})$/.test(labels[labels.length - 1]!))
    return { ok: false, error: 'The domain is not valid.' };
  const email = `${local.toLowerCase()}@${domain}`;
  if (email.length > 254) return { ok: false, error: 'That email address is too long.' };
  return { ok: true, email };
}

/** Cleans a display name: control, bidi and zero-width characters removed, whitespace folded, at most 100 characters. */
export function cleanName(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const cleaned = input
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, ' ')
    .replace(/[<>"]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100)
    .trim();
  return cleaned || null;
}
