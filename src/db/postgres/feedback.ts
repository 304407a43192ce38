// Links, clicks and votes on PostgreSQL: the same rules as SQLite's, kept by the same unique indexes.
import type { ArticleFeedback, FeedbackRow, NewClick, SourceWeights, SubscriberSpan, TrackedLink } from '../../feedback/store.js';
import type { PgHandle } from './client.js';
import { all, one, run } from './rows.js';

type Repo = PgHandle;

export async function ensureLinks(r: Repo, issueId: number, items: { articleId: number; url: string }[]): Promise<Map<number, TrackedLink>> {
  if (items.length) {
    await run(
      r,
      `INSERT INTO links (issue_id, article_id, url) VALUES ${items.map(() => '(?, ?, ?)').join(', ')} ON CONFLICT (issue_id, article_id) DO NOTHING`,
      items.flatMap((it) => [issueId, it.articleId, it.url]),
    );
  }
  const rows = await all<TrackedLink>(r, 'SELECT id, issue_id, article_id, url FROM links WHERE issue_id = ?', [issueId]);
  return new Map(rows.map((l) => [l.articleId, l]));
}

export async function getLink(r: Repo, id: number): Promise<TrackedLink | null> {
  return (await one<TrackedLink>(r, 'SELECT id, issue_id, article_id, url FROM links WHERE id = ?', [id])) ?? null;
}

export async function recordClick(r: Repo, c: NewClick): Promise<boolean> {
  const n = await run(r, 'INSERT INTO clicks (link_id, issue_id, article_id, subscriber_id, at, machine, reason) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
    c.linkId,
    c.issueId,
    c.articleId,
    c.subscriberId,
    c.at,
    c.machine,
    c.reason,
  ]);
  return n === 1;
}

export async function recordClicks(r: Repo, cs: NewClick[]): Promise<void> {
  for (let i = 0; i < cs.length; i += 500) {
    const chunk = cs.slice(i, i + 500);
    await run(
      r,
      `INSERT INTO clicks (link_id, issue_id, article_id, subscriber_id, at, machine, reason) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      chunk.flatMap((c) => [c.linkId, c.issueId, c.articleId, c.subscriberId, c.at, c.machine, c.reason]),
    );
  }
}

export async function recordVote(r: Repo, v: { issueId: number; articleId: number; subscriberId: number | null; value: 1 | -1; at: number }): Promise<void> {
  await run(
    r,
    'INSERT INTO votes (issue_id, article_id, subscriber_id, value, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issue_id, article_id, subscriber_id) DO UPDATE SET value = excluded.value, at = excluded.at',
    [v.issueId, v.articleId, v.subscriberId, v.value, v.at],
  );
}

export async function articleFeedback(r: Repo, articleIds: number[]): Promise<Map<number, ArticleFeedback>> {
  const rows = await all<ArticleFeedback & { articleId: number }>(
    r,
    `SELECT a.id AS article_id,
            (SELECT count(*) FROM links l JOIN clicks c ON c.link_id = l.id WHERE l.article_id = a.id AND NOT c.machine)::int AS clicks,
            (SELECT count(*) FROM links l JOIN clicks c ON c.link_id = l.id WHERE l.article_id = a.id AND c.machine)::int AS machine,
            (SELECT count(*) FROM votes v WHERE v.article_id = a.id AND v.value = 1)::int AS more,
            (SELECT count(*) FROM votes v WHERE v.article_id = a.id AND v.value = -1)::int AS less
       FROM articles a WHERE a.id = ANY(?::int[])`,
    [articleIds],
  );
  return new Map(rows.map(({ articleId, ...f }) => [articleId, f]));
}

export async function issueFeedback(r: Repo, issueId: number): Promise<Map<number, ArticleFeedback>> {
  const rows = await all<ArticleFeedback & { articleId: number }>(
    r,
    `SELECT l.article_id, count(c.id) FILTER (WHERE NOT c.machine)::int AS clicks, count(c.id) FILTER (WHERE c.machine)::int AS machine,
            (SELECT count(*) FROM votes v WHERE v.issue_id = l.issue_id AND v.article_id = l.article_id AND v.value = 1)::int AS more,
            (SELECT count(*) FROM votes v WHERE v.issue_id = l.issue_id AND v.article_id = l.article_id AND v.value = -1)::int AS less
       FROM links l LEFT JOIN clicks c ON c.link_id = l.id WHERE l.issue_id = ? GROUP BY l.id`,
    [issueId],
  );
  return new Map(rows.map(({ articleId, ...f }) => [articleId, f]));
}

export async function feedbackRows(r: Repo, since: number): Promise<FeedbackRow[]> {
  return all<FeedbackRow>(
    r,
    `WITH sent AS (SELECT issue_id, count(*)::int AS n FROM deliveries WHERE status = 'sent' GROUP BY issue_id),
          ck AS (SELECT issue_id, article_id, count(*) FILTER (WHERE NOT machine)::int AS clicks, count(*) FILTER (WHERE machine)::int AS machine FROM clicks GROUP BY issue_id, article_id),
          vt AS (SELECT issue_id, article_id, count(*) FILTER (WHERE value = 1)::int AS more, count(*) FILTER (WHERE value = -1)::int AS less FROM votes GROUP BY issue_id, article_id)
     SELECT i.id AS issue_id, i.date, i.edition, a.id AS article_id, a.title, s.id AS source_id, coalesce(s.company, s.name) AS source_name,
            coalesce(sent.n, 0) AS sent, coalesce(ck.clicks, 0) AS clicks, coalesce(ck.machine, 0) AS machine, coalesce(vt.more, 0) AS more, coalesce(vt.less, 0) AS less
       FROM issues i
       JOIN issue_articles ia ON ia.issue_id = i.id AND NOT ia.excluded
       JOIN articles a ON a.id = ia.article_id
       JOIN sources s ON s.id = a.source_id
       LEFT JOIN sent ON sent.issue_id = i.id
       LEFT JOIN ck ON ck.issue_id = i.id AND ck.article_id = a.id
       LEFT JOIN vt ON vt.issue_id = i.id AND vt.article_id = a.id
      WHERE i.status IN ('sending', 'sent') AND coalesce(i.send_started_at, i.created_at) >= ?
      ORDER BY i.date, i.edition, ia.rank`,
    [since],
  );
}

export async function sourceWeights(r: Repo): Promise<SourceWeights[]> {
  return all<SourceWeights>(r, `SELECT id, coalesce(company, name) AS name, weight, feedback_weight FROM sources WHERE removed_at IS NULL ORDER BY lower(coalesce(company, name)), id`);
}

export async function setFeedbackWeight(r: Repo, sourceId: number, weight: number | null): Promise<boolean> {
  return (await run(r, 'UPDATE sources SET feedback_weight = ? WHERE id = ? AND removed_at IS NULL', [weight, sourceId])) === 1;
}

export async function subscriberSpans(r: Repo): Promise<SubscriberSpan[]> {
  return all<SubscriberSpan>(
    r,
    `SELECT confirmed_at, CASE WHEN status IN ('unsubscribed', 'bounced') THEN coalesce(unsubscribed_at, bounced_at, updated_at) END AS left_at, frequency, status
       FROM subscribers WHERE confirmed_at IS NOT NULL`,
  );
}
