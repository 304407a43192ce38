// Pure formatting for the console: every date in the operator's zone, every number with its unit.

const nf = new Intl.NumberFormat('en-US');
const nf1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** 1234 → "1,234". */
export function num(n: number): string {
  return nf.format(n);
}

/** A count with its unit, singular or plural: count(1, 'article') → "1 article". */
export function count(n: number, unit: string, plural = `${unit}s`): string {
  return `${nf.format(n)} ${n === 1 ? unit : plural}`;
}

/** Bytes as B / KB / MB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${nf1.format(n / 1024)} KB`;
  return `${nf1.format(n / 1024 / 1024)} MB`;
}

/** A duration as "2 h 5 min", "3 min 20 s" or "12 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 && m < 10 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} days`;
}

/** A rate in messages per second. */
export function rate(perSecond: number): string {
  return `${nf1.format(perSecond)} msg/s`;
}

/** A percentage 0–100 with no decimals (never rounds up to 100 before it is done). */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  const p = Math.floor((part / whole) * 100);
  return part >= whole ? 100 : Math.min(p, 99);
}

function parts(ms: number, tz: string, opts: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...opts }).format(new Date(ms));
}

/** The zone's short name at an instant ("UTC", "CET", "GMT+2"). */
export function zoneName(ms: number, tz: string): string {
  const p = new Intl.DateTimeFormat('en-GB', { timeZone: tz, timeZoneName: 'short' }).formatToParts(new Date(ms));
  return p.find((x) => x.type === 'timeZoneName')?.value ?? tz;
}

/** "Fri 27 Nov 2026, 07:34 CET". */
export function dateTime(ms: number | null | undefined, tz: string): string {
  if (ms === null || ms === undefined) return '—';
  return `${parts(ms, tz, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })} ${zoneName(ms, tz)}`;
}

/** "07:34 CET". */
export function time(ms: number, tz: string): string {
  return `${parts(ms, tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })} ${zoneName(ms, tz)}`;
}

/** "27 Nov, 07:34" for dense tables (the zone is named in the column header). */
export function shortDateTime(ms: number | null | undefined, tz: string): string {
  if (ms === null || ms === undefined) return '—';
  return parts(ms, tz, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** A YYYY-MM-DD issue date as "Fri 27 Nov 2026" (a calendar date, no zone shift). */
export function issueDate(date: string): string {
  return parts(Date.parse(`${date}T12:00:00Z`), 'UTC', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
}

/** "3 h ago" / "in 5 min" relative to now. */
export function relative(ms: number | null | undefined, now: number): string {
  if (ms === null || ms === undefined) return 'never';
  const d = ms - now;
  if (Math.abs(d) < 45_000) return 'just now';
  return d > 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}
