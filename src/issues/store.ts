// What assembling, editing, the archive and the console need from stored issues.
import type { Edition, IssueStatus } from '../domain-types.js';
import type { CandidateArticle, ScoreParts } from '../digest/types.js';

/** A stored issue row. */
export interface IssueRecord {
  id: number;
  date: string;
  /** 'daily', or 'weekly': the week's best from the dailies, dated by the day it is sent. */
  edition: Edition;
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
  edition: Edition;
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
  /** Default 'daily'. */
  edition?: Edition;
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

/** An article of a daily issue in a date range, with the stored score: what a weekly issue is chosen from. */
export interface WeekArticleRow extends IssueArticleRow {
  issueId: number;
  issueDate: string;
}

/** Which archive a listing reads; absent: both editions. */
export interface ListOptions {
  limit: number;
  offset: number;
  edition?: Edition;
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
  /** The issue of a date in an edition (default daily), or null. */
  getIssueByDate(date: string, edition?: Edition): Promise<IssueRecord | null>;
  /** Articles shown in an issue (not excluded). */
  countIssueArticles(issueId: number): Promise<number>;
  /** Published issues (sending or sent), newest date first. */
  listArchiveIssues(p: ListOptions): Promise<ArchiveIssue[]>;
  /** How many issues the archive holds (of one edition, or both). */
  countArchiveIssues(edition?: Edition): Promise<number>;
  /** Every issue, newest date first, for the operator. */
  listAllIssues(p: ListOptions): Promise<ArchiveIssue[]>;
  /** Delivery counts per issue for the given ids. */
  deliveryCounts(issueIds: number[]): Promise<Map<number, DeliveryCounts>>;
  /** The cutoff of the latest daily issue dated before `date`, or null for the first issue. */
  previousCutoff(date: string): Promise<number | null>;
  /** Articles in no issue yet, published in (floor, cutoff]; the caller applies the exact window rule. */
  unassignedArticles(floor: number, cutoff: number): Promise<CandidateArticle[]>;
  /** Title, summary and content of articles published in [from, to): the 30-day background for patterns. */
  historyArticles(from: number, to: number): Promise<CandidateArticle[]>;
  /** Names of the sources followed (not removed), alphabetically. */
  followedSourceNames(): Promise<string[]>;
  /** The articles of an issue in rank order, excluded ones included. */
  getIssueArticles(issueId: number): Promise<IssueArticleRow[]>;
  /** The shown articles of the daily issues dated in [from, to] that no weekly issue holds yet, with stored scores. */
  weekArticles(from: string, to: string): Promise<WeekArticleRow[]>;
  /**
   * Stores an issue and its articles in one transaction. If the date already has an issue of that edition, returns
   * it ('exists'); if another issue of the edition claimed one of the articles meanwhile, stores nothing ('taken').
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
  /** The published issue dates of an edition (default daily) just before and after `date`, for paging. */
  adjacentArchiveDates(date: string, edition?: Edition): Promise<{ prev: string | null; next: string | null }>;
}
