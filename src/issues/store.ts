// What assembling, editing, the archive and the console need from stored issues.
import type { IssueStatus } from '../domain-types.js';
import type { CandidateArticle, ScoreParts } from '../digest/types.js';

/** A stored issue row. */
export interface IssueRecord {
  id: number;
  date: string;
  status: IssueStatus;
  windowStart: number;
  cutoffAt: number;
  subject: string;
  subjectOverride: string | null;
  preheader: string;
  html: string;
  text: string;
  signalArticleId: number | null;
  pinnedSignalArticleId: number | null;
  patternsNote: string | null;
  patternsJson: string;
  /** What re-rendering after operator edits needs besides the articles: sources list and 30-day term history. */
  digestJson: string;
  createdAt: number;
  updatedAt: number;
  sendStartedAt: number | null;
  sentAt: number | null;
  pausedReason: string | null;
}

/** What callers get back from assembling: enough to show and link the issue. */
export interface IssueSummary {
  id: number;
  date: string;
  subject: string;
  articleCount: number;
}

/** An issue in the public archive. */
export interface ArchiveIssue extends IssueSummary {
  preheader: string;
  status: IssueStatus;
  sentAt: number | null;
  sendStartedAt: number | null;
  updatedAt: number;
}

/** Deliveries of an issue by state ('sending' counts as queued: not final yet). */
export interface DeliveryCounts {
  queued: number;
  sent: number;
  failed: number;
  bounced: number;
  skipped: number;
  /** Final `uncertain`: a copy lost after the final dot twice; the recipient may have one, and gets no third. */
  unconfirmed: number;
}

/** An article of an issue with its stored rank and score. */
export interface IssueArticleRow extends CandidateArticle {
  rank: number;
  score: number;
  parts: ScoreParts;
  excluded: boolean;
}

/** Everything stored for a new issue. */
export interface NewIssue {
  date: string;
  windowStart: number;
  cutoffAt: number;
  subject: string;
  preheader: string;
  html: string;
  text: string;
  signalArticleId: number | null;
  patternsJson: string;
  digestJson: string;
  now: number;
  articles: { articleId: number; rank: number; score: number; scoreParts: string }[];
}

/** Operator edits and the re-rendered parts, stored together. */
export interface IssueEdit {
  subject: string;
  subjectOverride: string | null;
  preheader: string;
  html: string;
  text: string;
  signalArticleId: number | null;
  pinnedSignalArticleId: number | null;
  patternsNote: string | null;
  patternsJson: string;
  /** The stored digest data when the edit changed it (operator summaries); absent keeps it. */
  digestJson?: string;
  excludedIds: number[];
  now: number;
  /** The updatedAt the edit was computed from: a concurrent edit in between makes this one retry. */
  expectedUpdatedAt: number;
}

/** A text the language model wrote, kept by the hash of what it was asked. */
export interface LlmCacheEntry {
  key: string;
  kind: string;
  model: string;
  text: string;
  tokens: number;
  createdAt: number;
}

/** Issues and the articles each holds; an article belongs to at most one issue. */
export interface IssuesStore {
  /** A value that changes whenever a public page could change: issues added, edited, published; sources changed. */
  publicVersion(): Promise<string>;
  /** One issue by id, or null. */
  getIssue(id: number): Promise<IssueRecord | null>;
  /** The issue of a date, or null. */
  getIssueByDate(date: string): Promise<IssueRecord | null>;
  /** Articles shown in an issue (not excluded). */
  countIssueArticles(issueId: number): Promise<number>;
  /** Published issues (sending or sent), newest date first. */
  listArchiveIssues(p: { limit: number; offset: number }): Promise<ArchiveIssue[]>;
  /** How many issues the archive holds. */
  countArchiveIssues(): Promise<number>;
  /** Every issue, newest date first, for the operator. */
  listAllIssues(p: { limit: number; offset: number }): Promise<ArchiveIssue[]>;
  /** Delivery counts per issue for the given ids. */
  deliveryCounts(issueIds: number[]): Promise<Map<number, DeliveryCounts>>;
  /** The cutoff of the latest issue dated before `date`, or null for the first issue. */
  previousCutoff(date: string): Promise<number | null>;
  /** Articles in no issue yet, published in (floor, cutoff]; the caller applies the exact window rule. */
  unassignedArticles(floor: number, cutoff: number): Promise<CandidateArticle[]>;
  /** Title, summary and content of articles published in [from, to): the 30-day background for patterns. */
  historyArticles(from: number, to: number): Promise<CandidateArticle[]>;
  /** Names of the sources followed (not removed), alphabetically. */
  followedSourceNames(): Promise<string[]>;
  /** The articles of an issue in rank order, excluded ones included. */
  getIssueArticles(issueId: number): Promise<IssueArticleRow[]>;
  /**
   * Stores an issue and its articles in one transaction. If the date already has an issue, returns it
   * ('exists'); if another issue claimed one of the articles meanwhile, stores nothing ('taken').
   */
  insertIssue(n: NewIssue): Promise<{ created: IssueRecord } | { exists: IssueRecord } | { taken: true }>;
  /** Applies an edit while the issue is still a draft; 'frozen' once sending started, 'stale' after a concurrent edit. */
  updateDraftIssue(id: number, e: IssueEdit): Promise<'ok' | 'frozen' | 'stale' | 'missing'>;
  /** A cached model text, or null. */
  llmCacheGet(key: string): Promise<LlmCacheEntry | null>;
  /** Keeps a model text (the first one written for a key stays). */
  llmCachePut(e: LlmCacheEntry): Promise<void>;
  /**
   * Takes `tokens` from the day's budget if they fit under `limit`, atomically across processes; false when the
   * budget is spent. A negative amount gives tokens back (an estimate that was too high).
   */
  llmSpend(day: string, tokens: number, limit: number): Promise<boolean>;
  /** Tokens spent on `day`. */
  llmSpent(day: string): Promise<number>;
  /** The published issue dates just before and after `date`, for paging between issues. */
  adjacentArchiveDates(date: string): Promise<{ prev: string | null; next: string | null }>;
}
