import { renderDigestEmail, type DigestEmailArticle, type DigestEmailProps } from '../../emails/digest/index.js';
import { composeDigest, longDate, weekLabel, type DigestOverrides, type ModelTexts, type Scored } from '../digest/build.js';
import type { Edition } from '../domain-types.js';
import type { Digest, RankedArticle, TermHistory } from '../digest/types.js';
import { safeHttpUrl } from '../feeds/canonical.js';
import type { Urls } from '../lib/urls.js';
import { POSTAL_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER } from './personalize.js';

// Digest → the stored parts of an issue. Pure apart from the MJML compiler; run once per issue, never per recipient.

/** The parts stored in the issues row; html and text hold UNSUBSCRIBE_PLACEHOLDER for the per-recipient link. */
export interface RenderedIssue {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/** Links and footer values the rendering needs. */
export interface RenderOptions {
  urls: Pick<Urls, 'issue' | 'issues' | 'home' | 'weeklyIssue' | 'weeklyIssues'>;
  /** With tracking on: each article's link as the mail carries it (`/r/…`), and its vote links; by article id. */
  tracked?: Map<number, { url: string; more: string; less: string }>;
}

/** What re-rendering needs besides the articles; stored as issues.digest_json. */
export interface StoredDigestData {
  sources: string[];
  history: TermHistory;
  /** Texts the language model wrote at assembly (summaries by article id, the signal and patterns paragraphs). */
  model?: ModelTexts;
  /** Summaries the operator wrote, by article id. */
  summaries?: Record<string, string>;
  /** The extracted summaries of the shown articles as assembled, by article id. */
  extracted?: Record<string, string>;
}

function emailArticle(a: RankedArticle, opts: RenderOptions, votes: boolean): DigestEmailArticle {
  const t = a.url ? opts.tracked?.get(a.id) : undefined;
  return {
    title: a.title,
    url: t?.url ?? a.url,
    ...(t && votes ? { voteUrls: { more: t.more, less: t.less } } : {}),
    sourceName: a.sourceName,
    summary: a.summary,
    readingMinutes: a.readingMinutes,
    alsoCoveredBy: a.alsoCoveredBy.map((o) => ({ sourceName: o.sourceName, title: o.title, url: o.url })),
  };
}

/** The template props of a digest (shared by the email and tests). */
export function emailProps(digest: Digest, opts: RenderOptions): DigestEmailProps {
  const weekly = digest.edition === 'weekly';
  return {
    newsletterName: digest.newsletterName,
    edition: digest.edition,
    dateLabel: weekly ? `Week of ${weekLabel(digest.date)}` : longDate(digest.date),
    preheader: digest.preheader,
    signal: digest.signal ? emailArticle(digest.signal, opts, false) : null,
    signalWhy: digest.signalWhy?.text ?? null,
    deepDives: digest.deepDives.map((a) => emailArticle(a, opts, true)),
    patterns: {
      note: digest.patterns.note,
      paragraph: digest.patterns.paragraph.map((s) => ({ text: s.text, href: s.href ? safeHttpUrl(s.href) : null, ...(s.title ? { title: s.title } : {}) })),
      themes: digest.patterns.themes.map((t) => ({ label: t.label, sentence: t.sentence })),
    },
    sources: digest.sources,
    articleCount: digest.deepDives.length + (digest.signal ? 1 : 0),
    sourceCount: digest.sourceCount,
    viewInBrowserUrl: weekly ? opts.urls.weeklyIssue(digest.date) : opts.urls.issue(digest.date),
    archiveUrl: weekly ? opts.urls.weeklyIssues() : opts.urls.issues(),
    homeUrl: opts.urls.home(),
    unsubscribeUrl: UNSUBSCRIBE_PLACEHOLDER,
    // Filled in when the issue is sent or previewed, from the configuration of that moment.
    postalAddress: POSTAL_PLACEHOLDER,
  };
}

/** Renders a digest into subject, preheader, email HTML and text. */
export async function renderIssue(digest: Digest, opts: RenderOptions): Promise<RenderedIssue> {
  const { html, text } = await renderDigestEmail(emailProps(digest, opts));
  return { subject: digest.subject, preheader: digest.preheader, html, text };
}

/** A stored issue's articles with their stored rank and score: the input of a re-render. */
export interface StoredIssueInput {
  date: string;
  edition?: Edition;
  newsletterName: string;
  windowStart: number;
  cutoffAt: number;
  ranked: Scored[];
  data: StoredDigestData;
  overrides: DigestOverrides;
}

/** Rebuilds the digest of a stored issue with the operator's overrides (ranks kept as stored) and renders it. */
export async function rerenderIssue(input: StoredIssueInput, opts: RenderOptions): Promise<{ digest: Digest; rendered: RenderedIssue }> {
  const { digest } = composeDigest({
    date: input.date,
    edition: input.edition,
    newsletterName: input.newsletterName,
    windowStart: input.windowStart,
    cutoffAt: input.cutoffAt,
    ranked: input.ranked,
    history: input.data.history,
    sources: input.data.sources,
    overrides: input.overrides,
    model: input.data.model,
    extracted: input.data.extracted,
  });
  return { digest, rendered: await renderIssue(digest, opts) };
}
