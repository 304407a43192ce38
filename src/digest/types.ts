// The in-memory selection of one date: what the issue will say, before anything is stored or rendered.

/** An article as the digest sees it: already deduplicated and stored by ingest. */
export interface CandidateArticle {
  id: number;
  sourceId: number;
  sourceName: string;
  /** From the OPML (sources.weight); 1 is neutral. */
  sourceWeight: number;
  title: string;
  canonicalUrl: string;
  summary: string;
  contentText: string;
  publishedAt: number;
  firstSeenAt: number;
}

/** Why an article ranks where it does; stored per article and shown to the operator. */
export interface ScoreParts {
  /** 0..1: how much of the day's shared vocabulary (terms other sources used too) this article carries. */
  centrality: number;
  /** 0..1: log-scaled length of the article's text. */
  length: number;
  /** The source's weight from the OPML. */
  sourceWeight: number;
  /** Words of text the length part was measured on. */
  words: number;
}

/** An article placed in an issue. */
export interface RankedArticle {
  id: number;
  rank: number;
  score: number;
  parts: ScoreParts;
  title: string;
  url: string | null;
  sourceName: string;
  summary: string;
  publishedAt: number;
  readingMinutes: number;
}

/** One automatic theme: a term or phrase several sources wrote about that day. */
export interface Theme {
  key: string;
  label: string;
  /** As most often written in the articles ("context engineering", "Kubernetes"). */
  phrase: string;
  score: number;
  sources: string[];
  articleIds: number[];
  sentence: string;
}

/** Background frequencies of the day's candidate terms over the previous 30 days. */
export interface TermHistory {
  docs: number;
  df: Record<string, number>;
}

/** Terms per article, kept so patterns can be recomputed after an operator excludes an article. */
export type ArticleTerms = Record<number, string[]>;

/** The complete content of one issue, from which the email and the web page are rendered. */
export interface Digest {
  date: string;
  newsletterName: string;
  windowStart: number;
  cutoffAt: number;
  subject: string;
  preheader: string;
  signal: RankedArticle | null;
  deepDives: RankedArticle[];
  patterns: { note: string | null; themes: Theme[] };
  /** Names of all sources followed. */
  sources: string[];
  /** Distinct sources with an article in this issue. */
  sourceCount: number;
}
