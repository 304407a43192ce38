import type { AppContext } from '../context.js';
import { signToken } from '../subscribers/tokens.js';

/**
 * The per-recipient unsubscribe URL, the same as subscribers/lifecycle's unsubscribeUrlFor (a test holds
 * them equal) without importing the mail templates: a process that only sends stays ~55 MB smaller.
 */
export function recipientUnsubscribeUrl(ctx: Pick<AppContext, 'config' | 'urls'>, subscriberId: number): string {
  return ctx.urls.unsubscribe(signToken(ctx.config.secretKey, { purpose: 'unsubscribe', subscriberId, issuedAt: 0 }));
}
