/** The one builder of public links: every URL put in a mail or page comes from here. */
export interface Urls {
  base: string;
  home(): string;
  confirm(token: string): string;
  unsubscribe(token: string): string;
  issues(page?: number): string;
  issue(date: string): string;
  issuesAtom(): string;
  issuesJson(): string;
  /** The weekly edition's archive, issue pages and feeds. */
  weeklyIssues(page?: number): string;
  weeklyIssue(date: string): string;
  weeklyAtom(): string;
  weeklyJson(): string;
  /** A tracked article link; `/r/<token>` redirects to the stored URL only. */
  redirect(token: string): string;
  /** "More like this" / "less like this" on a Deep Dive: a confirm page, then a POST. */
  vote(token: string, value: 'more' | 'less'): string;
  admin(path?: string): string;
}

/** Builds the URL set from PUBLIC_URL (no trailing slash). */
export function createUrls(publicUrl: string): Urls {
  const base = publicUrl.replace(/\/+$/, '');
  const enc = encodeURIComponent;
  return {
    base,
    home: () => `${base}/`,
    confirm: (token) => `${base}/confirm/${enc(token)}`,
    unsubscribe: (token) => `${base}/unsubscribe/${enc(token)}`,
    issues: (page) => (page && page > 1 ? `${base}/issues?page=${page}` : `${base}/issues`),
    issue: (date) => `${base}/issues/${enc(date)}`,
    issuesAtom: () => `${base}/issues/feed.xml`,
    issuesJson: () => `${base}/issues/feed.json`,
    weeklyIssues: (page) => (page && page > 1 ? `${base}/issues/weekly?page=${page}` : `${base}/issues/weekly`),
    weeklyIssue: (date) => `${base}/issues/weekly/${enc(date)}`,
    weeklyAtom: () => `${base}/issues/weekly/feed.xml`,
    weeklyJson: () => `${base}/issues/weekly/feed.json`,
    redirect: (token) => `${base}/r/${enc(token)}`,
    vote: (token, value) => `${base}/v/${enc(token)}?${value}`,
    admin: (path = '') => `${base}/admin${path}`,
  };
}
