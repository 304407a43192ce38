// The companies a reader left out, stored as a JSON array of names; compared case-insensitively.

/** The most companies one reader can leave out (the whole list of sources is far shorter). */
export const MAX_EXCLUDED = 100;

/** The names stored for a reader (a bad value reads as none), trimmed, deduplicated, sorted. */
export function companiesOf(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? normalizeCompanies(v.filter((x): x is string => typeof x === 'string')) : [];
  } catch {
    return [];
  }
}

/** Trimmed, deduplicated case-insensitively, sorted: one spelling per company, so equal choices compare equal. */
export function normalizeCompanies(names: string[]): string[] {
  const seen = new Map<string, string>();
  for (const n of names) {
    const t = n.replace(/\s+/g, ' ').trim();
    if (t && !seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  }
  return [...seen.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

/** The key of a reader's copy of an issue: the left-out companies that actually have a story in it ('' = the issue). */
export function variantKey(excluded: readonly string[], inIssue: ReadonlySet<string>): string {
  return excluded
    .map((c) => c.toLowerCase())
    .filter((c) => inIssue.has(c))
    .sort()
    .join('\n');
}
