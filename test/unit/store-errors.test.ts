import { describe, expect, it } from 'vitest';
import { storeErrorKind } from '../../src/db/errors.js';

describe('storeErrorKind', () => {
  it('names busy, full and read-only, also extended codes and errors wrapped by drizzle; nothing else', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(storeErrorKind(e('SQLITE_BUSY'))).toBe('busy');
    expect(storeErrorKind(e('SQLITE_BUSY_SNAPSHOT'))).toBe('busy');
    expect(storeErrorKind(e('SQLITE_LOCKED'))).toBe('busy');
    expect(storeErrorKind(e('SQLITE_FULL'))).toBe('full');
    expect(storeErrorKind(e('SQLITE_READONLY_DBMOVED'))).toBe('readonly');
    expect(storeErrorKind(Object.assign(new Error('Failed query'), { cause: e('SQLITE_FULL') }))).toBe('full');
    for (const other of [e('SQLITE_CONSTRAINT_UNIQUE'), e('ECONNRESET'), new Error('x'), null, undefined, 'SQLITE_BUSY', { code: 42 }]) expect(storeErrorKind(other)).toBeNull();
  });
});
