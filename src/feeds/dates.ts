// Feed dates: RFC 822, ISO 8601 and the usual sloppy variants. A date without a zone is UTC, never the host's zone.

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, sept: 8, oct: 9, nov: 10, dec: 11,
  january: 0, february: 1, march: 2, april: 3, june: 5, july: 6, august: 7, september: 8, october: 9, november: 10, december: 11,
};

// Offsets in minutes for the zone names feeds actually use.
const ZONES: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0, bst: 60, ist: 330, cet: 60, cest: 120, met: 60, mest: 120, eet: 120, eest: 180,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420, akst: -540, akdt: -480,
  hst: -600, jst: 540, kst: 540, aest: 600, aedt: 660, acst: 570, awst: 480, nzst: 720, nzdt: 780, sgt: 480, hkt: 480,
};

function offsetMinutes(zone: string | undefined): number | null {
  if (!zone) return 0;
  const z = zone.toLowerCase();
  if (z in ZONES) return ZONES[z]!;
  const m = /^(?:gmt|utc)?([+-])(\d{1,2}):?(\d{2})?$/.exec(z);
  if (!m) return null;
  const h = Number(m[2]);
  const min = Number(m[3] ?? 0);
  if (h > 14 || min > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + min);
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offset: number): number | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
  const t = Date.UTC(y, mo, d, h, mi, Math.min(s, 59), ms) - offset * 60_000;
  const check = new Date(Date.UTC(y, mo, d));
  if (check.getUTCDate() !== d) return null; // 31 February and friends
  return Number.isFinite(t) ? t : null;
}

const fullYear = (y: string) => {
  const n = Number(y);
  return y.length <= 2 ? (n < 70 ? 2000 + n : 1900 + n) : n;
};

const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,5})?$/;
const RFC822 =
  /^(?:[A-Za-z]+,?\s*)?(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{2,4}),?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*([A-Za-z]{1,5}|(?:GMT|UTC)?[+-]\d{1,2}:?\d{2})?$/;
const US =
  /^(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}),?(?:\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?$/;

/** Parses a feed date into ms since the epoch, or null when it is missing or unreadable. */
export function parseFeedDate(input: string | null | undefined): number | null {
  if (!input) return null;
  const s = input.trim().replace(/\s+/g, ' ');
  if (!s || s.length > 80) return null;
  let m = ISO.exec(s);
  if (m) {
    const off = offsetMinutes(m[8]);
    if (off === null) return null;
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return build(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms, off);
  }
  m = RFC822.exec(s);
  if (m) {
    const mo = MONTHS[m[2]!.toLowerCase()];
    const off = offsetMinutes(m[7]);
    if (mo === undefined || off === null) return null;
    return build(fullYear(m[3]!), mo, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, off);
  }
  m = US.exec(s);
  if (m) {
    const mo = MONTHS[m[1]!.toLowerCase()];
    const off = offsetMinutes(m[8]);
    if (mo === undefined || off === null) return null;
    let h = Number(m[4] ?? 0);
    const ampm = m[7]?.toLowerCase();
    if (ampm === 'pm' && h < 12) h += 12;
    if (ampm === 'am' && h === 12) h = 0;
    return build(Number(m[3]), mo, Number(m[2]), h, Number(m[5] ?? 0), Number(m[6] ?? 0), 0, off);
  }
  if (/^\d{9,13}$/.test(s)) {
    // Unix time in seconds or milliseconds.
    const n = Number(s);
    return s.length <= 10 ? n * 1000 : n;
  }
  return null;
}

/** Dates before this are placeholders (0, 1970, 0001), not publication times. */
const EARLIEST = Date.UTC(1995, 0, 1);
/** How far ahead of now a feed date may be before we distrust it. */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

/** The published time to store: the feed's date when usable, else the first-seen time. */
export function resolvePublished(candidates: (string | null | undefined)[], now: number): { publishedAt: number; dateSource: 'feed' | 'first_seen' } {
  for (const c of candidates) {
    const t = parseFeedDate(c);
    if (t === null) continue;
    if (t < EARLIEST || t > now + FUTURE_TOLERANCE_MS) return { publishedAt: now, dateSource: 'first_seen' };
    return { publishedAt: t, dateSource: 'feed' };
  }
  return { publishedAt: now, dateSource: 'first_seen' };
}
