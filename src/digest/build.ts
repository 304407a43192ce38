import { safeHttpUrl } from '../feeds/canonical.js';
import { headerSafe } from '../mail/headers.js';
import { MAX_SUBJECT } from './limits.js';
import { patternsParagraph, whyItMatters } from './editor.js';
import { findThemes, listNames } from './patterns.js';
import { dayTerms, rankArticles, type RankedCandidate } from './rank.js';
import { extractSummary, SUMMARY_LIMITS } from './summary.js';
import { clampSentences, cleanTitle, oneLine, truncateWords } from './text.js';
import type { Edition } from '../domain-types.js';
import type { AlsoCovered, ArticleTerms, CandidateArticle, Digest, EditorText, RankedArticle, TermHistory, Theme } from './types.js';

// Turns a window's articles into a Digest: rank, pick the signal, find patterns, write subject and preheader.

/** Longest subject: under 100 characters so no client cuts the signal's title mid-word. */
export { MAX_SUBJECT };
const MAX_PREHEADER = 140;
const WORDS_PER_MINUTE = 230;

/** An article with its place in the ranking, as stored in issue_articles. */
export type Scored = RankedCandidate;

/** What the operator may change before sending. */
export interface DigestOverrides {
  pinnedSignalId?: number | null;
  excludedIds?: number[];
  patternsNote?: string | null;
  subject?: string | null;
  /** Summaries the operator wrote, by article id. */
  summaries?: Record<string, string>;
}

/** Texts the language model wrote at assembly (each passed its grounding check); absent ones are extracted. */
export interface ModelTexts {
  summaries?: Record<string, string>;
  signalWhy?: string;
  patterns?: string;
}

export interface ComposeInput {
  date: string;
  /** Default 'daily'. */
  edition?: Edition;
  newsletterName: string;
  windowStart: number;
  cutoffAt: number;
  /** All articles of the issue in rank order, excluded ones included. */
  ranked: Scored[];
  history: TermHistory;
  sources: string[];
  overrides?: DigestOverrides;
  model?: ModelTexts;
  /** The extracted summaries stored at assembly, so the archive says what the mail said whatever later code extracts. */
  extracted?: Record<string, string>;
  /** The themes stored when the issue was rendered (the web archive): the term extraction is skipped. */
  themes?: Theme[];
}

/** "6 Apr 2026" for a YYYY-MM-DD date (the date is already local to DIGEST_TIMEZONE). */
export function shortDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** "Monday, 6 April 2026". */
export function longDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/**
 * The subject line: the signal's title first (a phone's preview shows the story, and the From already names the
 * newsletter), then the date; header-safe and under 100 characters. Without a signal: name and date.
 */
export function makeSubject(newsletterName: string, date: string, signalTitle: string | null): string {
  const day = shortDate(date).replace(/ \d{4}$/, '');
  const title = signalTitle ? headerSafe(signalTitle, 300) : '';
  if (!title) return headerSafe(`${newsletterName} — ${shortDate(date)}`, MAX_SUBJECT);
  const tail = ` · ${day}`;
  return headerSafe(`${truncateWords(title, MAX_SUBJECT - tail.length)}${tail}`, MAX_SUBJECT);
}

/** The dates a weekly issue of `date` covers: the seven days before it. */
export function weekRange(date: string): { from: string; to: string } {
  const day = (n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-7), to: day(-1) };
}

/** "6–12 April 2026" (or "27 April – 3 May 2026") for the week a weekly issue of `date` covers. */
export function weekLabel(date: string): string {
  const { from, to } = weekRange(date);
  const f = (d: string, o: Intl.DateTimeFormatOptions) => new Date(`${d}T12:00:00Z`).toLocaleDateString('en-GB', { ...o, timeZone: 'UTC' });
  const sameMonth = from.slice(0, 7) === to.slice(0, 7);
  const sameYear = from.slice(0, 4) === to.slice(0, 4);
  const start = sameMonth ? f(from, { day: 'numeric' }) : f(from, sameYear ? { day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' });
  return `${start}${sameMonth ? '–' : ' – '}${f(to, { day: 'numeric', month: 'long', year: 'numeric' })}`;
}

/** The weekly subject: "The week: <best story> · 6–12 Apr", header-safe and under 100 characters. */
export function makeWeeklySubject(newsletterName: string, date: string, signalTitle: string | null): string {
  const { from, to } = weekRange(date);
  const short = (d: string) => shortDate(d).replace(/ \d{4}$/, '');
  const span = from.slice(0, 7) === to.slice(0, 7) ? `${short(from).split(' ')[0]}–${short(to)}` : `${short(from)} – ${short(to)}`;
  const title = signalTitle ? headerSafe(signalTitle, 300) : '';
  if (!title) return headerSafe(`${newsletterName} weekly — ${span}`, MAX_SUBJECT);
  const head = 'The week: ';
  const tail = ` · ${span}`;
  return headerSafe(`${head}${truncateWords(title, MAX_SUBJECT - head.length - tail.length)}${tail}`, MAX_SUBJECT);
}

/** One line under the subject in the inbox: how much is in the issue and what it is about. */
export function makePreheader(deepDives: RankedArticle[], signal: RankedArticle | null, themes: string[], edition: Edition = 'daily'): string {
  if (!signal) return '';
  const names = [...new Set([signal, ...deepDives].map((a) => a.sourceName))];
  const n = deepDives.length;
  const from = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : listNames(names);
  let line =
    edition === 'weekly'
      ? `The week's ${n + 1} best stor${n === 0 ? 'y' : 'ies'}, from ${from}`
      : n
        ? `${n} deep dive${n === 1 ? '' : 's'} from ${from}`
        : `Today's pick from ${from}`;
  if (themes.length) line += `. Patterns: ${listNames(themes.slice(0, 3))}`;
  return headerSafe(truncateWords(line + '.', MAX_PREHEADER), MAX_PREHEADER);
}

/** The text an article is summarised from: its full text when known, else what the feed gave. */
export function summarySource(a: CandidateArticle): string {
  return a.contentText || a.summary;
}

/** The automatic summary: extracted, or for an issue stored before the editor's parts, its summary as it was sent. */
function autoSummary(s: Scored): string {
  if (s.parts.depth === undefined) return clampSentences(s.article.summary || s.article.contentText, 5);
  return extractSummary(summarySource(s.article), SUMMARY_LIMITS);
}

function toRanked(s: Scored, rank: number, also: AlsoCovered[], summaries: { operator?: string; model?: string; stored?: string }): RankedArticle {
  const a = s.article;
  const by: RankedArticle['summaryBy'] = summaries.operator ? 'operator' : summaries.model ? 'model' : 'extract';
  const summary = summaries.operator ?? summaries.model ?? summaries.stored ?? autoSummary(s);
  // Parts stored before depth existed say nothing about a teaser: they keep a reading time.
  const known = s.parts.textKnown ?? true;
  return {
    id: a.id,
    rank,
    score: s.score,
    parts: s.parts,
    title: cleanTitle(a.title),
    url: safeHttpUrl(a.canonicalUrl),
    sourceName: oneLine(a.sourceName) || 'Unknown source',
    summary,
    summaryBy: by,
    publishedAt: a.publishedAt,
    readingMinutes: known ? Math.max(1, Math.round(s.parts.words / WORDS_PER_MINUTE)) : null,
    alsoCoveredBy: also,
  };
}

/** Builds the Digest from ranked articles and the operator's overrides. Pure. */
export function composeDigest(p: ComposeInput): { digest: Digest; terms: ArticleTerms } {
  const o = p.overrides ?? {};
  const m = p.model ?? {};
  const excluded = new Set(o.excludedIds ?? []);
  // A story's other copies are shown under its entry ("also covered by"), not as entries of their own.
  const copies = new Map<number, AlsoCovered[]>();
  for (const s of p.ranked) {
    const of = s.parts.duplicateOf;
    if (of == null || excluded.has(s.article.id)) continue;
    const list = copies.get(of) ?? copies.set(of, []).get(of)!;
    list.push({ id: s.article.id, sourceName: oneLine(s.article.sourceName), title: cleanTitle(s.article.title), url: safeHttpUrl(s.article.canonicalUrl) });
  }
  const kept = p.ranked.filter((s) => !excluded.has(s.article.id) && s.parts.duplicateOf == null);
  const pinned = o.pinnedSignalId != null ? kept.find((s) => s.article.id === o.pinnedSignalId) : undefined;
  const signalScored = pinned ?? kept[0] ?? null;
  const rest = kept.filter((s) => s !== signalScored);

  const { byArticle, surfaces } = p.themes ? { byArticle: {}, surfaces: {} } : dayTerms(kept.map((s) => s.article));
  const note = o.patternsNote?.trim() ? o.patternsNote.trim() : null;
  const themes = p.themes ?? findThemes(kept.map((s) => s.article), byArticle, surfaces, p.history);

  const ranked = (s: Scored, rank: number) =>
    toRanked(s, rank, copies.get(s.article.id) ?? [], {
      operator: o.summaries?.[String(s.article.id)],
      model: m.summaries?.[String(s.article.id)],
      stored: p.extracted?.[String(s.article.id)],
    });
  const signal = signalScored ? ranked(signalScored, 1) : null;
  const deepDives = rest.map((s, i) => ranked(s, i + 1));
  let signalWhy: EditorText | null = null;
  if (signal && signalScored) {
    // A model's paragraph was written for the signal of that moment; a pinned other signal gets the extracted one.
    const modelWhy = m.signalWhy && !pinned ? m.signalWhy : null;
    signalWhy = modelWhy ? { text: modelWhy, by: 'model' } : { text: whyItMatters(signal, summarySource(signalScored.article), themes, p.edition === 'weekly'), by: 'extract' };
  }
  const all = signal ? [signal, ...deepDives] : deepDives;
  const paragraph = m.patterns && !excluded.size ? [{ text: m.patterns }] : patternsParagraph(themes, all, p.edition === 'weekly');
  const edition = p.edition ?? 'daily';
  const autoSubject = (edition === 'weekly' ? makeWeeklySubject : makeSubject)(p.newsletterName, p.date, signal?.title ?? null);
  const subject = o.subject?.trim() ? headerSafe(o.subject, MAX_SUBJECT) : autoSubject;
  return {
    digest: {
      date: p.date,
      edition,
      newsletterName: p.newsletterName,
      windowStart: p.windowStart,
      cutoffAt: p.cutoffAt,
      subject,
      preheader: makePreheader(deepDives, signal, note ? [] : themes.map((t) => t.phrase), edition),
      signal,
      signalWhy,
      deepDives,
      patterns: { note, themes, paragraph, paragraphBy: m.patterns && !excluded.size ? 'model' : 'extract' },
      sources: [...p.sources],
      sourceCount: new Set(kept.map((s) => s.article.sourceName)).size,
    },
    terms: byArticle,
  };
}

/** Ranks a window's articles and composes the Digest (the assembly path). */
export function buildDigest(p: Omit<ComposeInput, 'ranked'> & { articles: CandidateArticle[] }): { digest: Digest; ranked: Scored[] } {
  const { byArticle } = dayTerms(p.articles);
  const ranked = rankArticles(p.articles, byArticle, p.history);
  const { digest } = composeDigest({ ...p, ranked });
  return { digest, ranked };
}

/** The distinct terms of a set of articles: the only ones whose 30-day history matters. */
export function candidateTerms(articles: CandidateArticle[]): Set<string> {
  const { byArticle } = dayTerms(articles);
  return new Set(Object.values(byArticle).flat());
}
