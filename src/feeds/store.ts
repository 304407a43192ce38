// What ingest, the sources sync, the admin API and the console need from stored sources and articles.
import type { CleanArticle } from './normalize.js';
import type { SourceEntry } from './opml.js';

/** A feed the newsletter follows, synced from the OPML file. */
export interface Source {
  id: number;
  feedUrl: string;
  name: string;
  siteUrl: string | null;
  weight: number;
  /** The name the digest shows (OPML `company`); null: `name`. */
  company: string | null;
  /** OPML `fulltext`: true always fetch the article page, false never, null when the feed gives only a teaser. */
  fulltext: boolean | null;
  active: boolean;
  etag: string | null;
  lastModified: string | null;
  lastFetchAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  retryAfter: number | null;
  createdAt: number;
  removedAt: number | null;
}

/** One stored article, unique by canonical URL across all feeds. */
export interface Article extends CleanArticle {
  id: number;
  sourceId: number;
}

/** What a sync of the sources file changed. */
export interface SyncResult {
  total: number;
  added: number;
  renamed: number;
  removed: number;
  restored: number;
}

/** A source with its health, for the admin API, the admin page and `newsdesk sources list`. */
export interface SourceHealth {
  id: number;
  name: string;
  feedUrl: string;
  siteUrl: string | null;
  weight: number;
  company: string | null;
  fulltext: boolean | null;
  active: boolean;
  removedAt: number | null;
  lastFetchAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  retryAfter: number | null;
  articleCount: number;
  articlesLast7Days: number;
}

/** An article waiting for its page to be fetched, with what decides whether and how. */
export interface FullTextCandidate {
  id: number;
  url: string;
  contentText: string;
  sourceFeedUrl: string;
  /** The source's OPML fulltext attribute: true always, false never, null when the feed gives only a teaser. */
  sourceFulltext: boolean | null;
}

/** What fetching an article's page came to. */
export interface FullTextResult {
  id: number;
  status: 'ok' | 'failed' | 'skipped';
  reason: string | null;
  text: string | null;
  at: number;
}

/** Sources and their articles. */
export interface FeedsStore {
  /** Makes the sources table match the file: new feeds added, names/site/weight updated, missing ones marked removed (their articles stay). */
  syncSourceEntries(entries: SourceEntry[], now: number, fileDigest?: string): Promise<SyncResult>;
  /** The digest of the sources file the last sync read (written by that sync, in its transaction); null before one. */
  sourcesFileDigest(): Promise<string | null>;
  /** The sources currently followed, by name. */
  listActiveSources(): Promise<Source[]>;
  /** Every source, removed ones included. */
  listAllSources(): Promise<Source[]>;
  /**
   * Stores a successful fetch in one transaction: new articles (an existing GUID in this source or an existing canonical
   * URL anywhere is skipped by the unique indexes), the validators for the next conditional GET, and the health fields.
   * An article another source stored already is credited by preferSource (until it is in an issue). Returns how many
   * articles were new.
   */
  saveFetchSuccess(sourceId: number, items: CleanArticle[], fetch: { etag: string | null; lastModified: string | null; at: number; siteUrl?: string | null }): Promise<number>;
  /** Which of these GUIDs and canonical URLs this source stored already (another source's copy is the store's to weigh). */
  findKnownKeys(sourceId: number, guids: string[], canonicalUrls: string[]): Promise<{ guids: Set<string>; urls: Set<string> }>;
  /** A 304: the source is healthy and nothing changed. */
  saveNotModified(sourceId: number, at: number): Promise<void>;
  /** A failed fetch or parse: the reason, one more failure in a row, and when the server allows the next try. */
  saveFetchFailure(sourceId: number, error: string, at: number, retryAfter?: number): Promise<void>;
  /** Every source (followed first, then removed) with fetch health and article counts; `now` defaults to ctx.clock. */
  listSourcesWithHealth(now: number): Promise<SourceHealth[]>;
  /** Articles of one source, newest first (tests and the admin page). */
  listArticlesOfSource(sourceId: number, limit?: number): Promise<Article[]>;
  /** Sources due for a fetch: followed and not waiting out a Retry-After. */
  listDueSources(now: number): Promise<Source[]>;
  /** Names the landing page lists: the company of each followed source (its own name without one), once each, alphabetically ignoring case. */
  activeSourceNames(): Promise<string[]>;
  /** Articles first seen since `since`, in no issue yet, whose page was never tried (oldest first, at most limit). */
  pendingFullText(since: number, limit: number): Promise<FullTextCandidate[]>;
  /** Records page fetches once each: the text on success, the reason on failure. A recorded article is not tried again. */
  saveFullText(results: FullTextResult[]): Promise<void>;
}
