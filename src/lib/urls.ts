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
    admin: (path = '') => `${base}/admin${path}`,
  };
}
