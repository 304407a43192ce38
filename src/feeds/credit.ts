// Which source an article found in several feeds is credited to: the same answer on every backend.

/** The host a URL names, without a leading www. */
function hostOf(url: string | null | undefined): string | null {
  try {
    return url ? new URL(url).hostname.replace(/^www\./, '') : null;
  } catch {
    return null;
  }
}

/** Whether a source's own site is the article's site (its blog, not a syndicating aggregator). */
function sourceHostsArticle(source: { siteUrl: string | null; feedUrl: string }, articleUrl: string): boolean {
  const host = hostOf(articleUrl);
  return host !== null && (hostOf(source.siteUrl) === host || hostOf(source.feedUrl) === host);
}

/**
 * Which source an article found in two feeds is credited to, whatever order the feeds were fetched in: the source
 * whose site is the article's host, then the one that saw it first, then the lower source id. True when the
 * challenger should take it over.
 */
export function preferSource(
  challenger: { id: number; siteUrl: string | null; feedUrl: string; firstSeenAt: number },
  holder: { id: number; siteUrl: string | null; feedUrl: string; firstSeenAt: number },
  articleUrl: string,
): boolean {
  const c = sourceHostsArticle(challenger, articleUrl);
  const h = sourceHostsArticle(holder, articleUrl);
  if (c !== h) return c;
  if (challenger.firstSeenAt !== holder.firstSeenAt) return challenger.firstSeenAt < holder.firstSeenAt;
  return challenger.id < holder.id;
}
