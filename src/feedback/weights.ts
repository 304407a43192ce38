// Source weights learned from readers: per source, how often its stories were clicked per copy delivered,
// compared with every source's, plus the net of "more" and "less" votes. A suggestion only; it changes the ranking
// once the operator accepts it (sources.feedback_weight), and the OPML weight stays the operator's own.
import type { FeedbackRow, SourceWeights } from './store.js';

/** Before this many human clicks in the window, nothing is suggested: too little to learn from. */
export const MIN_CLICKS = 30;
/** A source needs this many stories shown in the window. */
export const MIN_STORIES = 3;
/** The learned weight stays within these bounds. */
export const WEIGHT_RANGE = [0.5, 1.5] as const;

/** One source's feedback and what it suggests. */
export interface SourceFeedback extends SourceWeights {
  stories: number;
  /** Copies delivered of the issues its stories were in (summed per story). */
  delivered: number;
  clicks: number;
  machine: number;
  more: number;
  less: number;
  /** Human clicks per delivered copy of its stories. */
  rate: number;
  /** The learned weight suggested, or null with `why`. */
  suggested: number | null;
  why: string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The suggestion for each source: the square root of its click rate over the average rate (a source read twice as
 * often as the rest gets ×1.41), moved by up to ±20 % by its net votes per story, within WEIGHT_RANGE.
 */
export function suggestWeights(rows: FeedbackRow[], sources: SourceWeights[]): SourceFeedback[] {
  const by = new Map<number, FeedbackRow[]>();
  for (const r of rows) (by.get(r.sourceId) ?? by.set(r.sourceId, []).get(r.sourceId)!).push(r);
  const totalClicks = rows.reduce((n, r) => n + r.clicks, 0);
  const totalDelivered = rows.reduce((n, r) => n + r.sent, 0);
  const avgRate = totalDelivered ? totalClicks / totalDelivered : 0;
  return sources.map((s) => {
    const mine = by.get(s.id) ?? [];
    const sum = (k: 'sent' | 'clicks' | 'machine' | 'more' | 'less') => mine.reduce((n, r) => n + r[k], 0);
    const delivered = sum('sent');
    const clicks = sum('clicks');
    const more = sum('more');
    const less = sum('less');
    const rate = delivered ? clicks / delivered : 0;
    const base = { ...s, stories: mine.length, delivered, clicks, machine: sum('machine'), more, less, rate };
    if (totalClicks < MIN_CLICKS) return { ...base, suggested: null, why: `${totalClicks} reader clicks in all so far; suggestions start at ${MIN_CLICKS}` };
    if (mine.length < MIN_STORIES) return { ...base, suggested: null, why: `${mine.length} ${mine.length === 1 ? 'story' : 'stories'} shown; suggestions need ${MIN_STORIES}` };
    const ratio = avgRate ? Math.sqrt(rate / avgRate) : 1;
    const votes = mine.length ? Math.max(-1, Math.min(1, (more - less) / mine.length)) : 0;
    const w = Math.max(WEIGHT_RANGE[0], Math.min(WEIGHT_RANGE[1], ratio * (1 + 0.2 * votes)));
    const pct = avgRate ? Math.round((rate / avgRate) * 100) : 0;
    return { ...base, suggested: round2(w), why: `clicked ${pct}% as often as the average source${more || less ? `; votes +${more} / −${less}` : ''}` };
  });
}
