// Pure calendar arithmetic for the daily schedule: which instant is date D's send time in a zone,
// and which date an instant belongs to. node-cron fires the jobs; this decides what they mean.

const FIELD_RANGES: [number, number][] = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 7], // day of week (0 and 7 are Sunday)
];
const NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};

/** A parsed 5- or 6-field cron expression (seconds are ignored: the schedule has minute precision). */
export interface CronSpec {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  domAny: boolean;
  dowAny: boolean;
}

function parseField(text: string, [min, max]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.toLowerCase().split(',')) {
    const [rangePart, stepPart] = part.split('/');
    const step = stepPart ? Number(stepPart) : 1;
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in cron field "${text}"`);
    let lo: number;
    let hi: number;
    if (rangePart === '*') {
      lo = min;
      hi = max;
    } else {
      const [a, b] = rangePart!.split('-');
      const num = (v: string) => (v in NAMES ? NAMES[v]! : Number(v));
      lo = num(a!);
      hi = b !== undefined ? num(b) : stepPart ? max : lo;
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || lo > hi) throw new Error(`bad cron field "${text}"`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses a cron expression; throws on anything it does not understand. */
export function parseCron(expr: string): CronSpec {
  let fields = expr.trim().split(/\s+/);
  if (fields.length === 6) fields = fields.slice(1);
  if (fields.length !== 5) throw new Error(`cron expression needs 5 or 6 fields: "${expr}"`);
  const [mi, h, dom, mo, dow] = fields as [string, string, string, string, string];
  const dowSet = parseField(dow, FIELD_RANGES[4]!);
  if (dowSet.has(7)) dowSet.add(0);
  return {
    minute: parseField(mi, FIELD_RANGES[0]!),
    hour: parseField(h, FIELD_RANGES[1]!),
    dom: parseField(dom, FIELD_RANGES[2]!),
    month: parseField(mo, FIELD_RANGES[3]!),
    dow: dowSet,
    domAny: dom === '*',
    dowAny: dow === '*',
  };
}

/** Wall-clock parts of an instant in a zone. */
export function zonedParts(instant: number, tz: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour! % 24, minute: p.minute!, second: p.second! };
}

/** The calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(instant: number, tz: string): string {
  const p = zonedParts(instant, tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The zone's offset from UTC in ms at an instant. */
function offsetAt(instant: number, tz: string): number {
  const p = zonedParts(instant, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in a zone. On a fall-back day an ambiguous time gives its first
 * occurrence; a time skipped by spring-forward gives the instant just after the gap (02:30 → 03:30).
 */
export function wallTimeToInstant(date: string, hour: number, minute: number, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, m - 1, d, hour, minute);
  // Try the offsets in force a day around the time; keep those that map back to the same wall time.
  const candidates = new Set([offsetAt(naive - 36e5 * 26, tz), offsetAt(naive, tz), offsetAt(naive + 36e5 * 26, tz)]);
  const exact: number[] = [];
  for (const off of candidates) {
    const t = naive - off;
    const p = zonedParts(t, tz);
    if (p.hour === hour && p.minute === minute && localDate(t, tz) === date) exact.push(t);
  }
  if (exact.length) return Math.min(...exact);
  // Skipped by a spring-forward: read it with the offset before the gap, which lands after it.
  const before = offsetAt(naive - 36e5 * 26, tz);
  return naive - before;
}

/** Adds n days to a YYYY-MM-DD date. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function dayMatches(spec: CronSpec, date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (!spec.month.has(m)) return false;
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const domOk = spec.dom.has(d);
  const dowOk = spec.dow.has(dow);
  // Classic cron: when both fields are restricted, either may match.
  if (spec.domAny && spec.dowAny) return true;
  if (spec.domAny) return dowOk;
  if (spec.dowAny) return domOk;
  return domOk || dowOk;
}

/**
 * Date D's scheduled send time: the first wall-clock time on D matching the cron, as an instant.
 * Null when the cron does not run on D. Never skipped by DST: a skipped time maps to just after the gap.
 */
export function scheduledInstant(date: string, cron: string | CronSpec, tz: string): number | null {
  const spec = typeof cron === 'string' ? parseCron(cron) : cron;
  if (!dayMatches(spec, date)) return null;
  const hours = [...spec.hour].sort((a, b) => a - b);
  const minutes = [...spec.minute].sort((a, b) => a - b);
  return wallTimeToInstant(date, hours[0]!, minutes[0]!, tz);
}

/** The latest date on or before `date` whose scheduled send time exists (searching back up to 366 days). */
export function previousScheduledDate(date: string, cron: string | CronSpec, tz: string): string | null {
  const spec = typeof cron === 'string' ? parseCron(cron) : cron;
  for (let i = 0; i <= 366; i++) {
    const d = addDays(date, -i);
    if (scheduledInstant(d, spec, tz) !== null) return d;
  }
  return null;
}

/** The most recent scheduled send (date and instant) at or before `now`. */
export function lastScheduledAtOrBefore(now: number, cron: string | CronSpec, tz: string): { date: string; at: number } | null {
  const spec = typeof cron === 'string' ? parseCron(cron) : cron;
  let d = localDate(now, tz);
  for (let i = 0; i <= 366; i++) {
    const at = scheduledInstant(d, spec, tz);
    if (at !== null && at <= now) return { date: d, at };
    d = addDays(d, -1);
  }
  return null;
}

/** The next scheduled send strictly after `now`. */
export function nextScheduledAfter(now: number, cron: string | CronSpec, tz: string): { date: string; at: number } | null {
  const spec = typeof cron === 'string' ? parseCron(cron) : cron;
  let d = localDate(now, tz);
  for (let i = 0; i <= 366; i++) {
    const at = scheduledInstant(d, spec, tz);
    if (at !== null && at > now) return { date: d, at };
    d = addDays(d, 1);
  }
  return null;
}

/** Whether a string is a real calendar date written as YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
