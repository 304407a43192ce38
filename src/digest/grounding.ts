// Pure: whether a text a language model wrote states only what its sources say. Every number it gives must appear
// in the sources (as written or with its separators dropped), and every name (a capitalised word inside a
// sentence, an acronym, a CamelCase or dotted name) must appear in them too. The first claim that does not is the
// reason the text is refused.

const NUMBER = /\d[\d,.]*\d|\d/g;
const NAME = /(?<=[\p{Ll}\p{N},;:()’'"“] )(?:[\p{Lu}][\p{L}\p{N}]*(?:[.-][\p{L}\p{N}]+)*)|\b[\p{Lu}]{2,}[\p{L}\p{N}]*\b|\b[\p{Ll}]+[\p{Lu}][\p{L}\p{N}]*\b/gu;
/** Capitalised words that are English, not names, when they open a clause after a colon or a quote. */
const COMMON = new Set(['I', 'A', 'An', 'The', 'This', 'That', 'These', 'Those', 'It', 'Its', 'They', 'We', 'Our', 'In', 'On', 'At', 'By', 'For', 'With', 'When', 'While', 'But', 'And', 'Or', 'So', 'If', 'As', 'To']);

function normNumber(n: string): string {
  return n.replace(/[,]/g, '').replace(/\.$/, '');
}

/** The numbers of a text, normalised ("4,100" → "4100"). */
export function numbersOf(text: string): string[] {
  return [...text.matchAll(NUMBER)].map((m) => normNumber(m[0]));
}

/** The names a text states. */
export function namesOf(text: string): string[] {
  return [...new Set([...text.matchAll(NAME)].map((m) => m[0].replace(/[.]$/, '')).filter((n) => !COMMON.has(n)))];
}

/** null when every number and name of `text` is in `sources`; else the first that is not, as a reason. */
export function ungrounded(text: string, sources: string): string | null {
  const nums = new Set(numbersOf(sources));
  for (const n of numbersOf(text)) if (!nums.has(n)) return `states the number ${n}, which the articles do not`;
  const hay = sources.toLowerCase();
  for (const name of namesOf(text)) if (!hay.includes(name.toLowerCase())) return `names "${name}", which the articles do not`;
  return null;
}
