import type { AppContext } from '../context.js';
import { signToken } from '../subscribers/tokens.js';

/**
 * The per-recipient unsubscribe URL, the same as subscribers/lifecycle's unsubscribeUrlFor (a test holds
 * them equal) without importing the mail templates: a process that only sends stays ~55 MB smaller.
 */
export function recipientUnsubscribeUrl(ctx: Pick<AppContext, 'config' | 'urls'>, subscriberId: number): string {
  return ctx.urls.unsubscribe(signToken(ctx.config.secretKey, { purpose: 'unsubscribe', subscriberId, issuedAt: 0 }));
}

/** The unsubscribe link of a test copy sent to an address that is not a subscriber: it leads to a page saying so. */
export const TEST_COPY_TOKEN = 'test-copy';
