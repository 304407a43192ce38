/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import { deliveryCounts, type DeliveryCounts } from '../../issues/repo.js';
import { listAllIssues, type ArchiveIssue } from '../../issues/repo.js';
import { localDate } from '../../lib/cron-time.js';
import { takeFlash } from './flash.js';
import * as f from './format.js';
import type { ConsoleEnv } from './guard.js';
import { ConsoleLayout, Csrf, Empty, doc, type PageCtx } from './layout.js';

const PAGE_SIZE = 30;

function IssueList(p: { page: PageCtx; rows: ArchiveIssue[]; counts: Map<number, DeliveryCounts>; pageNo: number; more: boolean }) {
  const today = localDate(p.page.now, p.page.tz);
  return (
    <>
      <div class="page-head">
        <h1>Issues</h1>
        <form method="post" action="/admin/issues/assemble" class="inline">
          <Csrf token={p.page.csrf} />
          <div>
            <label for="date" class="small">
              Assemble the issue of
            </label>
            <input id="date" name="date" type="date" value={today} required />
          </div>
          <button type="submit">Assemble</button>
        </form>
      </div>
      <section class="card flush">
        {p.rows.length === 0 ? (
          <Empty title="No issues yet">
            <p>Ingest the feeds on the Sources page, then assemble today’s issue with the form above. It stays a draft until you send it.</p>
            <div class="actions">
              <a class="button secondary" href="/admin/sources">
                Go to Sources
              </a>
            </div>
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th>Date</th>
                  <th>Subject</th>
                  <th>State</th>
                  <th class="num hide-sm">Articles</th>
                  <th class="num">Sent</th>
                  <th class="num hide-sm">Queued</th>
                  <th class="num">Failed</th>
                  <th class="num hide-sm">Bounced</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((i) => {
                  const c = p.counts.get(i.id) ?? { queued: 0, sent: 0, failed: 0, bounced: 0, skipped: 0 };
                  return (
                    <tr>
                      <td class="nowrap">
                        <a href={`/admin/issues/${i.id}`}>{f.issueDate(i.date)}</a>
                      </td>
                      <td class="title-cell">{i.subject}</td>
                      <td>
                        <span class={`badge ${i.status}`}>{i.status}</span>
                      </td>
                      <td class="num hide-sm">{f.num(i.articleCount)}</td>
                      <td class="num">{f.num(c.sent)}</td>
                      <td class="num hide-sm">{f.num(c.queued)}</td>
                      <td class="num">{f.num(c.failed)}</td>
                      <td class="num hide-sm">{f.num(c.bounced)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {p.pageNo > 1 || p.more ? (
          <div class="pager">
            {p.pageNo > 1 ? <a href={`/admin/issues?page=${p.pageNo - 1}`}>← Newer</a> : <span></span>}
            {p.more ? <a href={`/admin/issues?page=${p.pageNo + 1}`}>Older →</a> : <span></span>}
          </div>
        ) : null}
      </section>
    </>
  );
}

/** Issues: the list with counts, each issue's page, its edits, test send, send, progress and resends. */
export function registerIssuePages(admin: Hono<ConsoleEnv>, ctx: AppContext): void {
  admin.get('/issues', async (c) => {
    const page = c.get('page');
    const pageNo = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    const rows = await listAllIssues(ctx, { limit: PAGE_SIZE + 1, offset: (pageNo - 1) * PAGE_SIZE });
    const shown = rows.slice(0, PAGE_SIZE);
    const counts = await deliveryCounts(ctx, shown.map((i) => i.id));
    return c.html(
      doc(
        <ConsoleLayout title="Issues" section="issues" page={page} flash={takeFlash(c)}>
          <IssueList page={page} rows={shown} counts={counts} pageNo={pageNo} more={rows.length > PAGE_SIZE} />
        </ConsoleLayout>,
      ),
    );
  });
}
