import { rarity, termSources } from './rank.js';
import type { ArticleTerms, TermHistory, Theme } from './types.js';

// Patterns Across Companies: terms and phrases that two or more sources wrote about the same day,
// weighted by how unusual they were over the previous 30 days.

const PHRASE_BOOST = 1.6;
/** Most themes an issue shows, and the fewest worth a section. */
export const MAX_THEMES = 5;

/** Joins names as "A", "A and B", "A, B and C". */
export function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function label(surface: string): string {
  // Keep acronyms and proper nouns as written; capitalise a lower-case first word for the sentence start.
  return surface.charAt(0).toUpperCase() + surface.slice(1);
}

/** The one sentence a theme is shown as. */
export function themeSentence(label: string, sources: string[], articleCount: number): string {
  const names = listNames(sources);
  if (sources.length === 2) return `${label}: both ${names} wrote about it (${articleCount} articles).`;
  return `${label} came up in ${articleCount} articles from ${names}.`;
}

/** Up to two two-word phrases containing a word, each used by two or more sources, the widest first. */
function relatedPhrases(word: string, sources: Map<string, Set<string>>, firstAt: Map<string, number>, surfaces: Record<string, string>): string[] {
  return [...sources.entries()]
    .filter(([k, srcs]) => k.includes(' ') && k.split(' ').includes(word) && srcs.size >= 2)
    .sort((x, y) => y[1].size - x[1].size || firstAt.get(x[0])! - firstAt.get(y[0])!)
    .slice(0, 2)
    .map(([k]) => surfaces[k] ?? k);
}

/** Finds the best themes of the day; articles (in rank order) carry their source name and their term keys. */
export function findThemes(
  articles: { id: number; sourceName: string }[],
  terms: ArticleTerms,
  surfaces: Record<string, string>,
  history: TermHistory,
  max = MAX_THEMES,
): Theme[] {
  const sources = termSources(articles, terms);
  const docs = new Map<string, number[]>();
  for (const a of articles) for (const k of terms[a.id] ?? []) (docs.get(k) ?? docs.set(k, []).get(k)!).push(a.id);

  // Where a term first occurs in the ranked list: among equal scores, the theme of the better-ranked story leads.
  const firstAt = new Map<string, number>();
  articles.forEach((a, i) => {
    for (const k of terms[a.id] ?? []) if (!firstAt.has(k)) firstAt.set(k, i);
  });
  const rankOf = new Map(articles.map((a, i) => [a.id, i]));
  const candidates = new Map<string, number>();
  for (const [key, srcs] of sources) {
    if (srcs.size < 2) continue;
    const phrase = key.includes(' ');
    candidates.set(key, srcs.size * rarity(history, key, surfaces[key]) * (phrase ? PHRASE_BOOST : 1));
  }
  // A phrase that carries most of a word's sources replaces the word ("context" → "context engineering").
  for (const [key, score] of [...candidates]) {
    if (key.includes(' ')) continue;
    const n = sources.get(key)!.size;
    let best: string | null = null;
    for (const [pk] of candidates) {
      if (!pk.includes(' ') || !pk.split(' ').includes(key)) continue;
      if (sources.get(pk)!.size >= Math.max(2, Math.ceil(n * 0.6)) && (!best || candidates.get(pk)! > candidates.get(best)!)) best = pk;
    }
    if (best) {
      candidates.set(best, Math.max(candidates.get(best)!, score));
      candidates.delete(key);
    }
  }
  // Ties are settled by coverage, then by the rank of the first story using the term: never by the alphabet.
  const ordered = [...candidates.entries()].sort(
    (x, y) => y[1] - x[1] || sources.get(y[0])!.size - sources.get(x[0])!.size || firstAt.get(x[0])! - firstAt.get(y[0])! || y[0].length - x[0].length,
  );
  const chosen: Theme[] = [];
  const usedWords = new Set<string>();
  for (const [key, score] of ordered) {
    if (chosen.length >= max) break;
    const words = key.split(' ');
    // One theme per idea: skip anything sharing a word with a theme already chosen.
    if (words.some((w) => usedWords.has(w))) continue;
    // Or covering exactly the same articles as a chosen theme.
    const ids = [...new Set(docs.get(key) ?? [])].sort((a, b) => a - b);
    if (chosen.some((c) => c.articleIds.join() === ids.join())) continue;
    words.forEach((w) => usedWords.add(w));
    // Companies in the order of their best-ranked story on the theme.
    const srcs = [...new Set(ids.map((id) => rankOf.get(id)!).sort((a, b) => a - b).map((i) => articles[i]!.sourceName))];
    const l = label(surfaces[key] ?? key);
    // A one-word theme is named with the phrases it came in ("context: context engineering, context windows").
    const related = words.length === 1 ? relatedPhrases(key, sources, firstAt, surfaces) : [];
    chosen.push({
      key,
      label: l,
      phrase: surfaces[key] ?? key,
      score: Math.round(score * 1000) / 1000,
      sources: srcs,
      articleIds: ids,
      sentence: themeSentence(l, srcs, ids.length),
      ...(related.length ? { related } : {}),
    });
  }
  return chosen;
}
