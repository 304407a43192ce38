import { listNames } from './patterns.js';
import { lessonSentence, resultSentence } from './summary.js';
import type { RankedArticle, Segment, Theme } from './types.js';

// The editor's own sentences, written from the articles without a language model: the signal's "why it matters"
// and the Patterns Across Companies paragraph. Every fact in them is taken from the articles of the day.

/** Most themes the paragraph names; it is 2 to 4 sentences. */
const PARAGRAPH_THEMES = 3;

/** "Why it matters" for the signal: its measured result, then what ties it to the rest of the day. */
export function whyItMatters(signal: RankedArticle, text: string, themes: Theme[], weekly = false): string {
  const day = weekly ? 'week' : 'day';
  const todays = weekly ? "this week's" : "today's";
  const out: string[] = [];
  const said = (s: string) => signal.summary.includes(s);
  // What the story teaches, in the company's words; else its measured result when the summary does not give it.
  const lesson = lessonSentence(text);
  const result = resultSentence(text);
  if (lesson && !said(lesson)) out.push(`${signal.sourceName}’s takeaway: “${lesson}”`);
  else if (result && !said(result)) out.push(result);
  const others = [...new Set(signal.alsoCoveredBy.map((a) => a.sourceName).filter((n) => n !== signal.sourceName))];
  const theme = themes.find((t) => t.articleIds.includes(signal.id));
  if (others.length) {
    out.push(`${listNames(others)} covered the same story, which makes it the ${day}'s most widely reported engineering change.`);
  } else if (theme && theme.sources.some((s) => s !== signal.sourceName)) {
    const companies = theme.sources.filter((s) => s !== signal.sourceName);
    out.push(`It is the most detailed of ${todays} posts on ${theme.phrase}, a thread ${listNames(companies)} ${companies.length === 1 ? 'also writes' : 'also write'} about.`);
  } else {
    out.push(`Of ${todays} posts it carries the most measured engineering detail, from a team writing about its own production system.`);
  }
  return out.join(' ');
}

/**
 * Patterns Across Companies as a paragraph: each sentence a theme, the companies and their articles (linked).
 * The first theme is the day's widest; two themes always give at least two sentences; one alone gets a second
 * sentence on what the articles share. No themes: no paragraph.
 */
export function patternsParagraph(themes: Theme[], articles: RankedArticle[], weekly = false): Segment[] {
  const byId = new Map(articles.map((a) => [a.id, a]));
  const segs: Segment[] = [];
  const named = new Set<number>();
  const usedThemes: Theme[] = [];
  for (const t of themes) {
    if (usedThemes.length >= PARAGRAPH_THEMES) break;
    // Each company once, with its best-ranked article of the theme not named in an earlier sentence.
    const perCompany = new Map<string, RankedArticle>();
    const members = t.articleIds
      .map((id) => byId.get(id))
      .filter((a): a is RankedArticle => !!a)
      .sort((x, y) => Number(named.has(x.id)) - Number(named.has(y.id)) || x.rank - y.rank);
    for (const a of members) if (!perCompany.has(a.sourceName)) perCompany.set(a.sourceName, a);
    const picked = [...perCompany.values()].slice(0, 3);
    if (picked.length < 2) continue;
    // A later theme must bring in stories the paragraph has not named yet.
    if (usedThemes.length && picked.filter((a) => !named.has(a.id)).length < 2) continue;
    const i = usedThemes.length;
    usedThemes.push(t);
    const more = perCompany.size - picked.length;
    const title = t.related?.length ? `${t.label} (${t.related.join(', ')})` : t.label;
    const lead = i === 0 ? `${title} runs through the ${weekly ? 'week' : 'day'}: ` : i === 1 ? `${title} also links ` : `Finally, ${t.related?.length ? `${t.phrase} (${t.related.join(', ')})` : t.phrase} came up at `;
    segs.push({ text: (segs.length ? ' ' : '') + lead });
    // Each company's name links to its article: the paragraph stays short enough to read on a phone.
    picked.forEach((a, k) => {
      named.add(a.id);
      segs.push({ text: k === 0 ? '' : k === picked.length - 1 && !more ? ' and ' : ', ' });
      segs.push({ text: a.sourceName, href: a.url, title: a.title });
    });
    if (more) segs.push({ text: ` and ${more} more compan${more === 1 ? 'y' : 'ies'}` });
    segs.push({ text: i === 0 ? (perCompany.size > 2 ? ' all wrote about it.' : ' both wrote about it.') : '.' });
  }
  if (!segs.length) return [];
  if (usedThemes.length < 2) {
    const t = usedThemes[0]!;
    segs.push({ text: ` ${t.articleIds.length} of ${weekly ? "this week's" : "today's"} ${articles.length} articles touch on it, from ${t.sources.length} companies working on different problems.` });
  }
  return segs;
}

/** The paragraph as plain text (the text part of the mail, the grounding check). */
export function segmentsText(segs: Segment[]): string {
  return segs.map((s) => s.text).join('');
}
