import type { ScoreParts } from './types.js';

// The score's parts as named, weighted numbers: light enough for the console and the admin API to import.

/** Weights of the positive parts (the source weight multiplies their sum) and the thin-format penalty. */
export const RANK_WEIGHTS = { depth: 0.3, specifics: 0.35, novelty: 0.1, coverage: 0.25, thinPenalty: 0.45 } as const;
const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;

/** The score of a set of parts: source weight (× the learned one) × the weighted positive parts, less the thin-format penalty. */
export function scoreOf(p: Pick<ScoreParts, 'depth' | 'specifics' | 'novelty' | 'coverage' | 'thinPenalty' | 'sourceWeight' | 'feedbackWeight'>): number {
  const w = RANK_WEIGHTS;
  return round(p.sourceWeight * (p.feedbackWeight ?? 1) * (w.depth * p.depth + w.specifics * p.specifics + w.novelty * p.novelty + w.coverage * p.coverage) - p.thinPenalty);
}

/** One score part as the console shows it. */
export interface PartLabel {
  name: string;
  value: string;
  title: string;
}

/** The stored parts of a score, named and formatted for the operator (older issues' two parts included). */
export function describeParts(p: ScoreParts): PartLabel[] {
  const out: PartLabel[] = [];
  const n = (v: number) => v.toFixed(2);
  if (p.depth !== undefined) {
    out.push(
      { name: 'depth', value: n(p.depth), title: 'Log-scaled length of the real text' },
      { name: 'specifics', value: n(p.specifics), title: 'Measured results, numbers with units, named systems' },
      { name: 'novelty', value: n(p.novelty), title: "How little of the title's vocabulary the last 30 days used" },
      { name: 'coverage', value: n(p.coverage), title: "Other companies on the same story, and the day's shared themes" },
    );
    if (p.thinFormat) out.push({ name: p.thinFormat, value: `−${n(p.thinPenalty)}`, title: 'Thin format: subtracted from the score' });
  } else {
    if (p.centrality !== undefined) out.push({ name: 'centrality', value: n(p.centrality), title: "Share of the day's vocabulary other sources used too" });
    if (p.length !== undefined) out.push({ name: 'length', value: n(p.length), title: 'Log-scaled length of the text' });
  }
  out.push({ name: 'source', value: `×${p.sourceWeight.toFixed(1)}`, title: 'Source weight from the OPML' });
  if (p.feedbackWeight !== undefined) out.push({ name: 'readers', value: `×${p.feedbackWeight.toFixed(2)}`, title: "Learned from readers' clicks and votes, accepted by the operator" });
  if (p.readers !== undefined) out.push({ name: 'this week', value: `${p.readers >= 0 ? '+' : '−'}${Math.abs(p.readers).toFixed(2)}`, title: "Readers' clicks and votes this week (weekly edition)" });
  out.push({ name: 'words', value: `${p.words}${p.textKnown === false ? ' (teaser)' : ''}`, title: 'Words the parts were measured on' });
  if (p.duplicateOf != null) out.push({ name: 'same story as', value: `#${p.duplicateOf}`, title: 'Shown under that entry as "also covered by"' });
  return out;
}

/** The score formula in words, for the console. */
export const SCORE_FORMULA = `source weight × learned weight × (${RANK_WEIGHTS.depth} × depth + ${RANK_WEIGHTS.specifics} × specifics + ${RANK_WEIGHTS.novelty} × novelty + ${RANK_WEIGHTS.coverage} × coverage) − ${RANK_WEIGHTS.thinPenalty} for a thin format`;
