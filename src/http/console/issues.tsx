/** @jsxImportSource hono/jsx */
import type { ArticleFeedback } from '../../feedback/store.js';
import { HBarChart } from './charts.js';
import type { Context, Hono } from 'hono';
import type { AppContext } from '../../context.js';
import { deliveryCounts as issueDeliveryCounts, listReports, reportCounts, sendProgress, type SendProgress } from '../../deliveries/repo.js';
import type { ReportRow } from '../../deliveries/store.js';
import { resendIssue, sendIssue, sendTestCopy, type ResendRequest } from '../../deliveries/send.js';
import { describeParts, SCORE_FORMULA } from '../../digest/parts.js';
import type { Theme } from '../../digest/types.js';
import { isIsoDate } from '../../lib/cron-time.js';
import { editIssue, parseEdits, type IssueEdits } from '../../issues/edit.js';
import { personalize } from '../../issues/personalize.js';
import {
  deliveryCounts,
  getIssue,
  getIssueArticles,
  listAllIssues,
  type ArchiveIssue,
  type DeliveryCounts,
  type IssueArticleRow,
  type IssueRecord,
} from '../../issues/repo.js';
import { localDate } from '../../lib/cron-time.js';
import { AppError, notFound } from '../../lib/errors.js';
import { normalizeEmail } from '../../subscribers/address.js';
import { countSubscribersByStatus } from '../../subscribers/repo.js';
import { redirectWith, takeFlash } from './flash.js';
import * as f from './format.js';
import { markMailFrame, type ConsoleEnv } from './guard.js';
import { ConsoleLayout, Csrf, Empty, doc, type PageCtx } from './layout.js';
import { problemDeliveries, resendReach, subscriberStateByEmail, testSendsOf, type ProblemDelivery } from './repo.js';
import { idParam } from './subscribers.js';

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
            <input id="date" name="date" type="date" value={today} max={today} required />
          </div>
          <div>
            <label for="edition" class="small">
              Edition
            </label>
            <select id="edition" name="edition">
              <option value="daily">Daily</option>
              <option value="weekly">Weekly (the 7 days before)</option>
            </select>
          </div>
          <button type="submit">Assemble</button>
        </form>
      </div>
      <section class="card flush">
        {p.rows.length === 0 ? (
          <Empty title="No issues yet" next={{ href: '/admin/sources', label: 'Go to Sources' }}>
            <p>Ingest the feeds on the Sources page, then assemble today’s issue with the form above. It stays a draft until you send it.</p>
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th>Date</th>
                  <th class="hide-sm">Subject</th>
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
                      <td class="title-cell">
                        <a class="nowrap" href={`/admin/issues/${i.id}`}>
                          {f.issueDate(i.date)}
                        </a>
                        {i.edition === 'weekly' ? <span class="badge weekly">weekly</span> : null}
                        <div class="meta show-sm">{i.subject}</div>
                      </td>
                      <td class="title-cell hide-sm">{i.subject}</td>
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

/** The figures the progress bar shows, formatted once on the server for the page and the script alike. */
export function progressView(p: SendProgress) {
  const finished = p.sent + p.failed + p.bounced + p.skipped + p.unconfirmed;
  const left = p.queued + p.sending;
  // Finished once the issue itself is marked sent (or paused with nothing left), not merely when nothing is queued:
  // the badge and the bar then agree.
  const done = p.total > 0 && left === 0 && (p.issueStatus === 'sent' || p.pausedReason !== null);
  return {
    total: p.total,
    finished,
    done,
    percent: f.percent(finished, p.total),
    percentText: `${done ? 100 : f.percent(finished, p.total)}%`,
    finishedText: `${f.num(finished)} of ${f.count(p.total, 'delivery', 'deliveries')} done`,
    paceText: done
      ? 'finished'
      : `${f.rate(p.rate)} · ${p.etaMs === null ? (p.pausedReason ? 'paused' : 'estimating time left…') : `about ${f.duration(p.etaMs)} left`}`,
    sentText: f.num(p.sent),
    failedText: f.num(p.failed + p.bounced),
    queuedText: f.num(left),
    pausedReason: p.pausedReason,
  };
}

/** The delivery progress card; the console script keeps it current while the issue sends. */
export function Progress(p: { issueId: number; prog: SendProgress }) {
  const v = progressView(p.prog);
  return (
    <section class={`card progress-card${v.done ? ' done' : ''}`} data-progress-url={`/admin/issues/${p.issueId}/progress.json`} data-done={String(v.done)}>
      <div class="card-head">
        <h2>{v.done ? 'Delivery finished' : 'Sending'}</h2>
        <b data-field="percent">{v.percentText}</b>
      </div>
      <progress max={Math.max(v.total, 1)} value={v.done ? Math.max(v.total, 1) : v.finished} aria-label="Delivery progress"></progress>
      <div class="progress-figures">
        <span data-field="finished">{v.finishedText}</span>
        <span data-field="pace">{v.paceText}</span>
      </div>
      <ul class="stats">
        <li>
          <b data-field="sent">{v.sentText}</b>
          <span>sent</span>
        </li>
        <li>
          <b data-field="queued">{v.queuedText}</b>
          <span>waiting</span>
        </li>
        <li>
          <b data-field="failed">{v.failedText}</b>
          <span>failed or bounced</span>
        </li>
      </ul>
      {v.pausedReason ? <div class="notice warn section-gap">Paused: {v.pausedReason}</div> : null}
      {p.prog.unconfirmed ? (
        <p class="hint">
          {f.count(p.prog.unconfirmed, 'delivery', 'deliveries')} uncertain: the connection dropped after the message twice, so the recipient
          may have it; not sent a third time.
        </p>
      ) : null}
      {p.prog.uncertain ? (
        <p class="hint">{f.count(p.prog.uncertain, 'copy', 'copies')} may have reached their recipient twice (the connection dropped after the data was sent).</p>
      ) : null}
    </section>
  );
}

function parts(a: IssueArticleRow) {
  return (
    <div class="parts">
      {describeParts(a.parts).map((p) => (
        <span title={p.title}>
          {p.name} {p.value}
        </span>
      ))}
    </div>
  );
}

const BY_LABEL = { extract: 'extracted', model: 'model-written', operator: 'edited by you' } as const;

/** The summary an article has in the issue, who wrote it, and (on a draft) a form to change it. */
function SummaryEditor(p: { page: PageCtx; issue: IssueRecord; a: IssueArticleRow; s?: { text: string; by: 'extract' | 'model' | 'operator' } }) {
  if (!p.s) return null;
  const draft = p.issue.status === 'draft';
  return (
    <details class="summary-edit">
      <summary>
        Summary <span class={`badge by-${p.s.by}`}>{BY_LABEL[p.s.by]}</span>
      </summary>
      {draft ? (
        <form method="post" action={`/admin/issues/${p.issue.id}/summary`}>
          <Csrf token={p.page.csrf} />
          <input type="hidden" name="articleId" value={String(p.a.id)} />
          <textarea name="summary" maxlength={1200} rows={4} aria-label={`Summary of ${p.a.title}`}>
            {p.s.text}
          </textarea>
          <div class="actions">
            <button type="submit" class="secondary">
              Save summary
            </button>
            {p.s.by === 'operator' ? (
              <button type="submit" name="reset" value="1" class="ghost">
                Restore the automatic one
              </button>
            ) : null}
          </div>
        </form>
      ) : (
        <p class="small">{p.s.text}</p>
      )}
    </details>
  );
}

function Articles(p: { page: PageCtx; issue: IssueRecord; rows: IssueArticleRow[]; summaries: IssueData['summaries']; editorBy: IssueData['editorBy'] }) {
  const draft = p.issue.status === 'draft';
  const tz = p.page.tz;
  return (
    <section class="card flush" id="articles">
      <div class="card-head">
        <h2>Ranked articles</h2>
        <span class="muted small">
          {f.count(p.rows.filter((a) => !a.excluded).length, 'article')} in the issue
          {p.rows.some((a) => a.excluded) ? `, ${f.num(p.rows.filter((a) => a.excluded).length)} excluded` : ''}
        </span>
      </div>
      <p class="hint pad-x">
        Score = {SCORE_FORMULA}. A story several sources covered is one entry; its other copies are listed after it. The top article is the signal unless you pin another.
      </p>
      {p.editorBy.signalWhy || p.editorBy.patterns ? (
        <p class="hint pad-x">
          “Why it matters”: {p.editorBy.signalWhy ? BY_LABEL[p.editorBy.signalWhy] : 'none'} · Patterns paragraph: {p.editorBy.patterns ? BY_LABEL[p.editorBy.patterns] : 'none'}
        </p>
      ) : null}
      <div class="table-wrap">
        <table class="data articles">
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Article</th>
              <th class="num">Score</th>
              {draft ? <th class="num">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {p.rows.map((a) => {
              const isSignal = p.issue.signalArticleId === a.id;
              const pinned = p.issue.pinnedSignalArticleId === a.id;
              return (
                <tr class={a.excluded ? 'excluded' : undefined} data-article-id={String(a.id)}>
                  <td class="num">{a.rank}</td>
                  <td class="title-cell">
                    {isSignal ? <span class="badge signal">{pinned ? 'Signal · pinned' : 'Signal'}</span> : null}
                    {a.excluded ? <span class="badge">excluded</span> : null} <a href={a.canonicalUrl} target="_blank" rel="noreferrer noopener">{a.title}</a>
                    <div class="meta">
                      {a.sourceName} · {f.shortDateTime(a.publishedAt, tz)}
                    </div>
                    {parts(a)}
                    <SummaryEditor page={p.page} issue={p.issue} a={a} s={p.summaries.get(a.id)} />
                  </td>
                  <td class="num">{a.score.toFixed(2)}</td>
                  {draft ? (
                    <td class="acts">
                      <div class="row-actions">
                        {!isSignal && !a.excluded ? (
                          <form method="post" action={`/admin/issues/${p.issue.id}/signal`}>
                            <Csrf token={p.page.csrf} />
                            <input type="hidden" name="articleId" value={String(a.id)} />
                            <button type="submit" class="ghost" title="Make this the Signal of the Day">
                              Pin as signal
                            </button>
                          </form>
                        ) : null}
                        {pinned ? (
                          <form method="post" action={`/admin/issues/${p.issue.id}/signal`}>
                            <Csrf token={p.page.csrf} />
                            <input type="hidden" name="articleId" value="" />
                            <button type="submit" class="ghost" title="Let the ranking choose the signal again">
                              Unpin
                            </button>
                          </form>
                        ) : null}
                        {!pinned ? (
                          <form method="post" action={`/admin/issues/${p.issue.id}/exclude`}>
                            <Csrf token={p.page.csrf} />
                            <input type="hidden" name="articleId" value={String(a.id)} />
                            <input type="hidden" name="exclude" value={a.excluded ? '0' : '1'} />
                            <button type="submit" class="ghost">
                              {a.excluded ? 'Include' : 'Exclude'}
                            </button>
                          </form>
                        ) : null}
                      </div>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Preview(p: { issue: IssueRecord; view: 'html' | 'text'; text: string }) {
  const base = `/admin/issues/${p.issue.id}`;
  return (
    <section class="card flush" id="preview">
      <nav class="preview-tabs" aria-label="Preview">
        <a href={`${base}#preview`} aria-current={p.view === 'html' ? 'page' : undefined}>
          HTML preview
        </a>
        <a href={`${base}?view=text#preview`} aria-current={p.view === 'text' ? 'page' : undefined}>
          Text part
        </a>
      </nav>
      {p.view === 'html' ? (
        <iframe
          class="preview"
          title="The issue as subscribers will see it"
          src={`${base}/preview.html?v=${p.issue.updatedAt}`}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
        ></iframe>
      ) : (
        <pre class="text-part">{p.text}</pre>
      )}
    </section>
  );
}

function Themes(p: { themes: Theme[] }) {
  if (!p.themes.length) return <p class="hint">No automatic themes today: no term was shared by two or more sources.</p>;
  return (
    <p class="hint">
      Found automatically:{' '}
      {p.themes.slice(0, 6).map((t, i) => (
        <>
          {i ? '; ' : ''}
          <b>{t.phrase || t.label}</b> ({t.sources.join(', ')})
        </>
      ))}
      .
    </p>
  );
}

function DraftActions(p: { page: PageCtx; issue: IssueRecord; confirmed: number; themes: Theme[]; tests: Awaited<ReturnType<typeof testSendsOf>> }) {
  const i = p.issue;
  return (
    <>
      <section class="card">
        <h2>Send</h2>
        <p>
          Goes to <b>{f.count(p.confirmed, 'confirmed subscriber')}</b>. After that, the issue can no longer be edited.
        </p>
        {p.confirmed === 0 ? (
          <p class="hint">Nobody is confirmed yet: import subscribers or share the signup page first.</p>
        ) : (
          <a class="button" href={`/admin/issues/${i.id}/send`}>
            Send to {f.count(p.confirmed, 'subscriber')}…
          </a>
        )}
      </section>
      <section class="card">
        <h2>Send a test copy</h2>
        <form method="post" action={`/admin/issues/${i.id}/test`} class="inline">
          <Csrf token={p.page.csrf} />
          <div class="grow">
            <label for="test-email" class="small">
              Address
            </label>
            <input id="test-email" name="email" type="email" required placeholder="you@example.com" />
          </div>
          <button type="submit" class="secondary">
            Send test
          </button>
        </form>
        {p.tests.length ? (
          <ul class="timeline section-gap">
            {p.tests.map((t) => (
              <li>
                {t.email} <span class={`badge ${t.status === 'sent' ? 'ok' : 'bad'}`}>{t.status}</span>
                <div class="when">
                  {f.dateTime(t.at, p.page.tz)}
                  {t.error ? ` · ${t.error}` : ''}
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p class="hint">Recorded apart from deliveries; the subject starts with [Test].</p>
        )}
      </section>
      <section class="card">
        <h2>Subject</h2>
        <form method="post" action={`/admin/issues/${i.id}/subject`}>
          <Csrf token={p.page.csrf} />
          <div class="field">
            <label for="subject" class="small">
              {i.subjectOverride ? 'Your subject' : 'Automatic subject (edit to replace it)'}
            </label>
            <input id="subject" name="subject" type="text" value={i.subjectOverride ?? i.subject} maxlength={99} required />
          </div>
          <div class="actions">
            <button type="submit" class="secondary">
              Save subject
            </button>
            {i.subjectOverride ? (
              <button type="submit" class="ghost" name="reset" value="1">
                Back to automatic
              </button>
            ) : null}
          </div>
        </form>
      </section>
      <section class="card">
        <h2>Patterns note</h2>
        <form method="post" action={`/admin/issues/${i.id}/patterns`}>
          <Csrf token={p.page.csrf} />
          <div class="field">
            <label for="note" class="small">
              Replaces the automatic “Patterns Across Companies” section; leave empty to keep the automatic one.
            </label>
            <textarea id="note" name="note" maxlength={4000}>
              {i.patternsNote ?? ''}
            </textarea>
          </div>
          <button type="submit" class="secondary">
            Save note
          </button>
        </form>
        <Themes themes={p.themes} />
      </section>
    </>
  );
}

function ResendActions(p: { issue: IssueRecord; reach: { failed: number; missing: number }; busy: boolean }) {
  const base = `/admin/issues/${p.issue.id}/resend`;
  return (
    <section class="card">
      <h2>Resend</h2>
      {p.busy ? <p class="hint">Resends open once this issue has finished sending.</p> : null}
      <form method="get" action={base} class="inline field">
        <input type="hidden" name="kind" value="email" />
        <div class="grow">
          <label for="resend-email" class="small">
            A new copy to one subscriber
          </label>
          <input id="resend-email" name="email" type="email" required placeholder="ann@example.com" disabled={p.busy} />
        </div>
        <button type="submit" class="secondary" disabled={p.busy}>
          Resend…
        </button>
      </form>
      <div class="actions">
        {(['failed', 'missing'] as const).map((kind) => {
          const label = `To the ${kind} (${f.num(p.reach[kind])})`;
          return p.busy || p.reach[kind] === 0 ? (
            <button type="button" class="secondary" disabled>
              {label}
            </button>
          ) : (
            <a class="button secondary" href={`${base}?kind=${kind}`}>
              {label}…
            </a>
          );
        })}
      </div>
      <p class="hint">“Missing” are confirmed subscribers who have no copy of this issue yet. Nobody unsubscribed or bounced is ever reached.</p>
    </section>
  );
}

const REPORT_LABEL: Record<string, string> = { hard: 'hard bounce', soft: 'soft bounce', complaint: 'complaint', unsubscribe: 'unsubscribe by mail', notice: 'notice', unmatched: 'unmatched' };

/** Bounces and complaints that arrived after sending (DSNs, feedback reports, provider events), and what each did. */
function Reports(p: { counts: IssueData['reportCounts']; rows: ReportRow[]; tz: string }) {
  return (
    <section class="card" id="reports">
      <h2>Bounces and complaints</h2>
      <ul class="stats">
        <li>
          <b>{f.num(p.counts.hard)}</b>
          <span>hard bounces</span>
        </li>
        <li>
          <b>{f.num(p.counts.soft)}</b>
          <span>soft bounces</span>
        </li>
        <li>
          <b>{f.num(p.counts.complaints)}</b>
          <span>complaints</span>
        </li>
      </ul>
      {p.rows.length ? (
        <ul class="timeline">
          {p.rows.map((r) => (
            <li>
              <div>
                <b>{REPORT_LABEL[r.kind] ?? r.kind}</b> {r.subscriberId ? <a href={`/admin/subscribers/${r.subscriberId}`}>{r.recipient ?? `subscriber ${r.subscriberId}`}</a> : <span>{r.recipient ?? ''}</span>}
                <span class="muted"> · {r.action}</span>
              </div>
              <div class="when">
                {f.dateTime(r.receivedAt, p.tz)} · {r.channel}
                {r.status ? ` · ${r.status}` : ''}
                {r.detail ? ` · ${r.detail}` : ''}
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">None received. With BOUNCE_ADDRESS set, reports from receiving servers and providers show here.</p>
      )}
    </section>
  );
}

function Problems(p: { rows: ProblemDelivery[]; tz: string }) {
  if (!p.rows.length) return null;
  return (
    <section class="card flush">
      <h2>Deliveries that need a look</h2>
      <div class="table-wrap">
        <table class="data">
          <thead>
            <tr>
              <th>Subscriber</th>
              <th>State</th>
              <th>SMTP answer</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((d) => (
              <tr>
                <td class="title-cell">
                  <a href={`/admin/subscribers/${d.subscriberId}`}>{d.email ?? `Erased subscriber #${d.subscriberId}`}</a>
                  <div class="meta">
                    {f.count(d.attempts, 'attempt')} · {f.shortDateTime(d.updatedAt, p.tz)}
                  </div>
                </td>
                <td>
                  <span class={`badge ${d.status}`}>{d.status}</span>
                  {d.uncertain ? <div class="small muted">may have gone twice</div> : null}
                </td>
                <td class="mono small">{d.lastError ?? d.smtpResponse ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface IssueData {
  issue: IssueRecord;
  articles: IssueArticleRow[];
  prog: SendProgress;
  confirmed: number;
  reach: { failed: number; missing: number };
  tests: Awaited<ReturnType<typeof testSendsOf>>;
  problems: ProblemDelivery[];
  /** Bounce and complaint reports received for this issue after sending. */
  reportCounts: { hard: number; soft: number; complaints: number };
  reports: ReportRow[];
  view: 'html' | 'text';
  text: string;
  /** Each shown article's summary as the issue prints it, and who wrote it. */
  summaries: Map<number, { text: string; by: 'extract' | 'model' | 'operator' }>;
  /** Who wrote the signal's paragraph and the patterns paragraph. */
  editorBy: { signalWhy: 'extract' | 'model' | null; patterns: 'extract' | 'model' | null };
  /** Readers' clicks and votes per article, when the issue went out with tracked links. */
  feedback: Map<number, ArticleFeedback> | null;
}

/** Readers' clicks per article of a sent issue, as a chart; machines' apart. */
function Clicks(p: { articles: IssueArticleRow[]; feedback: Map<number, ArticleFeedback> }) {
  const shown = p.articles.filter((a) => !a.excluded && p.feedback.has(a.id));
  const total = shown.reduce((n, a) => n + p.feedback.get(a.id)!.clicks, 0);
  return (
    <section class="card" id="clicks">
      <h2>Readers’ clicks</h2>
      <p class="small muted">
        {f.num(total)} reader clicks on this issue’s stories; link scanners and prefetches are counted apart. Votes as ▲ more / ▼ less like this.
      </p>
      <HBarChart
        label="Reader clicks per article"
        stacked
        valueName="reader clicks"
        secondaryName="machine clicks"
        bars={shown.map((a) => {
          const fb = p.feedback.get(a.id)!;
          return { label: a.title, value: fb.clicks, secondary: fb.machine, note: fb.more || fb.less ? `· ▲${fb.more} ▼${fb.less}` : undefined };
        })}
      />
    </section>
  );
}

function IssuePage(p: { page: PageCtx; d: IssueData }) {
  const { issue, prog } = p.d;
  const tz = p.page.tz;
  const themes = (() => {
    try {
      return JSON.parse(issue.patternsJson) as Theme[];
    } catch {
      return [];
    }
  })();
  const busy = prog.queued + prog.sending > 0;
  return (
    <>
      <div class="page-head">
        <div>
          <div class="crumb">
            <a href="/admin/issues">Issues</a> / {f.issueDate(issue.date)} {issue.edition === 'weekly' ? <span class="badge weekly">weekly</span> : null} <span class={`badge ${issue.status}`} data-issue-status>
              {issue.status}
            </span>
          </div>
          <h1>{issue.subjectOverride ?? issue.subject}</h1>
          <p class="muted small">
            {f.count(p.d.articles.filter((a) => !a.excluded).length, 'article')} published {f.shortDateTime(issue.windowStart, tz)} – {f.dateTime(issue.cutoffAt, tz)}
            {issue.sentAt ? ` · sent ${f.dateTime(issue.sentAt, tz)}` : issue.sendStartedAt ? ` · sending since ${f.dateTime(issue.sendStartedAt, tz)}` : ''}
          </p>
        </div>
      </div>
      <div class="cols split">
        <div class="stack side">
          {issue.status === 'draft' ? (
            <DraftActions page={p.page} issue={issue} confirmed={p.d.confirmed} themes={themes} tests={p.d.tests} />
          ) : (
            <>
              <Progress issueId={issue.id} prog={prog} />
              <ResendActions issue={issue} reach={p.d.reach} busy={busy} />
              <Problems rows={p.d.problems} tz={tz} />
              <Reports counts={p.d.reportCounts} rows={p.d.reports} tz={tz} />
              {p.d.feedback ? <Clicks articles={p.d.articles} feedback={p.d.feedback} /> : null}
            </>
          )}
        </div>
        <div class="stack">
          <Preview issue={issue} view={p.d.view} text={p.d.text} />
          <Articles page={p.page} issue={issue} rows={p.d.articles} summaries={p.d.summaries} editorBy={p.d.editorBy} />
        </div>
      </div>
    </>
  );
}

type ResendKind = 'email' | 'failed' | 'missing';

function ResendConfirm(p: { page: PageCtx; issue: IssueRecord; kind: ResendKind; email?: string; reach: number; why?: string }) {
  const question =
    p.kind === 'email'
      ? `Send ${p.email} a new copy?`
      : p.kind === 'failed'
        ? 'Send again to every failed delivery?'
        : 'Send to the confirmed subscribers who have no copy yet?';
  return (
    <section class="card confirm-box">
      <div class="crumb">
        <a href={`/admin/issues/${p.issue.id}`}>{f.issueDate(p.issue.date)}</a> / Resend
      </div>
      <h1>{question}</h1>
      <div class="big">
        {f.num(p.reach)}
        <span class="unit">{p.reach === 1 ? 'person' : 'people'} will get it</span>
      </div>
      {p.why ? <div class="notice warn">{p.why}</div> : null}
      <form method="post" action={`/admin/issues/${p.issue.id}/resend`} class="actions">
        <Csrf token={p.page.csrf} />
        <input type="hidden" name="kind" value={p.kind} />
        {p.email ? <input type="hidden" name="email" value={p.email} /> : null}
        <button type="submit" disabled={p.reach === 0}>
          Resend to {f.count(p.reach, 'person', 'people')}
        </button>
        <a class="button secondary" href={`/admin/issues/${p.issue.id}`}>
          Cancel
        </a>
      </form>
    </section>
  );
}

function SendConfirm(p: { page: PageCtx; issue: IssueRecord; confirmed: number }) {
  return (
    <section class="card confirm-box">
      <div class="crumb">
        <a href={`/admin/issues/${p.issue.id}`}>{f.issueDate(p.issue.date)}</a> / Send
      </div>
      <h1>Send “{p.issue.subjectOverride ?? p.issue.subject}”?</h1>
      <div class="big">
        {f.num(p.confirmed)}
        <span class="unit">confirmed {p.confirmed === 1 ? 'subscriber' : 'subscribers'} will get it</span>
      </div>
      <p class="muted">Sending starts at once and cannot be undone; the issue can no longer be edited.</p>
      <form method="post" action={`/admin/issues/${p.issue.id}/send`} class="actions">
        <Csrf token={p.page.csrf} />
        <button type="submit" disabled={p.confirmed === 0}>
          Send now
        </button>
        <a class="button secondary" href={`/admin/issues/${p.issue.id}`}>
          Cancel
        </a>
      </form>
    </section>
  );
}

async function loadIssue(ctx: AppContext, c: Context<ConsoleEnv>): Promise<IssueRecord> {
  const issue = await getIssue(ctx, idParam(c.req.param('id')));
  if (!issue) throw notFound('There is no such issue.');
  return issue;
}

function previewParts(ctx: AppContext, issue: IssueRecord) {
  // The preview is nobody's copy: its unsubscribe link points at the landing page, as in the admin API.
  return personalize({ html: issue.html, text: issue.text }, { unsubscribeUrl: ctx.urls.home(), postalAddress: ctx.config.postalAddress });
}

/** Runs an edit and comes back to the issue page with what happened. */
async function applyEdit(c: Context<ConsoleEnv>, ctx: AppContext, id: number, edits: IssueEdits, done: string, anchor = ''): Promise<Response> {
  try {
    await editIssue(ctx, id, edits);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return redirectWith(c, `/admin/issues/${id}${anchor}`, 'error', err.message);
    throw err;
  }
  return redirectWith(c, `/admin/issues/${id}${anchor}`, 'ok', done);
}

async function formOf(c: Context<ConsoleEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
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

  admin.post('/issues/assemble', async (c) => {
    const form = await formOf(c);
    const date = (form.date ?? '').trim() || localDate(ctx.clock.now(), ctx.config.digestTimezone);
    if (!isIsoDate(date)) return redirectWith(c, '/admin/issues', 'error', 'Give the date as YYYY-MM-DD.');
    const weekly = form.edition === 'weekly';
    if (form.edition !== undefined && form.edition !== 'daily' && !weekly) return redirectWith(c, '/admin/issues', 'error', 'The edition is daily or weekly.');
    const r = weekly ? await (await import('../../issues/weekly.js')).assembleWeekly(ctx, date) : await (await import('../../issues/assemble.js')).assembleIssue(ctx, date);
    const what = weekly ? 'weekly issue' : 'issue';
    if (!r.issue) return redirectWith(c, '/admin/issues', 'warn', `No ${what} for ${date}: ${r.reason}.`);
    return redirectWith(c, `/admin/issues/${r.issue.id}`, 'ok', `The ${what} of ${f.issueDate(date)} is ready with ${f.count(r.issue.articleCount, 'article')}. Look it over, then send it.`);
  });

  admin.get('/issues/:id', async (c) => {
    const page = c.get('page');
    const issue = await loadIssue(ctx, c);
    const { loadIssueDigest } = await import('../../issues/stored.js');
    const draft = issue.status === 'draft';
    // One read of the issue's articles serves the ranked list and the digest (summaries, who wrote them).
    const [{ digest, articles }, prog, subs, failed, missing, tests, problems, reportCountMap, reports] = await Promise.all([
      loadIssueDigest(ctx, issue),
      sendProgress(ctx, issue.id, page.now),
      countSubscribersByStatus(ctx),
      resendReach(ctx, issue.id, { kind: 'failed' }),
      draft ? Promise.resolve(0) : resendReach(ctx, issue.id, { kind: 'missing' }),
      testSendsOf(ctx, issue.id),
      draft ? Promise.resolve([]) : problemDeliveries(ctx, issue.id),
      // A draft has no copies out, so no reports about them.
      draft ? Promise.resolve(new Map<number, { hard: number; soft: number; complaints: number }>()) : reportCounts(ctx, [issue.id]),
      draft ? Promise.resolve([]) : listReports(ctx, { issueId: issue.id, limit: 30 }),
    ]);
    // Links exist only for an issue sent with tracking on; without them there is nothing to chart.
    const fb = draft ? new Map<number, ArticleFeedback>() : await (await import('../../feedback/repo.js')).issueFeedback(ctx, issue.id);
    const view = c.req.query('view') === 'text' ? 'text' : 'html';
    const summaries: IssueData['summaries'] = new Map();
    for (const a of [...(digest.signal ? [digest.signal] : []), ...digest.deepDives]) summaries.set(a.id, { text: a.summary, by: a.summaryBy });
    const editorBy: IssueData['editorBy'] = {
      signalWhy: digest.signalWhy?.by ?? null,
      patterns: digest.patterns.note ? null : digest.patterns.paragraph.length ? digest.patterns.paragraphBy : null,
    };
    const data: IssueData = {
      issue,
      articles,
      prog,
      confirmed: subs.confirmed,
      reach: { failed, missing },
      tests,
      problems,
      reportCounts: reportCountMap.get(issue.id) ?? { hard: 0, soft: 0, complaints: 0 },
      reports,
      view,
      text: view === 'text' ? previewParts(ctx, issue).text : '',
      summaries,
      editorBy,
      feedback: fb.size ? fb : null,
    };
    return c.html(
      doc(
        <ConsoleLayout title={f.issueDate(issue.date)} section="issues" page={page} flash={takeFlash(c)}>
          <IssuePage page={page} d={data} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.get('/issues/:id/preview.html', async (c) => {
    const issue = await loadIssue(ctx, c);
    markMailFrame(c);
    return c.html(previewParts(ctx, issue).html);
  });

  admin.get('/issues/:id/progress.json', async (c) => {
    const issue = await loadIssue(ctx, c);
    const prog = await sendProgress(ctx, issue.id, ctx.clock.now());
    return c.json({ ...progressView(prog), counts: await issueDeliveryCounts(ctx, issue.id), issueStatus: prog.issueStatus, rate: prog.rate, etaMs: prog.etaMs });
  });

  admin.post('/issues/:id/signal', async (c) => {
    const issue = await loadIssue(ctx, c);
    const form = await formOf(c);
    const id = form.articleId ? Number(form.articleId) : null;
    const edits = parseEdits({ signalArticleId: id });
    return applyEdit(c, ctx, issue.id, edits, id ? 'Signal pinned; the preview is updated.' : 'The ranking chooses the signal again; the preview is updated.', '#articles');
  });

  admin.post('/issues/:id/exclude', async (c) => {
    const issue = await loadIssue(ctx, c);
    const form = await formOf(c);
    const articleId = Number(form.articleId);
    const rows = await getIssueArticles(ctx, issue.id);
    if (!rows.some((a) => a.id === articleId)) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', 'That article is not in this issue.');
    const excluded = new Set(rows.filter((a) => a.excluded).map((a) => a.id));
    if (form.exclude === '0') excluded.delete(articleId);
    else excluded.add(articleId);
    const edits = parseEdits({ excludeArticleIds: [...excluded] });
    return applyEdit(c, ctx, issue.id, edits, form.exclude === '0' ? 'Article included again.' : 'Article excluded from the issue.', '#articles');
  });

  admin.post('/issues/:id/summary', async (c) => {
    const issue = await loadIssue(ctx, c);
    const form = await formOf(c);
    const articleId = String(Number(form.articleId));
    let edits: IssueEdits;
    try {
      edits = parseEdits({ summaries: { [articleId]: form.reset === '1' ? null : (form.summary ?? '').trim() || null } });
    } catch (err) {
      if (err instanceof AppError) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', err.message);
      throw err;
    }
    return applyEdit(c, ctx, issue.id, edits, edits.summaries?.[articleId] ? 'Summary saved; the preview is updated.' : 'The summary is automatic again.', '#articles');
  });

  admin.post('/issues/:id/subject', async (c) => {
    const issue = await loadIssue(ctx, c);
    const form = await formOf(c);
    let edits: IssueEdits;
    try {
      edits = parseEdits({ subject: form.reset === '1' ? null : (form.subject ?? '') });
    } catch (err) {
      if (err instanceof AppError) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', err.message);
      throw err;
    }
    return applyEdit(c, ctx, issue.id, edits, form.reset === '1' ? 'The subject is automatic again.' : 'Subject saved.');
  });

  admin.post('/issues/:id/patterns', async (c) => {
    const issue = await loadIssue(ctx, c);
    const form = await formOf(c);
    let edits: IssueEdits;
    try {
      edits = parseEdits({ patternsNote: (form.note ?? '').trim() || null });
    } catch (err) {
      if (err instanceof AppError) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', err.message);
      throw err;
    }
    return applyEdit(c, ctx, issue.id, edits, edits.patternsNote ? 'Patterns note saved.' : 'The patterns section is automatic again.');
  });

  admin.post('/issues/:id/test', async (c) => {
    const issue = await loadIssue(ctx, c);
    const form = await formOf(c);
    try {
      const r = await sendTestCopy(ctx, issue.id, form.email ?? '');
      if (r.status === 'sent') return redirectWith(c, `/admin/issues/${issue.id}`, 'ok', `Test copy sent to ${r.email}.`);
      return redirectWith(c, `/admin/issues/${issue.id}`, 'error', `The test copy to ${r.email} failed: ${r.error ?? 'unknown error'}.`);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', err.message);
      throw err;
    }
  });

  admin.get('/issues/:id/send', async (c) => {
    const page = c.get('page');
    const issue = await loadIssue(ctx, c);
    if (issue.status !== 'draft') return c.redirect(`/admin/issues/${issue.id}`, 303);
    const subs = await countSubscribersByStatus(ctx);
    return c.html(
      doc(
        <ConsoleLayout title="Send" section="issues" page={page}>
          <SendConfirm page={page} issue={issue} confirmed={subs.confirmed} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.post('/issues/:id/send', async (c) => {
    const issue = await loadIssue(ctx, c);
    const r = await sendIssue(ctx, issue.id);
    if (r.alreadySent) return redirectWith(c, `/admin/issues/${issue.id}`, 'warn', 'This issue was already sent; use a resend to reach anyone new.');
    return redirectWith(
      c,
      `/admin/issues/${issue.id}`,
      'ok',
      r.queued ? `Sending to ${f.count(r.queued, 'subscriber')}.` : 'Sending was already under way; nobody was queued twice.',
    );
  });

  const parseKind = (v: string | undefined): ResendKind | null => (v === 'email' || v === 'failed' || v === 'missing' ? v : null);

  admin.get('/issues/:id/resend', async (c) => {
    const page = c.get('page');
    const issue = await loadIssue(ctx, c);
    const kind = parseKind(c.req.query('kind'));
    if (!kind) return c.redirect(`/admin/issues/${issue.id}`, 303);
    let email: string | undefined;
    let why: string | undefined;
    if (kind === 'email') {
      const e = normalizeEmail(c.req.query('email') ?? '');
      if (!e.ok) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', `That address does not work: ${e.error}`);
      email = e.email;
      const s = await subscriberStateByEmail(ctx, e.email);
      if (!s) why = 'No subscriber has this address. Send a test copy instead if you only want to show it to someone.';
      else if (s.status !== 'confirmed') why = `This subscriber is ${s.status}: resends never reach anyone who is not confirmed.`;
    }
    const reach = await resendReach(ctx, issue.id, kind === 'email' ? { kind, email: email! } : { kind });
    return c.html(
      doc(
        <ConsoleLayout title="Resend" section="issues" page={page}>
          <ResendConfirm page={page} issue={issue} kind={kind} email={email} reach={reach} why={why} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.post('/issues/:id/resend', async (c) => {
    const issue = await loadIssue(ctx, c);
    const form = await formOf(c);
    const kind = parseKind(form.kind);
    if (!kind) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', 'Choose whom to resend to.');
    let req: ResendRequest;
    if (kind === 'email') {
      const e = normalizeEmail(form.email ?? '');
      if (!e.ok) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', `That address does not work: ${e.error}`);
      req = { email: e.email };
    } else req = kind === 'failed' ? { failed: true } : { missing: true };
    try {
      const r = await resendIssue(ctx, issue.id, req, 'console');
      const who = kind === 'email' ? (req as { email: string }).email : kind === 'failed' ? 'the failed' : 'the missing';
      return redirectWith(c, `/admin/issues/${issue.id}`, r.queued ? 'ok' : 'warn', r.queued ? `Resending to ${who}: ${f.count(r.queued, 'copy', 'copies')} queued.` : `Nobody to resend to (${who}).`);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return redirectWith(c, `/admin/issues/${issue.id}`, 'error', err.message);
      throw err;
    }
  });
}
