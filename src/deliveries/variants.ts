// The copies of one issue: one message template per distinct choice of left-out companies (never one per reader),
// and with TRACKING on, article links rewritten to `/r/<token>`. Each template is rendered once, when the first
// copy that needs it is built; the per-recipient step stays a substitution of a few values.
import type { AppContext } from '../context.js';
import { safeHttpUrl } from '../feeds/canonical.js';
import { linkToken, recipientToken, RECIPIENT_PLACEHOLDER } from '../feedback/tokens.js';
import { getIssue } from '../issues/repo.js';
import { loadIssueDigest, storedData, toScored } from '../issues/stored.js';
import { variantKey } from '../subscribers/companies.js';
import { issueTemplateFrom, type IssueTemplate } from './message.js';
import type { SendableIssue } from './store.js';

/** The templates of one issue, keyed by variant. */
export interface IssueCopies {
  /** The template for a reader who left out these companies (absent: none). */
  templateFor(excluded: readonly string[] | undefined): Promise<IssueTemplate>;
  /** The recipient part of tracked links for one copy, or undefined with tracking off. */
  trackingToken(subscriberId: number, now: number): string | undefined;
  /** How many distinct templates were rendered so far. */
  readonly rendered: number;
}

/**
 * Prepares the copies of a sendable issue. The plain variant with tracking off is the stored rendering itself, and
 * nothing more is read for it; any other is re-composed from the stored issue (operator edits kept), read once when
 * the first such copy is built, without the left-out companies' stories.
 */
export async function issueCopies(ctx: AppContext, issueId: number, stored: SendableIssue): Promise<IssueCopies> {
  const tracking = ctx.config.tracking;
  const variants = new Map<string, Promise<IssueTemplate>>();
  let rendered = 0;

  let loading: Promise<Awaited<ReturnType<typeof read>>> | undefined;
  async function read() {
    const row = await getIssue(ctx, issueId);
    const { digest, articles } = row ? await loadIssueDigest(ctx, row) : { digest: null, articles: [] };
    const shown = digest ? [...(digest.signal ? [digest.signal] : []), ...digest.deepDives] : [];
    return { row, digest, articles, inIssue: new Set(shown.map((a) => a.sourceName.toLowerCase())) };
  }
  const load = () => (loading ??= read());

  let tracked: Map<number, { url: string; more: string; less: string }> | undefined;
  async function trackedLinks() {
    if (tracked || tracking === 'off') return tracked;
    const { articles } = await load();
    const { ensureLinks } = await import('../feedback/repo.js');
    // Every article of the issue gets its link, so a variant that promotes another story has it too.
    // Only http(s) links are ever tracked: anything else is not a link in the mail at all.
    const all = articles.filter((a) => !a.excluded && safeHttpUrl(a.canonicalUrl)).map((a) => ({ articleId: a.id, url: safeHttpUrl(a.canonicalUrl)! }));
    const links = await ensureLinks(ctx, issueId, all);
    tracked = new Map();
    for (const [articleId, l] of links) {
      const token = `${linkToken(ctx.config.secretKey, l.id)}.${RECIPIENT_PLACEHOLDER}`;
      tracked.set(articleId, { url: ctx.urls.redirect(token), more: ctx.urls.vote(token, 'more'), less: ctx.urls.vote(token, 'less') });
    }
    return tracked;
  }

  async function render(excludedLower: Set<string>): Promise<IssueTemplate> {
    rendered++;
    if (!excludedLower.size && tracking === 'off') return issueTemplateFrom(ctx.config, issueId, stored);
    const { row, digest, articles } = await load();
    if (!row) return issueTemplateFrom(ctx.config, issueId, stored);
    const { renderIssue, rerenderIssue } = await import('../issues/render.js');
    const opts = { urls: ctx.urls, tracked: await trackedLinks() };
    let r;
    if (!excludedLower.size) {
      // The plain variant is the issue as stored (its subject, preheader and themes: what the console showed).
      r = await renderIssue(digest!, opts);
    } else {
      const data = storedData(row);
      const operatorExcluded = articles.filter((a) => a.excluded).map((a) => a.id);
      const leftOut = articles.filter((a) => excludedLower.has(a.sourceName.toLowerCase())).map((a) => a.id);
      const pinned = row.pinnedSignalArticleId != null && !leftOut.includes(row.pinnedSignalArticleId) ? row.pinnedSignalArticleId : null;
      const overrides = { pinnedSignalId: pinned, excludedIds: [...operatorExcluded, ...leftOut], patternsNote: row.patternsNote, subject: row.subjectOverride, summaries: data.summaries };
      r = (await rerenderIssue({ ...row, newsletterName: ctx.config.newsletterName, ranked: toScored(articles), data, overrides }, opts)).rendered;
    }
    return issueTemplateFrom(ctx.config, issueId, { subject: r.subject, subjectOverride: row.subjectOverride, html: r.html, text: r.text });
  }

  return {
    get rendered() {
      return rendered;
    },
    async templateFor(excluded) {
      // The common copy (tracking off, nothing left out) needs no reading at all.
      let key = '';
      if (tracking !== 'off' || excluded?.length) {
        try {
          key = variantKey(excluded ?? [], (await load()).inIssue);
        } catch (err) {
          ctx.log.error({ issueId, err: (err as Error).message }, 'the issue could not be read for its copies: sending the stored one');
          return issueTemplateFrom(ctx.config, issueId, stored);
        }
      }
      let t = variants.get(key);
      if (!t) {
        // A copy that cannot be rendered (its links not stored, a render error) goes out as the issue was stored:
        // every story, untracked links. The reader still gets the issue; the log says why.
        t = render(new Set(key ? key.split('\n') : [])).catch((err: unknown) => {
          ctx.log.error({ issueId, variant: key || 'plain', err: (err as Error).message }, 'a copy of the issue could not be rendered: sending the stored one');
          return issueTemplateFrom(ctx.config, issueId, stored);
        });
        variants.set(key, t);
      }
      return t;
    },
    trackingToken(subscriberId, now) {
      if (tracking === 'off') return undefined;
      return recipientToken(ctx.config.secretKey, { issueId, sentAt: now, subscriberId: tracking === 'subscriber' ? subscriberId : null });
    },
  };
}
