import { backgroundTermShare } from './background.js';
import { clusterStories } from './cluster.js';
import { isTeaser, specificsOf, specificsScore, thinFormat } from './features.js';
import { RANK_WEIGHTS, scoreOf } from './parts.js';
import { articleText, extractTerms, wordCount } from './text.js';

export { RANK_WEIGHTS, scoreOf };
import type { ArticleTerms, CandidateArticle, ScoreParts, TermHistory } from './types.js';

// Deterministic, explainable ranking: every score is a weighted sum of named parts that are stored with it:
// depth, specifics, novelty, coverage and source weight, less a penalty for thin formats.


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
    // A term as written mid-sentence is its own casing: "Context Engineering" in headlines and "Context
    // engineering" at a sentence start are "context engineering" once any text writes it so; a name nobody writes
    // in lower case ("Apache Druid") keeps its capitals.
    const lower = best.toLowerCase();
    const lowerFirst = best.charAt(0).toLowerCase() + best.slice(1);
    if (lower !== best && m.has(lower)) best = lower;
    else if (lowerFirst !== best && m.has(lowerFirst)) best = lowerFirst;
    surfaces[key] = best;
  }
  return { byArticle, surfaces };
}

/** Pseudo-documents the bundled background stands for: enough to rank a first issue, outweighed by real history. */
export const BACKGROUND_DOCS = 30;

/**
 * How rare a term was over the previous 30 days, blended with how common its words are in ordinary English (the
 * bundled background), so a new installation's first issue already tells "client" from "Druid": 1 for a term seen
 * everywhere, more for rarer ones.
 */
export function rarity(history: TermHistory, key: string, surface?: string): number {
  const bg = backgroundTermShare(key, surface);
  return Math.log((history.docs + BACKGROUND_DOCS + 1) / ((history.df[key] ?? 0) + BACKGROUND_DOCS * bg + 1)) + 1;
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

const DEPTH_SATURATION_WORDS = 2500;
/** Share of the coverage part that comes from other companies telling the same story (the rest: shared themes). */
const STORY_COVERAGE = 0.7;

/** An article with its score and the named parts it is the sum of. */
export interface RankedCandidate {
  article: CandidateArticle;
  score: number;
  parts: ScoreParts;
}

/** How much of an article's title vocabulary the last 30 days did not use: 1 with no history. */
function novelty(a: CandidateArticle, history: TermHistory): number {
  if (!history.docs) return 1;
  const keys = [...extractTerms(a.title).keys()].filter((k) => !k.includes(' '));
  if (!keys.length) return 1;
  let sum = 0;
  for (const k of keys) sum += Math.exp(-((history.df[k] ?? 0) / history.docs) * 8);
  return sum / keys.length;
}

/** Whether an article's text names a company as a whole word. */
function names(a: CandidateArticle, company: string): boolean {
  const esc = company.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\p{L}])${esc}(?:[^\\p{L}]|$)`, 'u').test(`${a.title} ${a.contentText || a.summary}`);
}

/** Scores the day's articles and orders them; a story told by several sources is one entry (its best copy). */
export function rankArticles(articles: CandidateArticle[], terms: ArticleTerms, history: TermHistory): RankedCandidate[] {
  const sources = termSources(articles, terms);
  // Shared themes: the rare terms this article has in common with other companies today.
  const shared = new Map<number, number>();
  for (const a of articles) {
    const keys = terms[a.id] ?? [];
    let sum = 0;
    for (const k of keys) {
      const s = sources.get(k)?.size ?? 0;
      if (s >= 2) sum += (s - 1) * rarity(history, k);
    }
    shared.set(a.id, keys.length ? sum / Math.sqrt(keys.length) : 0);
  }
  const maxShared = Math.max(0, ...shared.values());
  const stories = clusterStories(articles.map((a) => ({ id: a.id, sourceId: a.sourceId, title: a.title, text: a.contentText || a.summary })));
  const storyOf = new Map<number, number[]>();
  for (const g of stories) for (const id of g) storyOf.set(id, g);
  const byId = new Map(articles.map((a) => [a.id, a]));

  const scored = articles.map((a): RankedCandidate => {
    const text = a.contentText || a.summary;
    const textKnown = a.textSource === 'page' || !isTeaser(a.contentText);
    const words = wordCount(text);
    const spec = specificsScore(specificsOf(`${a.title}. ${text}`), words);
    const companies = new Set((storyOf.get(a.id) ?? [a.id]).map((id) => byId.get(id)!.sourceName));
    const storyPart = Math.min(1, (companies.size - 1) / 3);
    const themePart = maxShared > 0 ? shared.get(a.id)! / maxShared : 0;
    const format = thinFormat({ title: a.title, url: a.canonicalUrl, text }, spec);
    const parts: ScoreParts = {
      depth: round(Math.min(1, Math.log1p(words) / Math.log1p(DEPTH_SATURATION_WORDS))),
      specifics: round(spec),
      novelty: round(novelty(a, history)),
      coverage: round(STORY_COVERAGE * storyPart + (1 - STORY_COVERAGE) * themePart),
      thinFormat: format,
      thinPenalty: format ? RANK_WEIGHTS.thinPenalty : 0,
      sourceWeight: a.sourceWeight,
      ...(a.feedbackWeight != null && a.feedbackWeight !== 1 ? { feedbackWeight: a.feedbackWeight } : {}),
      words,
      textKnown,
    };
    return { article: a, score: scoreOf(parts), parts };
  });
  scored.sort((x, y) => y.score - x.score || y.article.publishedAt - x.article.publishedAt || x.article.id - y.article.id);
  // Each story is shown once, by its original when one copy names another's company as its source ("according to
  // the Pinterest post"), else by its best-ranked copy; the other copies follow the list, marked.
  const bestOf = new Map<number[], number>();
  for (const g of stories) {
    const members = scored.filter((r) => g.includes(r.article.id));
    const cited = members.filter((m) => members.some((o) => o !== m && o.article.sourceName !== m.article.sourceName && names(o.article, m.article.sourceName)));
    bestOf.set(g, (cited[0] ?? members[0]!).article.id);
  }
  const shown: RankedCandidate[] = [];
  const copies: RankedCandidate[] = [];
  for (const r of scored) {
    const g = storyOf.get(r.article.id);
    if (!g || bestOf.get(g) === r.article.id) shown.push(r);
    else copies.push({ ...r, parts: { ...r.parts, duplicateOf: bestOf.get(g)! } });
  }
  return [...limitPerCompany(shown, DIVERSITY.top, DIVERSITY.perCompany), ...copies];
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
