import { articleText, extractTerms, wordCount } from './text.js';
import type { ArticleTerms, CandidateArticle, ScoreParts, TermHistory } from './types.js';

// Deterministic, explainable ranking: every score is a weighted sum of named parts that are stored with it.

/** Weights of the score parts; the source weight multiplies their sum. */
export const RANK_WEIGHTS = { centrality: 0.65, length: 0.35 } as const;
const LENGTH_SATURATION_WORDS = 2500;

/** The terms of each article (keys), and the surface form each key was most often written in. */
export interface DayTerms {
  byArticle: ArticleTerms;
  surfaces: Record<string, string>;
}

/** Extracts the terms of the day's articles once, for ranking and patterns. */
export function dayTerms(articles: CandidateArticle[]): DayTerms {
  const byArticle: ArticleTerms = {};
  const counts = new Map<string, Map<string, number>>();
  for (const a of articles) {
    const terms = extractTerms(articleText(a));
    byArticle[a.id] = [...terms.keys()].sort();
    for (const [key, surface] of terms) {
      let m = counts.get(key);
      if (!m) counts.set(key, (m = new Map()));
      m.set(surface, (m.get(surface) ?? 0) + 1);
    }
  }
  const surfaces: Record<string, string> = {};
  for (const [key, m] of counts) {
    let best = [...m.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]![0];
    // "Context engineering" at a sentence start is the same phrase as "context engineering" mid-sentence.
    const lowerFirst = best.charAt(0).toLowerCase() + best.slice(1);
    if (lowerFirst !== best && m.has(lowerFirst)) best = lowerFirst;
    surfaces[key] = best;
  }
  return { byArticle, surfaces };
}

/** How rare a term was over the previous 30 days: 1 for a term seen everywhere, more for rarer ones. */
export function rarity(history: TermHistory, key: string): number {
  return Math.log((history.docs + 1) / ((history.df[key] ?? 0) + 1)) + 1;
}

/** For each term, the distinct sources that used it today. */
export function termSources(articles: { id: number; sourceName: string }[], byArticle: ArticleTerms): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const a of articles) {
    for (const key of byArticle[a.id] ?? []) {
      let s = out.get(key);
      if (!s) out.set(key, (s = new Set()));
      s.add(a.sourceName);
    }
  }
  return out;
}

const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;

/** Scores and orders the day's articles; ties break on newer first, then lower id. */
export function rankArticles(
  articles: CandidateArticle[],
  terms: ArticleTerms,
  history: TermHistory,
): { article: CandidateArticle; score: number; parts: ScoreParts }[] {
  const sources = termSources(articles, terms);
  const raw = new Map<number, number>();
  for (const a of articles) {
    const keys = terms[a.id] ?? [];
    let sum = 0;
    for (const k of keys) {
      const s = sources.get(k)?.size ?? 0;
      if (s >= 2) sum += (s - 1) * rarity(history, k);
    }
    // Divided by sqrt(term count) so a long article is not central merely for having many words.
    raw.set(a.id, keys.length ? sum / Math.sqrt(keys.length) : 0);
  }
  const maxRaw = Math.max(0, ...raw.values());
  const scored = articles.map((a) => {
    const words = wordCount(a.contentText) || wordCount(a.summary);
    const parts: ScoreParts = {
      centrality: round(maxRaw > 0 ? raw.get(a.id)! / maxRaw : 0),
      length: round(Math.min(1, Math.log1p(words) / Math.log1p(LENGTH_SATURATION_WORDS))),
      sourceWeight: a.sourceWeight,
      words,
    };
    const score = round(a.sourceWeight * (RANK_WEIGHTS.centrality * parts.centrality + RANK_WEIGHTS.length * parts.length));
    return { article: a, score, parts };
  });
  scored.sort((x, y) => y.score - x.score || y.article.publishedAt - x.article.publishedAt || x.article.id - y.article.id);
  return limitPerCompany(scored, DIVERSITY.top, DIVERSITY.perCompany);
}

/** Diversity: among the first `top` stories, at most `perCompany` from one company (its source name). */
export const DIVERSITY = { top: 5, perCompany: 2 } as const;

/**
 * Reorders a ranked list so that no company has more than `perCompany` of the first `top` places: a story over the
 * cap waits until the next story of another company has its place, then keeps its order among the rest. When too
 * few companies wrote that day to fill the places, the waiting stories fill them in rank order.
 */
export function limitPerCompany<T extends { article: { sourceName: string } }>(ranked: T[], top: number, perCompany: number): T[] {
  const head: T[] = [];
  const waiting: T[] = [];
  const count = new Map<string, number>();
  let i = 0;
  for (; i < ranked.length && head.length < top; i++) {
    const r = ranked[i]!;
    const n = count.get(r.article.sourceName) ?? 0;
    if (n < perCompany) {
      head.push(r);
      count.set(r.article.sourceName, n + 1);
    } else waiting.push(r);
  }
  // Not enough other companies: the waiting stories take the places left, best first.
  while (head.length < top && waiting.length) head.push(waiting.shift()!);
  return [...head, ...waiting, ...ranked.slice(i)];
}
