import { plainText } from './text.js';

// One story, one entry: articles from different sources about the same story are grouped. Two measures, each
// computed exactly (a day holds tens of articles, so every pair is compared; MinHash would only approximate it):
// - word 3-shingles of title and text (Jaccard): a syndicated or lightly edited copy;
// - rare terms and figures (cosine over terms weighted by rarity, plus shared figures such as "96%" or "4,100"):
//   the same story told in other words. Two posts on one topic share words but not their figures.

export interface ClusterInput {
  id: number;
  sourceId: number;
  title: string;
  text: string;
}

/** Thresholds, tested on fixture pairs (test/unit/digest-cluster.test.ts). */
export const CLUSTER_THRESHOLDS = { shingle: 0.3, cosineWithFigures: 0.35, figures: 2, cosineWithTitle: 0.3, title: 0.5 } as const;

const STOP = new Set(
  'a an the and or but of to in on at for with by from as is are was were be been being it its this that these those we our you your they their he she his her not no so if then than into over under about after before how why what when which who new more most all any can will just also has have had do does did'.split(
    ' ',
  ),
);

function words(s: string): string[] {
  return (s.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’.+#-]*[\p{L}\p{N}+#%]|[\p{L}\p{N}]/gu) ?? []).map((w) => w.replace(/['’]s$/, ''));
}

function contentWords(s: string): string[] {
  return words(s).filter((w) => !STOP.has(w) && (w.length > 2 || /\d/.test(w)));
}

function shingles(ws: string[], k = 3): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + k <= ws.length; i++) out.add(ws.slice(i, i + k).join(' '));
  return out;
}

/** The figures of a text: numbers of two or more digits or with a unit, as written ("96%", "4,100", "p90"). */
function figures(s: string): Set<string> {
  const out = new Set<string>();
  for (const m of s.matchAll(/\b\d[\d,.]*\d%?|\b\d+(?:%|x\b)|\b[pP]\d{2,3}\b/g)) {
    const f = m[0].toLowerCase().replace(/,/g, '');
    if (/^(?:19|20)\d\d$/.test(f)) continue; // years say nothing about the story
    out.add(f);
  }
  return out;
}

function jaccard<T>(a: Set<T>, b: Set<T>): number {
  if (!a.size || !b.size) return 0;
  let inter = 0;
  const [small, big] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

interface Prepared {
  a: ClusterInput;
  shingles: Set<string>;
  title: Set<string>;
  figures: Set<string>;
  vec: Map<string, number>;
  norm: number;
}

/** Pairwise similarity of two prepared articles, and whether they are the same story. */
function same(x: Prepared, y: Prepared): boolean {
  const t = CLUSTER_THRESHOLDS;
  if (jaccard(x.shingles, y.shingles) >= t.shingle) return true;
  let dot = 0;
  const [small, big] = x.vec.size < y.vec.size ? [x.vec, y.vec] : [y.vec, x.vec];
  for (const [k, v] of small) dot += v * (big.get(k) ?? 0);
  const cos = x.norm && y.norm ? dot / (x.norm * y.norm) : 0;
  let shared = 0;
  for (const f of x.figures) if (y.figures.has(f)) shared++;
  if (cos >= t.cosineWithFigures && shared >= t.figures) return true;
  return cos >= t.cosineWithTitle && jaccard(x.title, y.title) >= t.title;
}

/**
 * Groups the articles into stories; returns the groups of two or more (article ids, input order kept). Only
 * articles of different sources are grouped: one source does not cover its own story twice.
 */
export function clusterStories(items: ClusterInput[]): number[][] {
  const docs = items.map((a) => {
    const body = plainText(a.text).slice(0, 4000);
    return { a, ws: contentWords(`${a.title} ${body}`), all: words(`${a.title} ${body}`), body };
  });
  // Rarity within the day: a word every article uses says nothing about which story it is.
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d.ws)) df.set(w, (df.get(w) ?? 0) + 1);
  const n = docs.length;
  const prepared: Prepared[] = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const w of d.ws) tf.set(w, (tf.get(w) ?? 0) + 1);
    const vec = new Map<string, number>();
    let norm = 0;
    for (const [w, c] of tf) {
      const v = (1 + Math.log(c)) * Math.log((n + 1) / df.get(w)!);
      if (v <= 0) continue;
      vec.set(w, v);
      norm += v * v;
    }
    return { a: d.a, shingles: shingles(d.all), title: new Set(contentWords(d.a.title)), figures: figures(`${d.a.title} ${d.body}`), vec, norm: Math.sqrt(norm) };
  });
  const parent = prepared.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < prepared.length; i++)
    for (let j = i + 1; j < prepared.length; j++) {
      if (prepared[i]!.a.sourceId === prepared[j]!.a.sourceId) continue;
      if (find(i) !== find(j) && same(prepared[i]!, prepared[j]!)) parent[find(j)] = find(i);
    }
  const groups = new Map<number, number[]>();
  prepared.forEach((p, i) => (groups.get(find(i)) ?? groups.set(find(i), []).get(find(i))!).push(p.a.id));
  return [...groups.values()].filter((g) => g.length > 1);
}
