import { splitSentences } from '../lib/sentences.js';
import { CUES, isBoilerplate, LEANS_BACK, LESSON, specificsOf } from './features.js';
import { oneLine, truncateWords } from './text.js';

// Extractive summaries: the article's most informative sentences (the problem, what was built, the measured
// result), in article order, at most 5 sentences and 600 characters, never cut mid-word, never boilerplate.

export const SUMMARY_LIMITS = { sentences: 5, chars: 600 } as const;
const LONGEST_SENTENCE = 400;

/** A sentence's worth to a summary: its specifics, what it says (problem, approach, result) and where it stands. */
export function sentenceScore(s: string, index: number): number {
  const sp = specificsOf(s);
  const words = s.split(/\s+/).length;
  let score = Math.min(3, 1.2 * sp.numbers) + Math.min(1.6, 0.6 * sp.measured) + Math.min(1, 0.25 * sp.names);
  if (CUES.problem.test(s)) score += 0.7;
  if (CUES.approach.test(s)) score += 0.6;
  if (CUES.result.test(s) && (sp.numbers || sp.measured)) score += 1;
  // The lead usually states the problem or the news; later sentences must earn their place.
  score += index === 0 ? 1.2 : index < 3 ? 0.4 : 0;
  if (words < 8) score -= 0.8;
  if (words > 45) score -= 0.5;
  if (/\?\s*$/.test(s)) score -= 0.8;
  if (/\b(?:I|I['’]m|my|excited|thrilled|delighted)\b/.test(s)) score -= 0.4;
  return score;
}

/** Whether a sentence ends as a sentence does (not cut off by a teaser). */
function complete(s: string): boolean {
  return /[.!?]["'”’)\]]*$/.test(s) && !/(?:…|\.\.\.)["'”’)\]]*$/.test(s);
}

/**
 * The summary of an article's text. A teaser's cut-off last sentence is dropped; when nothing whole is left, the
 * text is cut at a word boundary with an ellipsis.
 */
export function extractSummary(text: string, limits: { sentences: number; chars: number } = SUMMARY_LIMITS): string {
  const plain = oneLine(text);
  if (!plain) return '';
  const all = splitSentences(plain);
  const candidates = all
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => complete(s) && !isBoilerplate(s) && s.length <= LONGEST_SENTENCE);
  if (!candidates.length) {
    // Nothing whole: the first sentence that is not boilerplate, cut at a word boundary (never a podcast's
    // "In this episode…" or a "Subscribe" line: then no summary at all).
    const first = all.find((s) => !isBoilerplate(s.replace(/\S*(?:…|\.\.\.)$/, '')) && s.split(/\s+/).length >= 5);
    if (!first) return '';
    const cut = complete(first) ? first : first.replace(/\s*\S*(?:…|\.\.\.)$/, '').replace(/[\s,;:.\-–—]+$/, '') + '…';
    return truncateWords(cut, limits.chars);
  }
  const scored = candidates.map((c, order) => ({ ...c, score: sentenceScore(c.s, order) }));
  const byScore = (x: { score: number; i: number }, y: { score: number; i: number }) => y.score - x.score || x.i - y.i;
  // The shape of a good summary: the best sentence stating the problem (in the first half), the best on what was
  // built, the best measured result; then the rest by score. Each is taken once.
  const half = all.length / 2;
  const role = (test: (c: (typeof scored)[number]) => boolean) => scored.filter(test).sort(byScore)[0];
  const lead = [
    role((c) => c.i < half && CUES.problem.test(c.s)),
    // What was built is told in the team's own voice ("We put a proxy…") more often than not.
    role((c) => /^(?:we|our (?:team|engineers)|the team|[\p{Lu}][\p{L}]+ engineers)\b/iu.test(c.s) && CUES.approach.test(c.s)) ??
      role((c) => CUES.approach.test(c.s) && !CUES.problem.test(c.s)),
    role((c) => CUES.result.test(c.s) && specificsOf(c.s).numbers > 0),
  ].filter((c, k, arr): c is (typeof scored)[number] => !!c && arr.indexOf(c) === k);
  const ranked = [...lead, ...scored.filter((c) => !lead.includes(c)).sort(byScore)];
  const chosen: typeof ranked = [];
  const byIndex = new Map(ranked.map((c) => [c.i, c]));
  let chars = -1;
  const fits = (extra: number, n: number) => chosen.length + n <= limits.sentences && chars + extra <= limits.chars;
  for (const c of ranked) {
    if (chosen.length >= limits.sentences) break;
    if (chosen.includes(c)) continue;
    // A sentence that says nothing new (most of its words are already in the summary) is skipped.
    if (chosen.some((x) => overlap(x.s, c.s) > 0.6)) continue;
    // "They read 4,100 files" needs the sentence saying who they are: both go in, or neither.
    const prev = LEANS_BACK.test(c.s) ? byIndex.get(c.i - 1) : undefined;
    if (LEANS_BACK.test(c.s) && c.i > 0 && !chosen.some((x) => x.i === c.i - 1)) {
      if (!prev || !fits(prev.s.length + c.s.length + 2, 2)) continue;
      chosen.push(prev);
      chars += 1 + prev.s.length;
    }
    if (!fits(1 + c.s.length, 1)) continue;
    chosen.push(c);
    chars += 1 + c.s.length;
  }
  return chosen
    .sort((x, y) => x.i - y.i)
    .map((c) => c.s)
    .join(' ');
}

function overlap(a: string, b: string): number {
  const wa = new Set(a.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
  const wb = b.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  if (!wb.length) return 1;
  return wb.filter((w) => wa.has(w)).length / wb.length;
}

/** The sentence of a text that best states its measured result, or null when it reports none. */
export function resultSentence(text: string): string | null {
  let best: { s: string; score: number } | null = null;
  for (const s of splitSentences(oneLine(text))) {
    if (!complete(s) || isBoilerplate(s) || s.length > LONGEST_SENTENCE) continue;
    const sp = specificsOf(s);
    if (!sp.numbers && !sp.measured) continue;
    const score = 1.5 * sp.numbers + sp.measured + (CUES.result.test(s) ? 1 : 0);
    if (!best || score > best.score) best = { s, score };
  }
  return best && best.score >= 2 ? best.s : null;
}

/** The sentence that states what the story teaches (usually near its end), or null. */
export function lessonSentence(text: string): string | null {
  const all = splitSentences(oneLine(text));
  for (let i = all.length - 1; i >= Math.floor(all.length / 2); i--) {
    const s = all[i]!;
    if (complete(s) && !isBoilerplate(s) && s.length <= LONGEST_SENTENCE && LESSON.test(s) && !LEANS_BACK.test(s)) return s;
  }
  return null;
}
