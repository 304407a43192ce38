import { describe, expect, it } from 'vitest';
import { computeWindow, inWindow } from '../../src/digest/window.js';
import { scheduledInstant } from '../../src/lib/cron-time.js';

const H = 3_600_000;
const base = { cron: '0 6 * * *', timeZone: 'UTC', lookbackHours: 24, now: Date.UTC(2030, 0, 1) };

describe('issue window', () => {
  it('first issue looks back DIGEST_LOOKBACK_HOURS from the cutoff, half-open (start, cutoff]', () => {
    const w = computeWindow({ ...base, date: '2026-04-06', previousCutoff: null })!;
    const cutoff = Date.UTC(2026, 3, 6, 6);
    expect(w.cutoffAt).toBe(cutoff);
    expect(w.start).toBe(cutoff - 24 * H);
    expect(inWindow(w, { publishedAt: cutoff, firstSeenAt: cutoff })).toBe(true);
    expect(inWindow(w, { publishedAt: cutoff + 1, firstSeenAt: cutoff + 1 })).toBe(false);
    expect(inWindow(w, { publishedAt: cutoff - 24 * H, firstSeenAt: cutoff })).toBe(false);
    expect(inWindow(w, { publishedAt: cutoff - 24 * H + 1, firstSeenAt: cutoff })).toBe(true);
  });

  it('an article exactly at a cutoff belongs to exactly one of two consecutive issues', () => {
    const w1 = computeWindow({ ...base, date: '2026-04-06', previousCutoff: null })!;
    const w2 = computeWindow({ ...base, date: '2026-04-07', previousCutoff: w1.cutoffAt })!;
    const at = { publishedAt: w1.cutoffAt, firstSeenAt: w1.cutoffAt - 1000 };
    expect([inWindow(w1, at), inWindow(w2, at)]).toEqual([true, false]);
  });

  it('takes a late-seen article published before the previous cutoff, but not one older than the lookback', () => {
    const prev = Date.UTC(2026, 3, 6, 6);
    const w = computeWindow({ ...base, date: '2026-04-07', previousCutoff: prev })!;
    expect(inWindow(w, { publishedAt: prev - 5 * H, firstSeenAt: prev + H })).toBe(true);
    expect(inWindow(w, { publishedAt: prev - 5 * H, firstSeenAt: prev - H })).toBe(false); // was seen in time: it had its chance
    expect(inWindow(w, { publishedAt: prev - 25 * H, firstSeenAt: prev + H })).toBe(false); // older than the lookback
    expect(inWindow(w, { publishedAt: prev - 24 * H, firstSeenAt: prev + H })).toBe(false); // exactly at the floor: excluded
  });

  it('catch-up after a missed day: the window starts at the last issue, whatever its date', () => {
    const prev = Date.UTC(2026, 3, 4, 6);
    const w = computeWindow({ ...base, date: '2026-04-06', previousCutoff: prev })!;
    expect(w.start).toBe(prev);
    expect(inWindow(w, { publishedAt: Date.UTC(2026, 3, 5, 1), firstSeenAt: Date.UTC(2026, 3, 5, 1) })).toBe(true);
  });

  it('is cut at now when assembled before the scheduled time, so later articles go to the next issue', () => {
    const now = Date.UTC(2026, 3, 6, 4);
    const w = computeWindow({ ...base, now, date: '2026-04-06', previousCutoff: null })!;
    expect(w.cutoffAt).toBe(now);
  });

  it('is null when the schedule has no send that day', () => {
    expect(computeWindow({ ...base, cron: '0 6 * * 1-5', date: '2026-04-05', previousCutoff: null })).toBeNull(); // a Sunday
  });

  it('spring-forward in Europe/Berlin: 02:30 does not exist on 29 March, the windows stay contiguous and 23 hours long', () => {
    const p = { ...base, cron: '30 2 * * *', timeZone: 'Europe/Berlin' };
    const c28 = scheduledInstant('2026-03-28', p.cron, p.timeZone)!;
    const w29 = computeWindow({ ...p, date: '2026-03-29', previousCutoff: c28 })!;
    const w30 = computeWindow({ ...p, date: '2026-03-30', previousCutoff: w29.cutoffAt })!;
    expect(w29.cutoffAt).toBe(Date.UTC(2026, 2, 29, 1, 30)); // 03:30 CEST, just after the gap
    expect(w29.cutoffAt - w29.start).toBe(24 * H);
    expect(w30.start).toBe(w29.cutoffAt);
    expect(w30.cutoffAt - w30.start).toBe(23 * H); // 02:30 CEST on the 30th
    // Every minute across the three days lands in exactly one window.
    for (let t = c28 + 1; t <= w30.cutoffAt; t += 7 * 60_000 + 13) {
      expect(Number(inWindow(w29, { publishedAt: t, firstSeenAt: t })) + Number(inWindow(w30, { publishedAt: t, firstSeenAt: t }))).toBe(1);
    }
  });

  it('fall-back in America/New_York: 01:30 happens twice on 1 November, one cutoff (the first), a 25-hour window', () => {
    const p = { ...base, cron: '30 1 * * *', timeZone: 'America/New_York' };
    const c31 = scheduledInstant('2026-10-31', p.cron, p.timeZone)!;
    const w1 = computeWindow({ ...p, date: '2026-11-01', previousCutoff: c31 })!;
    const w2 = computeWindow({ ...p, date: '2026-11-02', previousCutoff: w1.cutoffAt })!;
    expect(w1.cutoffAt).toBe(Date.UTC(2026, 10, 1, 5, 30)); // 01:30 EDT, the first occurrence
    expect(w1.cutoffAt - w1.start).toBe(24 * H);
    expect(w2.cutoffAt - w2.start).toBe(25 * H);
  });
});
