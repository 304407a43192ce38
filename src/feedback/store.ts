// What click tracking, votes and the console's feedback charts need from storage.

/** A tracked article link of an issue. */
export interface TrackedLink {
  id: number;
  issueId: number;
  articleId: number;
  url: string;
}

/** One click as the redirect saw it; subscriberId is null under TRACKING=counts. */
export interface NewClick {
  linkId: number;
  issueId: number;
  articleId: number;
  subscriberId: number | null;
  at: number;
  machine: boolean;
  reason: string | null;
}

/** Readers' feedback on one article: human clicks, machine clicks (apart), and votes. */
export interface ArticleFeedback {
  clicks: number;
  machine: number;
  more: number;
  less: number;
}

/** One article of one sent issue, with its feedback and how many copies of the issue were sent. */
export interface FeedbackRow extends ArticleFeedback {
  issueId: number;
  date: string;
  edition: 'daily' | 'weekly';
  articleId: number;
  title: string;
  sourceId: number;
  sourceName: string;
  /** Copies of the issue accepted by the relay. */
  sent: number;
}

/** A source with its weights: the OPML's and the learned one the operator accepted (null: none). */
export interface SourceWeights {
  id: number;
  name: string;
  weight: number;
  feedbackWeight: number | null;
}

/** A confirmed subscriber's dates and frequency, for the console's growth chart. */
export interface SubscriberSpan {
  confirmedAt: number;
  /** When they left (unsubscribed or bounced), or null. */
  leftAt: number | null;
  frequency: 'daily' | 'weekly';
  status: string;
}

export interface FeedbackStore {
  /** The links of an issue's articles, created on first use (one per article); article id → link. */
  ensureLinks(issueId: number, items: { articleId: number; url: string }[]): Promise<Map<number, TrackedLink>>;
  /** One link, or null. */
  getLink(id: number): Promise<TrackedLink | null>;
  /** Records a click; false when this reader's click on this link was already counted (the same kind). */
  recordClick(c: NewClick): Promise<boolean>;
  /** Records many clicks in one transaction (the redirect's batched writes); already-counted ones are skipped. */
  recordClicks(cs: NewClick[]): Promise<void>;
  /** Records a vote (+1 / −1); a reader's later vote on the same article replaces the earlier one. */
  recordVote(v: { issueId: number; articleId: number; subscriberId: number | null; value: 1 | -1; at: number }): Promise<void>;
  /** Feedback per article id (all issues), for the weekly edition's choice. */
  articleFeedback(articleIds: number[]): Promise<Map<number, ArticleFeedback>>;
  /** Feedback per article of one issue (clicks on that issue's links, votes from its copies). */
  issueFeedback(issueId: number): Promise<Map<number, ArticleFeedback>>;
  /** Every article of the issues sent (or sending) since `since`, with its feedback: the charts and learned weights. */
  feedbackRows(since: number): Promise<FeedbackRow[]>;
  /** The followed sources' weights. */
  sourceWeights(): Promise<SourceWeights[]>;
  /** Sets (or with null clears) a source's accepted learned weight. */
  setFeedbackWeight(sourceId: number, weight: number | null): Promise<boolean>;
  /** Every subscriber who was ever confirmed. */
  subscriberSpans(): Promise<SubscriberSpan[]>;
}
