/** Why one source failed this run; the message is the one line shown to the operator. */
export class FeedError extends Error {
  override name = 'FeedError';
  constructor(
    message: string,
    /** When the server asked us to come back (ms since epoch), from Retry-After on 429/503. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}
