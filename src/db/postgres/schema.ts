import { sql } from 'drizzle-orm';
import { bigint, boolean, check, doublePrecision, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

// The PostgreSQL schema: the same tables and constraints as SQLite's. All times are integer milliseconds since the epoch (UTC); dates of issues are 'YYYY-MM-DD' in DIGEST_TIMEZONE.

import { CONSENT_EVENT_TYPES, DELIVERY_STATUSES, EDITIONS, ISSUE_STATUSES, REPORT_CHANNELS, REPORT_KINDS, SUBSCRIBER_STATUSES } from '../../domain-types.js';

const inList = (col: string, values: readonly string[]) =>
  sql.raw(`${col} IN (${values.map((v) => `'${v}'`).join(', ')})`);

/** A feed the newsletter follows, synced from the OPML file. */
export const sources = pgTable(
  'sources',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    feedUrl: text('feed_url').notNull(),
    name: text('name').notNull(),
    siteUrl: text('site_url'),
    weight: doublePrecision('weight').notNull().default(1),
    /** The name the digest shows (OPML `company`); null: the feed's name. */
    company: text('company'),
    /** A weight learned from readers' clicks and votes, applied only once the operator accepted it; null: none. */
    feedbackWeight: doublePrecision('feedback_weight'),
    /** OPML `fulltext`: true always fetch the article page, false never, null when the feed gives only a teaser. */
    fulltext: boolean('fulltext'),
    active: boolean('active').notNull().default(true),
    etag: text('etag'),
    lastModified: text('last_modified'),
    lastFetchAt: bigint('last_fetch_at', { mode: 'number' }),
    lastSuccessAt: bigint('last_success_at', { mode: 'number' }),
    lastError: text('last_error'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    retryAfter: bigint('retry_after', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    removedAt: bigint('removed_at', { mode: 'number' }),
  },
  (t) => [uniqueIndex('sources_feed_url_uq').on(t.feedUrl)],
);

/** One article, unique by canonical URL across all feeds. */
export const articles = pgTable(
  'articles',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    sourceId: integer('source_id')
      .notNull()
      .references(() => sources.id),
    guid: text('guid').notNull(),
    url: text('url').notNull(),
    canonicalUrl: text('canonical_url').notNull(),
    title: text('title').notNull(),
    author: text('author'),
    publishedAt: bigint('published_at', { mode: 'number' }).notNull(),
    /** 'feed' when the feed gave a usable date, else 'first_seen'. */
    dateSource: text('date_source', { enum: ['feed', 'first_seen'] }).notNull(),
    firstSeenAt: bigint('first_seen_at', { mode: 'number' }).notNull(),
    contentHtml: text('content_html').notNull().default(''),
    contentText: text('content_text').notNull().default(''),
    summary: text('summary').notNull().default(''),
    contentHash: text('content_hash').notNull(),
    /** The article's page, extracted and cleaned, when the feed gave only a teaser (or the source asks for it). */
    fullText: text('full_text'),
    /** null: not tried yet; 'ok'; 'failed' (the reason is kept; the feed content stands); 'skipped' (not needed). */
    fulltextStatus: text('fulltext_status', { enum: ['ok', 'failed', 'skipped'] }),
    fulltextReason: text('fulltext_reason'),
    fulltextAt: bigint('fulltext_at', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('articles_canonical_url_uq').on(t.canonicalUrl),
    uniqueIndex('articles_source_guid_uq').on(t.sourceId, t.guid),
    index('articles_published_at_idx').on(t.publishedAt),
    index('articles_first_seen_at_idx').on(t.firstSeenAt),
    check('articles_date_source_ck', inList('date_source', ['feed', 'first_seen'])),
  ],
);

/** The stored, rendered digest of one date. */
export const issues = pgTable(
  'issues',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    date: text('date').notNull(),
    edition: text('edition', { enum: EDITIONS }).notNull().default('daily'),
    status: text('status', { enum: ISSUE_STATUSES }).notNull().default('draft'),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    cutoffAt: bigint('cutoff_at', { mode: 'number' }).notNull(),
    subject: text('subject').notNull(),
    subjectOverride: text('subject_override'),
    preheader: text('preheader').notNull().default(''),
    html: text('html').notNull().default(''),
    text: text('text').notNull().default(''),
    signalArticleId: integer('signal_article_id').references(() => articles.id),
    pinnedSignalArticleId: integer('pinned_signal_article_id').references(() => articles.id),
    patternsNote: text('patterns_note'),
    patternsJson: text('patterns_json').notNull().default('[]'),
    /** What re-rendering after operator edits needs besides the articles: sources list and 30-day term history. */
    digestJson: text('digest_json').notNull().default('{}'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    sendStartedAt: bigint('send_started_at', { mode: 'number' }),
    sentAt: bigint('sent_at', { mode: 'number' }),
    pausedReason: text('paused_reason'),
  },
  (t) => [
    uniqueIndex('issues_edition_date_uq').on(t.edition, t.date),
    check('issues_status_ck', inList('status', ISSUE_STATUSES)),
    check('issues_edition_ck', inList('edition', EDITIONS)),
  ],
);

/** Which articles an issue holds; an article belongs to at most one daily issue (and at most one weekly). */
export const issueArticles = pgTable(
  'issue_articles',
  {
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id, { onDelete: 'cascade' }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id),
    rank: integer('rank').notNull(),
    score: doublePrecision('score').notNull(),
    scoreParts: text('score_parts').notNull().default('{}'),
    excluded: boolean('excluded').notNull().default(false),
    /** The issue's edition, repeated here so the database keeps one daily and one weekly issue per article. */
    edition: text('edition', { enum: EDITIONS }).notNull().default('daily'),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.articleId] }), uniqueIndex('issue_articles_edition_article_uq').on(t.edition, t.articleId)],
);

/** A person on the list; email is stored normalized and unique. Erased rows keep no address. */
export const subscribers = pgTable(
  'subscribers',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    email: text('email'),
    name: text('name'),
    status: text('status', { enum: SUBSCRIBER_STATUSES }).notNull().default('pending'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    confirmedAt: bigint('confirmed_at', { mode: 'number' }),
    unsubscribedAt: bigint('unsubscribed_at', { mode: 'number' }),
    bouncedAt: bigint('bounced_at', { mode: 'number' }),
    lastConfirmationSentAt: bigint('last_confirmation_sent_at', { mode: 'number' }),
    /** How consent was given for the current confirmed state: 'double_opt_in' or 'import'. */
    consentSource: text('consent_source'),
    erasedAt: bigint('erased_at', { mode: 'number' }),
    /** Issues in a row whose copy soft-bounced; an accepted delivery resets it. */
    softBounceStreak: integer('soft_bounce_streak').notNull().default(0),
    /** The issue of the last soft bounce counted (one per issue). */
    softBounceIssueId: integer('soft_bounce_issue_id'),
    /** The reader's pause: no issue is queued for them before this time (null: not paused). */
    pausedUntil: bigint('paused_until', { mode: 'number' }),
    /** The reader asked for the text part only. */
    textOnly: boolean('text_only').notNull().default(false),
    /** Which edition the reader gets: every daily issue, or only the weekly one. */
    frequency: text('frequency', { enum: EDITIONS }).notNull().default('daily'),
    /** Companies whose stories the reader left out, as a JSON array of names; their copy is rendered without them. */
    excludedCompanies: text('excluded_companies').notNull().default('[]'),
  },
  (t) => [
    uniqueIndex('subscribers_email_uq').on(t.email),
    index('subscribers_status_idx').on(t.status, t.id),
    check('subscribers_status_ck', inList('status', SUBSCRIBER_STATUSES)),
    check('subscribers_frequency_ck', inList('frequency', EDITIONS)),
  ],
);

/** Append-only record of consent: signups, confirmations, unsubscribes, imports, bounces. */
export const consentEvents = pgTable(
  'consent_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id),
    type: text('type', { enum: CONSENT_EVENT_TYPES }).notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    page: text('page'),
    consentTextVersion: text('consent_text_version'),
    detail: text('detail'),
  },
  (t) => [
    index('consent_events_subscriber_idx').on(t.subscriberId, t.at),
    check('consent_events_type_ck', inList('type', CONSENT_EVENT_TYPES)),
  ],
);

/** One issue to one subscriber: the ledger that makes sending exactly-once. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** Copies that may have reached the recipient twice (connection lost after the final dot, crash mid-send). */
    uncertain: integer('uncertain').notNull().default(0),
    /** Copies requested by operator resends after the first. */
    resends: integer('resends').notNull().default(0),
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseUntil: bigint('lease_until', { mode: 'number' }),
    messageId: text('message_id'),
    smtpResponse: text('smtp_response'),
    lastError: text('last_error'),
    queuedAt: bigint('queued_at', { mode: 'number' }).notNull(),
    sentAt: bigint('sent_at', { mode: 'number' }),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('deliveries_issue_subscriber_uq').on(t.issueId, t.subscriberId),
    index('deliveries_claim_idx').on(t.issueId, t.status, t.nextAttemptAt),
    index('deliveries_subscriber_idx').on(t.subscriberId),
    check('deliveries_status_ck', inList('status', DELIVERY_STATUSES)),
  ],
);

/** Operator resend requests: who asked, when, what, how many were queued. */
export const resendRequests = pgTable(
  'resend_requests',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id),
    kind: text('kind', { enum: ['email', 'failed', 'missing'] }).notNull(),
    email: text('email'),
    requestedBy: text('requested_by').notNull(),
    requestedAt: bigint('requested_at', { mode: 'number' }).notNull(),
    queued: integer('queued').notNull(),
    /** The client's Idempotency-Key: a retried request with it gets this row's result instead of a new resend. */
    idempotencyKey: text('idempotency_key'),
  },
  (t) => [uniqueIndex('resend_requests_idempotency_key_uq').on(t.idempotencyKey)],
);

/** Test copies of an issue sent to any address, kept apart from deliveries. */
export const testSends = pgTable('test_sends', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  issueId: integer('issue_id')
    .notNull()
    .references(() => issues.id),
  email: text('email').notNull(),
  at: bigint('at', { mode: 'number' }).notNull(),
  status: text('status', { enum: ['sent', 'failed'] }).notNull(),
  messageId: text('message_id'),
  smtpResponse: text('smtp_response'),
  error: text('error'),
});

/** Named leases held by one process at a time (the daily job, the sender). */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
});

/** Console sessions signed out before they expired, kept until their own expiry so a restart does not revive them. */
export const consoleRevocations = pgTable('console_revocations', {
  sessionId: text('session_id').primaryKey(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
});

/** Facts about this database that outlive any process, e.g. when its schedule first ran. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** One row per scheduled daily run and date: what happened (sent, skipped, empty, review). */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    job: text('job').notNull(),
    date: text('date').notNull(),
    status: text('status').notNull(),
    detail: text('detail'),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }),
  },
  (t) => [uniqueIndex('job_runs_job_date_uq').on(t.job, t.date)],
);

/** The send budget shared by every sender of this database: the next free slot of SEND_RATE. */
export const sendSlots = pgTable('send_slots', {
  name: text('name').primaryKey(),
  nextAt: bigint('next_at', { mode: 'number' }).notNull(),
});

/** Fixed-window request counters shared by every process (signup and sign-in limits). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: bigint('window_start', { mode: 'number' }).notNull(),
  count: integer('count').notNull(),
});

/** Texts the language model wrote, by hash of the input, prompt version and model: asked once, reused. */
export const llmCache = pgTable('llm_cache', {
  key: text('key').primaryKey(),
  kind: text('kind').notNull(),
  model: text('model').notNull(),
  text: text('text').notNull(),
  tokens: integer('tokens').notNull().default(0),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

/** Tokens spent on the language model per UTC day, against LLM_DAILY_TOKEN_LIMIT (shared by every instance). */
export const llmUsage = pgTable('llm_usage', {
  day: text('day').primaryKey(),
  tokens: integer('tokens').notNull().default(0),
});

/** Every bounce, complaint and unsubscribe report received, matched to its delivery or not, with what it did. */
export const deliveryReports = pgTable(
  'delivery_reports',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    receivedAt: bigint('received_at', { mode: 'number' }).notNull(),
    channel: text('channel', { enum: REPORT_CHANNELS }).notNull(),
    kind: text('kind', { enum: REPORT_KINDS }).notNull(),
    deliveryId: integer('delivery_id'),
    subscriberId: integer('subscriber_id'),
    issueId: integer('issue_id'),
    recipient: text('recipient'),
    /** The enhanced status code (5.1.1), the feedback type, or the provider's event name. */
    status: text('status'),
    /** The diagnostic, or why the report matched nothing. */
    detail: text('detail'),
    /** What the report did: 'bounced', 'counted 2 of 3', 'unsubscribed', 'nothing'. */
    action: text('action'),
    /** One report is applied once: a provider's event id, or a hash of the mail. */
    dedupeKey: text('dedupe_key').notNull(),
  },
  (t) => [
    uniqueIndex('delivery_reports_dedupe_uq').on(t.dedupeKey),
    index('delivery_reports_issue_idx').on(t.issueId, t.kind),
    index('delivery_reports_subscriber_idx').on(t.subscriberId, t.receivedAt),
    check('delivery_reports_channel_ck', inList('channel', REPORT_CHANNELS)),
    check('delivery_reports_kind_ck', inList('kind', REPORT_KINDS)),
  ],
);

/** An article link of an issue that tracking rewrites to `/r/<token>`: the redirect only ever goes to this URL. */
export const links = pgTable(
  'links',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id),
    url: text('url').notNull(),
  },
  (t) => [uniqueIndex('links_issue_article_uq').on(t.issueId, t.articleId)],
);

/**
 * A click on a tracked link. `machine` marks scanners and prefetches (kept apart from the counts); subscriber_id is
 * null under TRACKING=counts. One human and one machine row per link and reader: a reader who clicks twice counts once.
 */
export const clicks = pgTable(
  'clicks',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    linkId: integer('link_id')
      .notNull()
      .references(() => links.id),
    issueId: integer('issue_id').notNull(),
    articleId: integer('article_id').notNull(),
    subscriberId: integer('subscriber_id'),
    at: bigint('at', { mode: 'number' }).notNull(),
    machine: boolean('machine').notNull().default(false),
    /** Why a click was taken for a machine's: 'scanner', 'head', 'prefetch', 'too-soon'. */
    reason: text('reason'),
  },
  (t) => [
    // The one index: it dedupes, and (by link) finds an article's clicks. Every other index would cost each click.
    uniqueIndex('clicks_link_subscriber_uq').on(t.linkId, t.subscriberId, t.machine),
  ],
);

/** "More like this" (+1) or "less like this" (−1) on a Deep Dive; one per reader and article (the last one counts). */
export const votes = pgTable(
  'votes',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id),
    subscriberId: integer('subscriber_id'),
    value: integer('value').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('votes_issue_article_subscriber_uq').on(t.issueId, t.articleId, t.subscriberId),
    index('votes_at_idx').on(t.at),
    check('votes_value_ck', sql.raw('value IN (-1, 1)')),
  ],
);
