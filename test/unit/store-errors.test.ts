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
    for (const other of [e('SQLITE_CONSTRAINT_UNIQUE'), new Error('x'), null, undefined, 'SQLITE_BUSY', { code: 42 }]) expect(storeErrorKind(other)).toBeNull();
  });

  it('names PostgreSQL conditions the same way: busy, full, read-only, unavailable; a constraint is nothing', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(storeErrorKind(e('40001'))).toBe('busy');
    expect(storeErrorKind(e('40P01'))).toBe('busy');
    expect(storeErrorKind(new Error('timeout exceeded when trying to connect'))).toBe('busy');
    expect(storeErrorKind(e('53100'))).toBe('full');
    expect(storeErrorKind(e('25006'))).toBe('readonly');
    expect(storeErrorKind(e('ECONNREFUSED'))).toBe('unavailable');
    expect(storeErrorKind(e('57P01'))).toBe('unavailable');
    expect(storeErrorKind(e('08006'))).toBe('unavailable');
    expect(storeErrorKind(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    for (const other of [e('23505'), e('42P01'), e('22P02')]) expect(storeErrorKind(other)).toBeNull();
  });
});
