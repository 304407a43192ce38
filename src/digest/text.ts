// Only the English list: the package's index loads every language it has (about 10 MB against 2).
import { eng } from 'stopword/src/stopwords_eng.js';
import { decodeEntities } from '../feeds/entities.js';
import { splitSentences } from '../lib/sentences.js';

// Pure text helpers of the digest: clean feed text, cap summaries, and turn text into comparable terms.

/** Plain one-line text from feed text: tags dropped, entities decoded, control/bidi/zero-width removed, spaces folded. */
export function plainText(s: string): string {
  return oneLine(
    decodeEntities(
      s
        .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, ' ')
        .replace(/<!--[\s\S]*?-->/g, ' ')
        .replace(/<[^>]*>/g, ' '),
    ).replace(/<[^>]*>/g, ' '),
  );
}

/**
 * One clean line of text that is already text (titles, summaries, source names from the feed layer): control,
 * bidi and zero-width characters removed, spaces folded. Nothing that looks like a tag is touched: a title
 * "Why <dialog> beats modals" keeps every word.
 */
export function oneLine(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts text at a word boundary so it is at most max characters, ending with an ellipsis when cut. */
export function truncateWords(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.\-–—]+$/, '') + '…';
}

/** A title fit for a heading: one line of text, at most 300 characters (escaping is the renderer's job). */
export function cleanTitle(s: string): string {
  return truncateWords(oneLine(s), 300) || 'Untitled';
}

/** At most `maxSentences` sentences (and maxChars characters) of text (already text: nothing is stripped). */
export function clampSentences(text: string, maxSentences = 5, maxChars = 900): string {
  const plain = oneLine(text);
  if (!plain) return '';
  const sentences = splitSentences(plain);
  return truncateWords(sentences.slice(0, maxSentences).join(' ').trim(), maxChars);
}

// Words that say nothing about a theme on an engineering blog; they also break phrases.
const STOP = new Set([
  ...eng,
  'a', 'an', 'the', 'its', "it's", 'via', 'vs', 'per', 'within', 'without', 'across', 'onto', 'upon', 'among', 'against',
  'new', 'newly', 'using', 'use', 'used', 'uses', 'usage', 'how', 'why', 'when', 'what', 'who', 'whom', 'whose',
  'introducing', 'introduce', 'introduces', 'introduced', 'announcing', 'announce', 'announces', 'announced', 'launch', 'launches', 'launched',
  'today', 'yesterday', 'tomorrow', 'now', 'just', 'also', 'even', 'really', 'yet', 'already', 'ever', 'often', 'always', 'almost',
  'make', 'makes', 'made', 'making', 'get', 'gets', 'getting', 'go', 'goes', 'going', 'let', 'lets', "let's", 'need', 'needs', 'needed',
  'help', 'helps', 'helped', 'helping', 'want', 'wants', 'way', 'ways', 'thing', 'things', 'lot', 'lots', 'kind', 'part', 'parts',
  'one', 'two', 'three', 'four', 'five', 'ten', 'first', 'second', 'third', 'last', 'next', 'every', 'several', 'few', 'less', 'least',
  'better', 'best', 'good', 'great', 'big', 'bigger', 'small', 'smaller', 'large', 'larger', 'high', 'higher', 'low', 'lower', 'fast', 'faster',
  'year', 'years', 'month', 'months', 'week', 'weeks', 'day', 'days', 'time', 'times', 'today’s', 'based', 'able', 'look', 'looking',
  'blog', 'post', 'posts', 'article', 'articles', 'read', 'learn', 'learned', 'learning', 'lesson', 'lessons', 'guide', 'deep', 'dive',
  'us', 'you’re', "you're", 'we’re', "we're", 'it’s', 'don’t', "don't", 'can’t', "can't", 'without', 'however', 'whether', 'instead',
  'across', 'around', 'beyond', 'toward', 'towards', 'rather', 'while', 'whilst', 'across', 'again', 'far', 'right', 'left', 'back',
  'work', 'works', 'worked', 'working', 'run', 'runs', 'running', 'show', 'shows', 'showed', 'see', 'sees', 'seen', 'take', 'takes',
  'approach', 'approaches', 'example', 'examples', 'result', 'results', 'problem', 'problems', 'solution', 'solutions', 'key', 'important',
  'real', 'world', 'real-world', 'end', 'start', 'started', 'built', 'build', 'builds', 'building', 'create', 'creates', 'created', 'creating',
  'now', 'available', 'general', 'generally', 'support', 'supports', 'supported', 'allow', 'allows', 'allowed', 'enable', 'enables', 'enabled',
  'release', 'released', 'releases', 'update', 'updates', 'updated', 'version', 'versions', 'feature', 'features', 'company', 'companies',
  'team', 'teams', 'engineer', 'engineers', 'developer', 'developers', 'people', 'user', 'users', 'customer', 'customers', 'organization', 'organizations',
  'not', 'no', 'nor', 'so', 'down', 'off', 'own', 'any', 'all', 'both', 'each', 'few', 'will', 'shall', 'may', 'does', 'doing', 'done',
  'ours', 'ourselves', 'yours', 'theirs', 'itself', 'themselves', 'once', 'ago', 'else', 'ok', 'etc', 'e.g', 'i.e', 'one’s', 'here’s',
  'http', 'https', 'www', 'com', 'org', 'io', 'html', 'amp', 'nbsp',
  'cut', 'cuts', 'fell', 'fall', 'falls', 'drop', 'drops', 'dropped', 'move', 'moves', 'moved', 'keep', 'keeps', 'kept', 'add', 'adds', 'added',
  'took', 'give', 'gives', 'gave', 'found', 'find', 'finds', 'ask', 'asks', 'asked', 'write', 'writes', 'wrote', 'written', 'say', 'says',
  'said', 'tell', 'tells', 'told', 'come', 'comes', 'came', 'put', 'puts', 'set', 'sets', 'turn', 'turns', 'turned', 'try', 'tried', 'became',
  'become', 'becomes', 'stay', 'stays', 'stayed', 'ran', 'spend', 'spends', 'spent', 'call', 'calls', 'called', 'got', 'went', 'gone',
  'much', 'many', 'more', 'most', 'less', 'lot', 'highly', 'significant', 'significantly', 'critical', 'core', 'entire', 'entirely',
]);

// Too broad to be a theme alone on an engineering blog, but fine inside a phrase ("context engineering").
const BROAD = new Set([
  'ai', 'engineering', 'data', 'system', 'software', 'code', 'model', 'service', 'application', 'app', 'platform', 'tool', 'performance',
  'infrastructure', 'production', 'scale', 'workflow', 'process', 'cost', 'open', 'source', 'cloud', 'design', 'architecture', 'technology',
  'request', 'response', 'job', 'service', 'change', 'error', 'failure', 'time', 'number', 'step', 'level', 'type', 'case', 'value',
  'llm', 'language', 'complex', 'task', 'management', 'security', 'test', 'testing', 'research', 'pipeline', 'developer', 'operation',
]);

/** Folds plurals to one key ("gateways" and "gateway", "caches" and "cache" share one); keys are never shown. */
export function singular(w: string): string {
  const s = stripPlural(w);
  // "cache"/"caches" → "cach", "batch"/"batches" → "batch": dropping a final e makes both plural rules agree.
  return s.length > 3 && s.endsWith('e') ? s.slice(0, -1) : s;
}

function stripPlural(w: string): string {
  if (w.length <= 3) return w;
  if (/ies$/.test(w) && w.length > 4) return w.slice(0, -3) + 'y';
  if (/(sses|xes|ches|shes|zzes)$/.test(w)) return w.slice(0, -2);
  if (/(ss|us|is|ous|ics)$/.test(w)) return w;
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

const BROAD_KEYS = new Set([...BROAD].map(singular));

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’.+#-]*[\p{L}\p{N}+#]|[\p{L}]/gu;

interface Token {
  key: string | null;
  surface: string;
}

function tokens(text: string): Token[][] {
  // Sentence-ish chunks: phrases never span punctuation.
  const out: Token[][] = [];
  for (const chunk of text.split(/[.!?;:,()[\]{}"“”|/\\—–]+|\s-\s/)) {
    const toks: Token[] = [];
    for (const m of chunk.matchAll(WORD)) {
      const surface = m[0].replace(/['’]s$/i, '');
      const low = surface.toLowerCase();
      const isStop = STOP.has(low) || /^[\d.,%+#-]+$/.test(low) || (low.length < 3 && !/^[A-Z0-9]{2}$/.test(surface));
      toks.push({ key: isStop ? null : singular(low), surface });
    }
    out.push(toks);
  }
  return out;
}

/** Terms of a text: content words (plural and case folded) and adjacent two-word phrases, with how each was written. */
export function extractTerms(text: string): Map<string, string> {
  const terms = new Map<string, string>();
  // The first spelling, unless the text also writes the term in lower case (a headline's Title Case is not its name).
  const keep = (key: string, surface: string) => {
    const had = terms.get(key);
    if (had === undefined || (had !== had.toLowerCase() && surface === surface.toLowerCase())) terms.set(key, surface);
  };
  for (const toks of tokens(plainText(text))) {
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (!t.key) continue;
      if (!BROAD_KEYS.has(t.key) && t.key.length >= 3) keep(t.key, t.surface);
      const n = toks[i + 1];
      if (n?.key) keep(`${t.key} ${n.key}`, `${t.surface} ${n.surface}`);
    }
  }
  return terms;
}

/** The text an article's terms are taken from: title, summary and the start of its content. */
export function articleText(a: { title: string; summary: string; contentText: string }): string {
  const content = a.contentText.length > 3000 ? a.contentText.slice(0, 3000) : a.contentText;
  return `${a.title}. ${a.summary}. ${content}`;
}

/** Number of words in a text. */
export function wordCount(s: string): number {
  const m = s.match(/\S+/g);
  return m ? m.length : 0;
}
