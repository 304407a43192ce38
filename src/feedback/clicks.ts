// Clicks and votes: the redirect's and the vote page's orchestration. The redirect goes only to the stored URL of
// a verified link; recording is best effort and never stands between a reader and the article.
import type { AppContext } from '../context.js';
import { machineReason, type ClickRequest } from './machine.js';
import { getLink, recordClick, recordVote, type TrackedLink } from './repo.js';
import { parseTrackedToken, type RecipientPart } from './tokens.js';

/** Links kept in memory by id: a link never changes once stored, and a popular issue's links are asked for often. */
const LINK_CACHE_MAX = 10_000;
/** Under TRACKING=counts, a second click on a link from the same address and browser within this is not counted again. */
const COUNT_ONCE_MS = 3_600_000;
const SEEN_MAX = 100_000;

/** A verified tracked token: the link and, when its recipient part verified for the same issue, the copy's facts. */
export interface ResolvedLink {
  link: TrackedLink;
  recipient: RecipientPart | null;
}

/** The click side of tracking, with its in-memory caches; one per application. */
export interface Tracker {
  /** The link a token names, or null (forged, unknown, or a recipient part of another issue). */
  resolve(token: string): Promise<ResolvedLink | null>;
  /** Records a click on a resolved link (when tracking is on and the copy is known); never throws. */
  click(r: ResolvedLink, req: Omit<ClickRequest, 'sentAt' | 'now'> & { client: string }): Promise<void>;
  /** Records a vote on a resolved link's article; false when it cannot count (tracking off, unknown copy). */
  vote(r: ResolvedLink, value: 1 | -1, client: string): Promise<boolean>;
}

export function createTracker(ctx: AppContext): Tracker {
  const links = new Map<number, TrackedLink>();
  const seen = new Map<string, number>();

  function onceWithin(key: string, now: number): boolean {
    const at = seen.get(key);
    if (at !== undefined && now - at < COUNT_ONCE_MS) return false;
    if (seen.size >= SEEN_MAX) {
      // Forget the oldest half (Map keeps insertion order).
      let drop = SEEN_MAX / 2;
      for (const k of seen.keys()) {
        seen.delete(k);
        if (--drop <= 0) break;
      }
    }
    seen.delete(key);
    seen.set(key, now);
    return true;
  }

  return {
    async resolve(token) {
      const parsed = parseTrackedToken(ctx.config.secretKey, token);
      if (!parsed) return null;
      let link = links.get(parsed.linkId);
      if (!link) {
        link = (await getLink(ctx, parsed.linkId)) ?? undefined;
        if (!link) return null;
        if (links.size >= LINK_CACHE_MAX) links.delete(links.keys().next().value!);
        links.set(link.id, link);
      }
      if (parsed.recipient && parsed.recipient.issueId !== link.issueId) return null;
      return { link, recipient: parsed.recipient };
    },

    async click({ link, recipient }, req) {
      const mode = ctx.config.tracking;
      if (mode === 'off' || !recipient) return;
      const now = ctx.clock.now();
      const reason = machineReason({ ...req, sentAt: recipient.sentAt, now });
      const subscriberId = mode === 'subscriber' ? recipient.subscriberId : null;
      if (subscriberId === null && !onceWithin(`${link.id}\n${reason ? 'm' : 'h'}\n${req.client}\n${req.userAgent ?? ''}`, now)) return;
      try {
        await recordClick(ctx, { linkId: link.id, issueId: link.issueId, articleId: link.articleId, subscriberId, at: now, machine: reason !== null, reason });
      } catch (err) {
        ctx.log.warn({ err: (err as Error).message, linkId: link.id }, 'a click could not be recorded');
      }
    },

    async vote({ link, recipient }, value, client) {
      const mode = ctx.config.tracking;
      if (mode === 'off' || !recipient) return false;
      const now = ctx.clock.now();
      const subscriberId = mode === 'subscriber' ? recipient.subscriberId : null;
      if (subscriberId === null && !onceWithin(`vote\n${link.articleId}\n${link.issueId}\n${client}`, now)) return true;
      await recordVote(ctx, { issueId: link.issueId, articleId: link.articleId, subscriberId, value, at: now });
      ctx.log.info({ issueId: link.issueId, articleId: link.articleId, value }, 'vote recorded');
      return true;
    },
  };
}
