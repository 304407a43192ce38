/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { SourceHealth } from '../../feeds/repo.js';
import { currentSources } from '../../feeds/service.js';
import { redirectWith, takeFlash } from './flash.js';
import * as f from './format.js';
import type { ConsoleEnv } from './guard.js';
import { ConsoleLayout, Csrf, Empty, doc, type PageCtx } from './layout.js';

function Health(p: { s: SourceHealth }) {
  if (!p.s.active || p.s.removedAt) return <span class="badge">not followed</span>;
  if (p.s.consecutiveFailures > 0) return <span class="badge bad">failing</span>;
  if (!p.s.lastSuccessAt) return <span class="badge warn">not fetched yet</span>;
  return <span class="badge ok">healthy</span>;
}

function SourcesPage(p: { page: PageCtx; rows: SourceHealth[]; sourcesFile: string }) {
  const followed = p.rows.filter((s) => s.active && !s.removedAt);
  const failing = followed.filter((s) => s.consecutiveFailures > 0);
  const recent = followed.reduce((a, s) => a + s.articlesLast7Days, 0);
  const tz = p.page.tz;
  return (
    <>
      <div class="page-head">
        <h1>Sources</h1>
        <form method="post" action="/admin/sources/ingest">
          <Csrf token={p.page.csrf} />
          <button type="submit">Ingest now</button>
        </form>
      </div>
      <div class="grid kpis">
        <section class="card">
          <p class="kicker">Followed</p>
          <div class="big">
            {f.num(followed.length)}
            <span class="unit">{followed.length === 1 ? 'source' : 'sources'}</span>
          </div>
        </section>
        <section class="card">
          <p class="kicker">Failing now</p>
          <div class="big">
            {f.num(failing.length)}
            <span class="unit">{failing.length === 1 ? 'source' : 'sources'}</span>
          </div>
        </section>
        <section class="card">
          <p class="kicker">Articles in 7 days</p>
          <div class="big">
            {f.num(recent)}
            <span class="unit">{recent === 1 ? 'article' : 'articles'}</span>
          </div>
        </section>
      </div>
      <section class="card flush">
        {p.rows.length === 0 ? (
          <Empty title="No sources yet">
            <p>
              Sources come from the OPML file <span class="mono">{p.sourcesFile}</span> (SOURCES_FILE). Press Ingest now to read it and
              fetch every feed.
            </p>
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th>Source</th>
                  <th>Health</th>
                  <th class="hide-sm">Last success</th>
                  <th class="hide-sm">Last error</th>
                  <th class="num wrap hide-sm">Failures in a row</th>
                  <th class="num wrap hide-sm">Articles, 7 days</th>
                  <th class="num wrap hide-sm">All articles</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((s) => (
                  <tr>
                    <td class="title-cell">
                      <b>{s.siteUrl ? <a href={s.siteUrl} rel="noreferrer noopener" target="_blank">{s.name}</a> : s.name}</b>
                      <div class="meta mono">{s.feedUrl}</div>
                      <div class="meta show-sm">
                        Last success {f.relative(s.lastSuccessAt, p.page.now)} · {f.count(s.articlesLast7Days, 'article')} in 7 days
                        {s.consecutiveFailures > 0 ? ` · ${f.count(s.consecutiveFailures, 'failure')} in a row: ${s.lastError ?? ''}` : ''}
                      </div>
                    </td>
                    <td>
                      <Health s={s} />
                    </td>
                    <td class="nowrap hide-sm" title={f.dateTime(s.lastSuccessAt, tz)}>
                      {s.lastSuccessAt ? f.relative(s.lastSuccessAt, p.page.now) : 'never'}
                      {s.lastSuccessAt ? <div class="small faint">{f.shortDateTime(s.lastSuccessAt, tz)}</div> : null}
                    </td>
                    <td class="small hide-sm">
                      {s.lastError ? (
                        <>
                          <span class={s.consecutiveFailures > 0 ? 'badge bad' : 'badge'}>{s.consecutiveFailures > 0 ? 'now' : 'earlier'}</span>{' '}
                          {s.lastError}
                          {s.lastFetchAt && s.consecutiveFailures > 0 ? <div class="faint">{f.relative(s.lastFetchAt, p.page.now)}</div> : null}
                        </>
                      ) : (
                        <span class="faint">—</span>
                      )}
                    </td>
                    <td class="num hide-sm">{f.num(s.consecutiveFailures)}</td>
                    <td class="num hide-sm">{f.num(s.articlesLast7Days)}</td>
                    <td class="num hide-sm">{f.num(s.articleCount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** Sources: the health table and "ingest now". */
export function registerSourcePages(admin: Hono<ConsoleEnv>, ctx: AppContext): void {
  admin.get('/sources', async (c) => {
    const page = c.get('page');
    const rows = await currentSources(ctx, page.now);
    return c.html(
      doc(
        <ConsoleLayout title="Sources" section="sources" page={page} flash={takeFlash(c)}>
          <SourcesPage page={page} rows={rows} sourcesFile={ctx.config.sourcesFile} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.post('/sources/ingest', async (c) => {
    const started = performance.now();
    // The fetch and parse code is loaded by the first ingest, not by every web process at start.
    const { ingestAll } = await import('../../feeds/ingest.js');
    const r = await ingestAll(ctx);
    const took = f.duration(performance.now() - started);
    const text = `Polled ${f.count(r.sources, 'source')} in ${took}: ${f.count(r.newArticles, 'new article')}${
      r.errors.length ? `, ${f.count(r.errors.length, 'source')} failed (${r.errors.slice(0, 3).map((e) => e.source).join(', ')}${r.errors.length > 3 ? ', …' : ''})` : ''
    }.`;
    return redirectWith(c, '/admin/sources', r.errors.length ? 'warn' : 'ok', text);
  });
}
