import type { Edition } from '../domain-types.js';
// The in-memory selection of one date: what the issue will say, before anything is stored or rendered.

/** An article as the digest sees it: already deduplicated and stored by ingest. */
export interface CandidateArticle {
  id: number;
  sourceId: number;
  sourceName: string;
  /** From the OPML (sources.weight); 1 is neutral. */
  sourceWeight: number;
  /** Learned from readers' feedback and accepted by the operator (sources.feedback_weight); absent or null: none. */
  feedbackWeight?: number | null;
  title: string;
  canonicalUrl: string;
  summary: string;
  contentText: string;
  publishedAt: number;
  firstSeenAt: number;
  /** Where contentText came from: the feed, or the article's page (full text fetched at ingest). */
  textSource?: 'feed' | 'page';
}

/** Why an article ranks where it does; stored per article and shown to the operator. */
export interface ScoreParts {
  /** 0..1: real content length (log-scaled words of the known text; a teaser counts for what it shows). */
  depth: number;
  /** 0..1: measured results, numbers with units and named systems. */
  specifics: number;
  /** 0..1: how little of its title's vocabulary the previous 30 days' articles used (1 with no history). */
  novelty: number;
  /** 0..1: other companies covering the same story, and the day's shared themes it carries. */
  coverage: number;
  /** The thin format found (podcast, video, event, roundup, announcement, policy), or null. */
  thinFormat: string | null;
  /** Subtracted for a thin format. */
  thinPenalty: number;
  /** The source's weight from the OPML; multiplies the positive parts. */
  sourceWeight: number;
  /** The accepted learned weight of the source (readers' clicks and votes); multiplies too. Absent: none. */
  feedbackWeight?: number;
  /** Words of the text the parts were measured on. */
  words: number;
  /** Whether that text is the article (full content or its page) rather than a teaser. */
  textKnown: boolean;
  /** In a weekly issue, −0.4 … 1: what readers' clicks and votes added (READER_WEIGHT of it), when tracking is on. */
  readers?: number;
  /** Set on a story's other copies: the id of the entry that shows it. */
  duplicateOf?: number;
  /** Issues stored before these parts existed carried these two instead. */
  centrality?: number;
  length?: number;
}

/** Another source's article on the same story, shown as "also covered by". */
export interface AlsoCovered {
  id: number;
  sourceName: string;
  title: string;
  url: string | null;
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
  /** Who wrote the summary: extracted from the article, the language model, or the operator. */
  summaryBy: 'extract' | 'model' | 'operator';
  publishedAt: number;
  /** From the real text; null when only a teaser is known. */
  readingMinutes: number | null;
  alsoCoveredBy: AlsoCovered[];
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
  /** For a one-word theme: the phrases it was written in, used by two or more sources ("context engineering"). */
  related?: string[];
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
  /** 'weekly': the week's best from its daily issues, dated by the day it is sent. */
  edition: Edition;
  newsletterName: string;
  windowStart: number;
  cutoffAt: number;
  subject: string;
  preheader: string;
  signal: RankedArticle | null;
  /** "Why it matters": one paragraph under the signal. */
  signalWhy: EditorText | null;
  deepDives: RankedArticle[];
  /** The operator's note, or the automatic themes and the paragraph written from them. */
  patterns: { note: string | null; themes: Theme[]; paragraph: Segment[]; paragraphBy: 'extract' | 'model' };
  /** Names of all sources followed. */
  sources: string[];
  /** Distinct sources with an article in this issue. */
  sourceCount: number;
}

/** A text the editor wrote, and who: extracted and templated from the articles, or the language model. */
export interface EditorText {
  text: string;
  by: 'extract' | 'model';
}

/** A run of paragraph text, linked to an article when href is set. */
export interface Segment {
  text: string;
  href?: string | null;
  /** The linked article's title (shown on hover, and in the text part). */
  title?: string;
}
