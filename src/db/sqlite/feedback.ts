// Links, clicks and votes on SQLite. Async to callers; statements are prepared once per handle.
import type { ArticleFeedback, FeedbackRow, NewClick, SourceWeights, SubscriberSpan, TrackedLink } from '../../feedback/store.js';
import { immediateSync, type DbHandle } from './client.js';

type Repo = Pick<DbHandle, 'sqlite'>;

const cache = new WeakMap<object, Map<string, import('better-sqlite3').Statement>>();
function stmt(r: Repo, sql: string): import('better-sqlite3').Statement {
  let m = cache.get(r.sqlite);
  if (!m) cache.set(r.sqlite, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = r.sqlite.prepare(sql)));
  return s;
}

export async function ensureLinks(r: Repo, issueId: number, items: { articleId: number; url: string }[]): Promise<Map<number, TrackedLink>> {
  return immediateSync(r.sqlite, () => {
    const ins = stmt(r, 'INSERT INTO links (issue_id, article_id, url) VALUES (?, ?, ?) ON CONFLICT (issue_id, article_id) DO NOTHING');
    for (const it of items) ins.run(issueId, it.articleId, it.url);
    const rows = stmt(r, 'SELECT id, issue_id AS issueId, article_id AS articleId, url FROM links WHERE issue_id = ?').all(issueId) as TrackedLink[];
    return new Map(rows.map((l) => [l.articleId, l]));
  });
}

export async function getLink(r: Repo, id: number): Promise<TrackedLink | null> {
  return (stmt(r, 'SELECT id, issue_id AS issueId, article_id AS articleId, url FROM links WHERE id = ?').get(id) as TrackedLink | undefined) ?? null;
}

export async function recordClick(r: Repo, c: NewClick): Promise<boolean> {
  const res = stmt(r, 'INSERT INTO clicks (link_id, issue_id, article_id, subscriber_id, at, machine, reason) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
    c.linkId,
    c.issueId,
    c.articleId,
    c.subscriberId,
    c.at,
    c.machine ? 1 : 0,
    c.reason,
  );
  return res.changes === 1;
}

/** Rows per multi-row INSERT of a click batch: one statement call per 50 clicks instead of one per click. */
const CLICK_ROWS = 50;

export async function recordClicks(r: Repo, cs: NewClick[]): Promise<void> {
  if (!cs.length) return;
  const insert = (n: number) =>
    stmt(r, `INSERT INTO clicks (link_id, issue_id, article_id, subscriber_id, at, machine, reason) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`);
  immediateSync(r.sqlite, () => {
    for (let i = 0; i < cs.length; i += CLICK_ROWS) {
      const chunk = cs.slice(i, i + CLICK_ROWS);
      const values: unknown[] = [];
      for (const c of chunk) values.push(c.linkId, c.issueId, c.articleId, c.subscriberId, c.at, c.machine ? 1 : 0, c.reason);
      insert(chunk.length).run(...values);
    }
  });
}

export async function recordVote(r: Repo, v: { issueId: number; articleId: number; subscriberId: number | null; value: 1 | -1; at: number }): Promise<void> {
  stmt(r, 'INSERT INTO votes (issue_id, article_id, subscriber_id, value, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issue_id, article_id, subscriber_id) DO UPDATE SET value = excluded.value, at = excluded.at').run(
    v.issueId,
    v.articleId,
    v.subscriberId,
    v.value,
    v.at,
  );
}

export async function articleFeedback(r: Repo, articleIds: number[]): Promise<Map<number, ArticleFeedback>> {
  const out = new Map<number, ArticleFeedback>();
  for (let i = 0; i < articleIds.length; i += 500) {
    const ids = articleIds.slice(i, i + 500);
    const marks = ids.map(() => '?').join(', ');
    const rows = r.sqlite
      .prepare(
        `SELECT a.id AS articleId,
                (SELECT count(*) FROM links l JOIN clicks c ON c.link_id = l.id WHERE l.article_id = a.id AND c.machine = 0) AS clicks,
                (SELECT count(*) FROM links l JOIN clicks c ON c.link_id = l.id WHERE l.article_id = a.id AND c.machine = 1) AS machine,
                (SELECT count(*) FROM votes v WHERE v.article_id = a.id AND v.value = 1) AS more,
                (SELECT count(*) FROM votes v WHERE v.article_id = a.id AND v.value = -1) AS less
           FROM articles a WHERE a.id IN (${marks})`,
      )
      .all(...ids) as (ArticleFeedback & { articleId: number })[];
    for (const { articleId, ...f } of rows) out.set(articleId, f);
  }
  return out;
}

export async function issueFeedback(r: Repo, issueId: number): Promise<Map<number, ArticleFeedback>> {
  const rows = stmt(
    r,
    `SELECT l.article_id AS articleId, coalesce(sum(c.machine = 0), 0) AS clicks, coalesce(sum(c.machine = 1), 0) AS machine,
            (SELECT count(*) FROM votes v WHERE v.issue_id = l.issue_id AND v.article_id = l.article_id AND v.value = 1) AS more,
            (SELECT count(*) FROM votes v WHERE v.issue_id = l.issue_id AND v.article_id = l.article_id AND v.value = -1) AS less
       FROM links l LEFT JOIN clicks c ON c.link_id = l.id WHERE l.issue_id = ? GROUP BY l.id`,
  ).all(issueId) as (ArticleFeedback & { articleId: number })[];
  return new Map(rows.map(({ articleId, ...f }) => [articleId, f]));
}

export async function feedbackRows(r: Repo, since: number): Promise<FeedbackRow[]> {
  return stmt(
    r,
    `WITH sent AS (SELECT issue_id, count(*) AS n FROM deliveries WHERE status = 'sent' GROUP BY issue_id),
          ck AS (SELECT issue_id, article_id, sum(machine = 0) AS clicks, sum(machine = 1) AS machine FROM clicks GROUP BY issue_id, article_id),
          vt AS (SELECT issue_id, article_id, sum(value = 1) AS more, sum(value = -1) AS less FROM votes GROUP BY issue_id, article_id)
     SELECT i.id AS issueId, i.date, i.edition, a.id AS articleId, a.title, s.id AS sourceId, coalesce(s.company, s.name) AS sourceName,
            coalesce(sent.n, 0) AS sent, coalesce(ck.clicks, 0) AS clicks, coalesce(ck.machine, 0) AS machine, coalesce(vt.more, 0) AS more, coalesce(vt.less, 0) AS less
       FROM issues i
       JOIN issue_articles ia ON ia.issue_id = i.id AND ia.excluded = 0
       JOIN articles a ON a.id = ia.article_id
       JOIN sources s ON s.id = a.source_id
       LEFT JOIN sent ON sent.issue_id = i.id
       LEFT JOIN ck ON ck.issue_id = i.id AND ck.article_id = a.id
       LEFT JOIN vt ON vt.issue_id = i.id AND vt.article_id = a.id
      WHERE i.status IN ('sending', 'sent') AND coalesce(i.send_started_at, i.created_at) >= ?
      ORDER BY i.date, i.edition, ia.rank`,
  ).all(since) as FeedbackRow[];
}

export async function sourceWeights(r: Repo): Promise<SourceWeights[]> {
  return stmt(r, `SELECT id, coalesce(company, name) AS name, weight, feedback_weight AS feedbackWeight FROM sources WHERE removed_at IS NULL ORDER BY lower(coalesce(company, name)), id`).all() as SourceWeights[];
}

export async function setFeedbackWeight(r: Repo, sourceId: number, weight: number | null): Promise<boolean> {
  return stmt(r, 'UPDATE sources SET feedback_weight = ? WHERE id = ? AND removed_at IS NULL').run(weight, sourceId).changes === 1;
}

export async function subscriberSpans(r: Repo): Promise<SubscriberSpan[]> {
  return stmt(
    r,
    `SELECT confirmed_at AS confirmedAt, CASE WHEN status IN ('unsubscribed', 'bounced') THEN coalesce(unsubscribed_at, bounced_at, updated_at) END AS leftAt, frequency, status
       FROM subscribers WHERE confirmed_at IS NOT NULL`,
  ).all() as SubscriberSpan[];
}
