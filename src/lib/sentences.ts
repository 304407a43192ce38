// Pure: prose → sentences, for summaries. A sentence ends at . ! ? or … (closing quotes and brackets kept with it)
// followed by a space and a capital, a digit or an opening quote, unless the word before the full stop is an
// abbreviation (e.g., Dr., Fig.), an initial (J. Smith) or dotted (U.S., i.e., Ph.D.). Numbers (v2.5) and names
// (Node.js) never end one, having no space after their dot.

/**
 * Words that take a full stop without ending a sentence (compared in lowercase, without the stop). Not "ms": on an
 * engineering blog "fell to 12 ms." ends a sentence far more often than "Ms." starts a name.
 */
const ABBREVIATIONS = new Set([
  'al', 'approx', 'apr', 'assn', 'aug', 'ave', 'bros', 'ca', 'capt', 'cf', 'co', 'col', 'corp', 'dec', 'dept', 'dr',
  'ed', 'eds', 'eg', 'eq', 'eqs', 'est', 'etc', 'ex', 'feb', 'fig', 'figs', 'fri', 'gen', 'gov', 'ie', 'inc', 'jan',
  'jr', 'jul', 'jun', 'lt', 'ltd', 'maj', 'mar', 'mon', 'mr', 'mrs', 'mt', 'no', 'nos', 'nov', 'oct', 'pp',
  'prof', 'ref', 'refs', 'rep', 'rev', 'sat', 'sec', 'sen', 'sep', 'sept', 'sgt', 'sr', 'st', 'sun', 'thu', 'tue',
  'univ', 'viz', 'vol', 'vols', 'vs', 'wed',
]);

// Candidate ends: the stop, closing quotes or brackets, the space, and a look at how the next sentence starts.
const END = /[.!?…]+["'”’)\]]*\s+(?=["'“‘([]*[\p{Lu}\p{N}])/gu;
const DOTTED = /^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/u;
const OPENERS = /^["'“‘([]+/;

/** Whether the full stop after word ends a sentence. */
function endsSentence(word: string): boolean {
  const w = word.replace(OPENERS, '');
  if (w.length === 1 && /\p{L}/u.test(w)) return false;
  if (ABBREVIATIONS.has(w.toLowerCase())) return false;
  return !DOTTED.test(w);
}

/** The sentences of a text in order, each trimmed; whitespace inside them is kept as given. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const m of text.matchAll(END)) {
    const at = m.index;
    const punct = /^[.!?…]+/.exec(m[0])![0];
    if (punct === '.') {
      const wordStart = text.lastIndexOf(' ', at - 1) + 1;
      if (!endsSentence(text.slice(Math.max(wordStart, start), at))) continue;
    }
    const end = at + m[0].trimEnd().length;
    const sentence = text.slice(start, end).trim();
    if (sentence) sentences.push(sentence);
    start = at + m[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest) sentences.push(rest);
  return sentences;
}
