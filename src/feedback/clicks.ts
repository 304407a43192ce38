// Clicks and votes: the redirect's and the vote page's orchestration. The redirect goes only to the stored URL of
// a verified link; recording is best effort and never stands between a reader and the article.
import type { AppContext } from '../context.js';
import { machineReason, type ClickRequest } from './machine.js';
import { getLink, recordClick, recordClicks, recordVote, type NewClick, type TrackedLink } from './repo.js';
import { parseTrackedToken, type RecipientPart } from './tokens.js';

/** Links kept in memory by id: a link never changes once stored, and a popular issue's links are asked for often. */
const LINK_CACHE_MAX = 10_000;
/** How long a click waits for others to share its write, and the most written at once. */
const BATCH_MS = 25;
const BATCH_MAX = 500;
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
  /** The same from memory only: undefined when the link is not cached yet (then resolve() reads it). */
  resolveCached(token: string): ResolvedLink | null | undefined;
  /**
   * Records a click without waiting: clicks are written in batches, one transaction every few milliseconds, so a
   * burst of readers costs the redirect no write each. A crash loses at most the last batch's clicks.
   */
  clickSoon(r: ResolvedLink, req: Omit<ClickRequest, 'sentAt' | 'now'> & { client: string }): void;
  /** Writes the clicks still waiting. */
  flush(): Promise<void>;
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

  /** The click to store, or null when nothing is stored (tracking off, an unknown copy, counted already). */
  function clickOf({ link, recipient }: ResolvedLink, req: Omit<ClickRequest, 'sentAt' | 'now'> & { client: string }): NewClick | null {
    const mode = ctx.config.tracking;
    if (mode === 'off' || !recipient) return null;
    const now = ctx.clock.now();
    const reason = machineReason({ method: req.method, userAgent: req.userAgent, purpose: req.purpose, sentAt: recipient.sentAt, now });
    const subscriberId = mode === 'subscriber' ? recipient.subscriberId : null;
    if (subscriberId === null && !onceWithin(`${link.id}\n${reason ? 'm' : 'h'}\n${req.client}\n${req.userAgent ?? ''}`, now)) return null;
    return { linkId: link.id, issueId: link.issueId, articleId: link.articleId, subscriberId, at: now, machine: reason !== null, reason };
  }

  let waiting: NewClick[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  function write(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = waiting;
    waiting = [];
    if (!batch.length) return writing;
    writing = writing
      .then(() => recordClicks(ctx, batch))
      .catch((err) => ctx.log.warn({ err: (err as Error).message, clicks: batch.length }, 'clicks could not be recorded'));
    return writing;
  }

  function cached(parsed: NonNullable<ReturnType<typeof parseTrackedToken>>, link: TrackedLink): ResolvedLink | null {
    if (parsed.recipient && parsed.recipient.issueId !== link.issueId) return null;
    return { link, recipient: parsed.recipient };
  }

  return {
    resolveCached(token) {
      const parsed = parseTrackedToken(ctx.config.secretKey, token);
      if (!parsed) return null;
      const link = links.get(parsed.linkId);
      return link ? cached(parsed, link) : undefined;
    },

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
      return cached(parsed, link);
    },

    async click(r, req) {
      const c = clickOf(r, req);
      if (!c) return;
      try {
        await recordClick(ctx, c);
      } catch (err) {
        ctx.log.warn({ err: (err as Error).message, linkId: r.link.id }, 'a click could not be recorded');
      }
    },

    clickSoon(r, req) {
      const c = clickOf(r, req);
      if (!c) return;
      waiting.push(c);
      if (waiting.length >= BATCH_MAX) void write();
      else if (!timer) {
        timer = setTimeout(() => void write(), BATCH_MS);
        timer.unref?.();
      }
    },

    flush: write,

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
