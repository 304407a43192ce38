import { describe, expect, it } from 'vitest';
import { dueDate } from '../../src/jobs/scheduler.js';

const at = (iso: string) => Date.parse(iso);

describe('which date a daily fire is for', () => {
  it('is today once the send time has passed, yesterday before it', () => {
    expect(dueDate(at('2026-04-06T06:00:00Z'), '0 6 * * *', 'UTC')).toEqual({ date: '2026-04-06', at: at('2026-04-06T06:00:00Z') });
    expect(dueDate(at('2026-04-06T05:59:59Z'), '0 6 * * *', 'UTC')?.date).toBe('2026-04-05');
  });

  it('uses DIGEST_TIMEZONE, not the host zone: 06:00 in Tokyo is 21:00 UTC the day before', () => {
    expect(dueDate(at('2026-04-05T21:00:00Z'), '0 6 * * *', 'Asia/Tokyo')?.date).toBe('2026-04-06');
    expect(dueDate(at('2026-04-05T20:59:00Z'), '0 6 * * *', 'Asia/Tokyo')?.date).toBe('2026-04-05');
  });

  it('spring forward: a skipped 02:30 maps to just after the gap, so the date is not lost', () => {
    const d = dueDate(at('2026-03-29T01:30:00Z'), '30 2 * * *', 'Europe/Berlin');
    expect(d).toEqual({ date: '2026-03-29', at: at('2026-03-29T01:30:00Z') }); // 03:30 CEST
    expect(dueDate(at('2026-03-29T01:29:00Z'), '30 2 * * *', 'Europe/Berlin')?.date).toBe('2026-03-28');
  });

  it('fall back: both 02:30s give the same date (so the second fire finds it done)', () => {
    const first = dueDate(at('2026-10-25T00:30:00Z'), '30 2 * * *', 'Europe/Berlin');
    const second = dueDate(at('2026-10-25T01:30:00Z'), '30 2 * * *', 'Europe/Berlin');
    expect(first?.date).toBe('2026-10-25');
    expect(second?.date).toBe('2026-10-25');
    expect(second?.at).toBe(first?.at);
  });

  it('23- and 25-hour days, leap day and year end in New York', () => {
    expect(dueDate(at('2026-03-08T11:00:00Z'), '0 6 * * *', 'America/New_York')).toEqual({ date: '2026-03-08', at: at('2026-03-08T10:00:00Z') });
    expect(dueDate(at('2026-11-01T11:00:00Z'), '0 6 * * *', 'America/New_York')).toEqual({ date: '2026-11-01', at: at('2026-11-01T11:00:00Z') });
    expect(dueDate(at('2028-02-29T12:00:00Z'), '0 6 * * *', 'America/New_York')?.date).toBe('2028-02-29');
    expect(dueDate(at('2027-01-01T10:59:00Z'), '0 6 * * *', 'America/New_York')?.date).toBe('2026-12-31');
  });

  it('weekday-only schedules skip to the last weekday', () => {
    // 2026-04-11 is a Saturday.
    expect(dueDate(at('2026-04-11T12:00:00Z'), '0 6 * * 1-5', 'UTC')?.date).toBe('2026-04-10');
  });
});
