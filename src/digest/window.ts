import { scheduledInstant } from '../lib/cron-time.js';

// Which articles belong to date D's issue (SPEC "Window"). Pure: times and the previous cutoff are passed in.

const HOUR = 3_600_000;

/** The bounds of one issue's window; intervals are half-open (start, cutoff] so a boundary article appears once. */
export interface DigestWindow {
  date: string;
  /** D's scheduled send time (or now, when assembled early: later articles go to the next issue). */
  cutoffAt: number;
  /** Exclusive lower bound of publishedAt: the previous issue's cutoff, or cutoff minus the lookback for the first issue. */
  start: number;
  /** Late-feed rule: an article published before `start` still counts if first seen after `start` and published after this. */
  lateFloor: number | null;
}

/** Computes D's window; null when the schedule has no send on D (e.g. a weekdays-only cron on a Sunday). */
export function computeWindow(p: {
  date: string;
  cron: string;
  timeZone: string;
  lookbackHours: number;
  previousCutoff: number | null;
  now: number;
}): DigestWindow | null {
  const scheduled = scheduledInstant(p.date, p.cron, p.timeZone);
  if (scheduled === null) return null;
  const cutoffAt = Math.min(scheduled, p.now);
  const lookback = p.lookbackHours * HOUR;
  if (p.previousCutoff === null) return { date: p.date, cutoffAt, start: cutoffAt - lookback, lateFloor: null };
  return { date: p.date, cutoffAt, start: p.previousCutoff, lateFloor: p.previousCutoff - lookback };
}

/** Whether an article falls in a window (its issue membership is checked separately). */
export function inWindow(w: DigestWindow, a: { publishedAt: number; firstSeenAt: number }): boolean {
  if (a.publishedAt > w.cutoffAt) return false;
  if (a.publishedAt > w.start) return true;
  return w.lateFloor !== null && a.firstSeenAt > w.start && a.publishedAt > w.lateFloor;
}

/** The earliest publishedAt any article in the window can have (for the database query). */
export function windowFloor(w: DigestWindow): number {
  return w.lateFloor ?? w.start;
}
