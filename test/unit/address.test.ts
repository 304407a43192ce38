import { describe, expect, it } from 'vitest';
import { cleanName, normalizeEmail } from '../../src/subscribers/address.js';

describe('normalizeEmail', () => {
  it.each([
    ['Ann@Ex.COM', 'ann@ex.com'],
    ['  bob.smith+news@example.co.uk ', 'bob.smith+news@example.co.uk'],
    ['jörg@bücher.de'.replace('jörg', 'joerg'), 'joerg@xn--bcher-kva.de'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, email: expected });
  });

  it.each(['a@', 'a@@b.com', '@b.com', 'a@b..c', 'a@b.com.', 'a@b', 'a..b@c.com', '.a@c.com', 'a b@c.com', 'x@a.test\r\nBcc: y@b.test', `${'a'.repeat(65)}@b.com`, `a@${'b'.repeat(250)}.com`, '"quoted"@b.com', 42, null, ''])(
    'rejects %j',
    (input) => {
      const r = normalizeEmail(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(5);
    },
  );
});

describe('cleanName', () => {
  it('removes control and bidi characters, folds whitespace, caps length', () => {
    expect(cleanName('Ann\r\nBcc: evil@x.test')).toBe('Ann Bcc: evil@x.test');
    expect(cleanName('\u202eevil\u200b name')).toBe('evil name');
    expect(cleanName('<b>Bold</b>')).toBe('bBold/b');
    expect(cleanName('x'.repeat(10_000))!.length).toBe(100);
    expect(cleanName('   ')).toBeNull();
    expect(cleanName(undefined)).toBeNull();
  });
});
