// Pure: what an editor looks for in an article's text, as counts a ranking and a summary can weigh.
// Specifics (numbers with units, measured results, named systems), teaser text, boilerplate, and thin formats.

/** A number with a unit or scale: "40%", "5 seconds", "3.2x", "P90", "1,000-token", "4,100 files". */
const NUMBER_WITH_UNIT =
  /(?:\b[pP](?:50|75|90|95|99|999)\b)|(?:\d[\d,.]*\s?(?:%|x\b|×|percent\b|ms\b|µs\b|us\b|ns\b|s\b|sec(?:ond)?s?\b|min(?:ute)?s?\b|hours?\b|days?\b|weeks?\b|[kKMGTP]i?B\b|bytes?\b|[kKMG]\b|thousand\b|million\b|billion\b|trillion\b|req(?:uest)?s?\b|rps\b|qps\b|QPS\b|tokens?\b|-token\b|nodes?\b|servers?\b|machines?\b|hosts?\b|files?\b|lines?\b|repos(?:itories)?\b|services?\b|agents?\b|queries\b|users?\b|GPUs?\b|CPUs?\b|cores?\b|clusters?\b|regions?\b|languages?\b|models?\b|times\b|fold\b))/g;

/** Verbs and phrases that report a measured outcome. */
const MEASURED =
  /\b(?:reduc(?:e|ed|es|ing|tion)|cut(?:ting)?|improv(?:e|ed|es|ing|ement)|increas(?:e|ed|es|ing)|decreas(?:e|ed|es|ing)|faster|slower|lower(?:ed)?|higher|sav(?:e|ed|es|ing|ings)|dropp(?:ed|ing)|halv(?:e|ed)|doubl(?:e|ed)|tripl(?:e|ed)|slash(?:ed)?|closed|latency|throughput|benchmark(?:s|ed)?|measured|speed-?up|outperform(?:s|ed)?)\b/gi;

/** A named system: a CamelCase or dotted tech name, an acronym, or a capitalised word inside a sentence. */
const NAMED = /(?<=[a-z,;:(] )(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}[a-z]*\d*|[A-Z][a-z]{2,}(?:\.js|DB)?)\b/g;
const NOT_NAMES = new Set(['The', 'This', 'That', 'These', 'Those', 'When', 'While', 'With', 'For', 'And', 'But', 'Our', 'We', 'They', 'It', 'In', 'On', 'At', 'If', 'As', 'By', 'To', 'Of', 'An', 'OK', 'I']);

export interface Specifics {
  numbers: number;
  measured: number;
  names: number;
}

/** Counts the specifics of a text. */
export function specificsOf(text: string): Specifics {
  // Distinct figures: a result repeated in the title and the text is one result.
  const numbers = new Set((text.match(NUMBER_WITH_UNIT) ?? []).map((m) => m.toLowerCase().replace(/\s+/g, ''))).size;
  const measured = text.match(MEASURED)?.length ?? 0;
  const names = new Set((text.match(NAMED) ?? []).filter((w) => !NOT_NAMES.has(w))).size;
  return { numbers, measured, names };
}

/**
 * 0..1: how concrete a text is, saturating; numbers with units weigh most. A brief of a few sentences cannot
 * carry a write-up's detail, whatever figures it quotes: below 200 words the score shrinks with the length.
 */
export function specificsScore(s: Specifics, words = 200): number {
  const raw = 1.0 * s.numbers + 0.5 * s.measured + 0.35 * s.names;
  return (1 - Math.exp(-raw / 7)) * Math.min(1, Math.sqrt(words / 200));
}

/** Whether feed text is only a teaser: short, or ending in an ellipsis or a "read more" link text. */
export function isTeaser(text: string): boolean {
  const t = text.trim();
  if (!t) return true;
  const words = t.split(/\s+/).length;
  if (/(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\[&hellip;\]|read more|continue reading|read the full (?:post|article|story))\W*$/i.test(t)) return true;
  return words < 120;
}

/** Sentences no reader wants in a summary. */
const BOILERPLATE =
  /^(?:in (?:this|today['’]s) (?:post|article|blog|episode|guide)|this (?:post|article|blog post) (?:is|was|covers|describes|explains)|read (?:more|on|the full)|continue reading|click here|learn more|find out more|subscribe|sign up|follow us|join us|register|share this|thanks? (?:to|for)|special thanks|acknowledg|we['’]re hiring|interested in (?:joining|working)|if you['’]re interested|stay tuned|let us know|check out|see also|originally published|disclaimer|about the authors?)\b/i;
const BOILERPLATE_ANYWHERE = /(?:appeared first on|subscribe to (?:our|the)|newsletter|cookie|all rights reserved|https?:\/\/|\bclick\b|\bRSVP\b)/i;

/** Whether a sentence is boilerplate: a prompt, a sign-off, a link line, or text cut off mid-sentence. */
export function isBoilerplate(sentence: string): boolean {
  const s = sentence.trim();
  if (BOILERPLATE.test(s) || BOILERPLATE_ANYWHERE.test(s)) return true;
  if (/(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\])\W*$/.test(s)) return true;
  return s.split(/\s+/).length < 5;
}

/** A post that is a format rather than an engineering write-up; null for a write-up. */
export type ThinFormat = 'podcast' | 'video' | 'event' | 'roundup' | 'announcement' | 'policy';

const FORMAT_RULES: { format: ThinFormat; title?: RegExp; url?: RegExp; text?: RegExp; alwaysThin: boolean }[] = [
  { format: 'podcast', title: /\bpodcast\b|\bepisode\s+\d+|\bep\.\s?\d+/i, url: /\/podcasts?\//i, alwaysThin: true },
  {
    format: 'video',
    title: /^(?:video|watch|webinar|presentation|keynote|talk)\b|\b(?:video|webinar|livestream)\b/i,
    url: /\/(?:videos?|presentations?|webinars?|watch)\//i,
    alwaysThin: true,
  },
  {
    format: 'event',
    title: /\blive\b(?!\s+(?:migration|traffic|data|update|events? (?:stream|processing)))|\b(?:meetup|conference recap|summit recap|fireside chat|ama\b|office hours|q&a session)\b/i,
    text: /\b(?:join us (?:live|for)|live conversation|live stream|watch the recording|save your seat|register now)\b/i,
    alwaysThin: true,
  },
  { format: 'roundup', title: /\b(?:round-?up|this week in|weekly (?:digest|news|links)|news digest|links? of the week|recap|in review|monthly update)\b/i, alwaysThin: true },
  { format: 'policy', title: /\b(?:policy|policies|regulation|fellowship|grant program|scholarship|election|government|public interest|intelligence age)\b/i, alwaysThin: false },
  { format: 'announcement', title: /^(?:announcing|introducing|welcome|now available|we['’]re (?:excited|thrilled)|join)\b|\b(?:is now generally available|now in preview|general availability)\b/i, alwaysThin: false },
];

/**
 * The thin format of a post from its title, URL and text. Podcasts, videos, event pages and roundups are thin
 * whatever they say; announcements and policy posts are thin only without engineering content (few specifics).
 */
export function thinFormat(a: { title: string; url: string; text: string }, specifics: number): ThinFormat | null {
  for (const r of FORMAT_RULES) {
    const hit = (r.title?.test(a.title) ?? false) || (r.url?.test(a.url) ?? false) || (r.text?.test(a.text.slice(0, 2000)) ?? false);
    if (!hit) continue;
    if (r.alwaysThin || specifics < 0.5) return r.format;
  }
  return null;
}

/** Cue words of the three things a good summary says: the problem, what was built, and the measured result. */
export const CUES = {
  problem: /\b(?:problem|challenge|struggl\w*|fail(?:s|ed|ing|ure)?|bottleneck|could(?:n['’]t| not)|limit(?:s|ed|ation)?|slow|pain|outage|broke|flood|overload\w*|bypass\w*|lack(?:s|ed|ing)?|sprawl|costly|expensive|drift|stale|hard to)\b/i,
  approach: /\b(?:put|ran|built|build|designed|introduc\w+|implement\w+|creat\w+|develop\w+|replac\w+|migrat\w+|engineer\w*|added|wrote|deploy\w*|rolled out|constructed|uses?|using|runs?|split|moved|rewr\w+|proxy|layer|pipeline|architecture)\b/i,
  result: /\b(?:fewer|fell|rose|less|reduc\w*|cut|improv\w*|increas\w*|decreas\w*|faster|lower\w*|sav\w+|dropp\w*|halv\w*|doubl\w*|slash\w*|closed|now|result\w*|so that|which means)\b/i,
};

/** Sentences that state what the article's story teaches: its lesson, for "why it matters". */
export const LESSON =
  /\b(?:pays? off|lesson|takeaway|matters?|beat|better than|instead of|rather than|should|any\b|not only|generali[sz]e|applies|proving|shows? that|means that|the key|trade-?off|mattered)\b/i;

/** A sentence that leans on the one before it ("They…", "This…"): it cannot stand alone in a summary. */
export const LEANS_BACK = /^(?:it|its|they|their|them|this|these|that|those|he|she|together they|then|there|such|both)\b/i;
