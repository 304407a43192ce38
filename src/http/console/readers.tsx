/** @jsxImportSource hono/jsx */
// GET /admin/readers: who reads and what they valued. Readers over time (and the weekly ones), clicks per issue,
// per source and per article over the last 30 days, votes, and the source weights learned from them, which change
// the ranking only once the operator accepts them (POST /admin/readers/weights/:id).
import type { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { FeedbackRow, SubscriberSpan } from '../../feedback/store.js';
import { ColumnChart, HBarChart, LineChart } from './charts.js';
import { redirectWith, takeFlash } from './flash.js';
import type { ConsoleEnv } from './guard.js';
import { ConsoleLayout, Csrf, doc } from './layout.js';

const DAY = 86_400_000;
/** The window the charts and the learned weights look at. */
export const FEEDBACK_DAYS = 30;
const GROWTH_DAYS = 90;

/** Readers on each of the last `days` days (by confirmation and leaving), and the weekly readers among them now. */
export function readersOverTime(spans: SubscriberSpan[], now: number, days: number, tz: string): { days: string[]; total: number[]; weekly: number[] } {
  const label = (t: number) => new Date(t).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: tz });
  const out = { days: [] as string[], total: [] as number[], weekly: [] as number[] };
  for (let i = days - 1; i >= 0; i--) {
    const end = now - i * DAY;
    let total = 0;
    let weekly = 0;
    for (const s of spans) {
      if (s.confirmedAt > end || (s.leftAt !== null && s.leftAt <= end)) continue;
      total++;
      // The frequency is known as it is now: a reader's earlier choice is on their history, not in this chart.
      if (s.frequency === 'weekly') weekly++;
    }
    out.days.push(label(end));
    out.total.push(total);
    out.weekly.push(weekly);
  }
  return out;
}

/** Rows summed by a key, in first-seen order. */
function sumBy<K>(rows: FeedbackRow[], key: (r: FeedbackRow) => K) {
  const m = new Map<K, { clicks: number; machine: number; more: number; less: number; first: FeedbackRow }>();
  for (const r of rows) {
    const k = key(r);
    const e = m.get(k) ?? m.set(k, { clicks: 0, machine: 0, more: 0, less: 0, first: r }).get(k)!;
    e.clicks += r.clicks;
    e.machine += r.machine;
    e.more += r.more;
    e.less += r.less;
  }
  return m;
}

export function registerReadersPage(admin: Hono<ConsoleEnv>, ctx: AppContext): void {
  admin.get('/readers', async (c) => {
    const page = c.get('page');
    const now = ctx.clock.now();
    const [{ feedbackRows, sourceWeights, subscriberSpans }, { suggestWeights }] = await Promise.all([import('../../feedback/repo.js'), import('../../feedback/weights.js')]);
    const [rows, sources, spans] = await Promise.all([feedbackRows(ctx, now - FEEDBACK_DAYS * DAY), sourceWeights(ctx), subscriberSpans(ctx)]);
    const growth = readersOverTime(spans, now, GROWTH_DAYS, ctx.config.digestTimezone);
    const current = spans.filter((s) => s.leftAt === null && s.status === 'confirmed');
    const weekly = current.filter((s) => s.frequency === 'weekly').length;
    const totals = rows.reduce((t, r) => ({ clicks: t.clicks + r.clicks, machine: t.machine + r.machine, more: t.more + r.more, less: t.less + r.less }), { clicks: 0, machine: 0, more: 0, less: 0 });
    const perIssue = [...sumBy(rows, (r) => r.issueId).values()].slice(-30);
    const perArticle = [...sumBy(rows, (r) => `${r.issueId}:${r.articleId}`).values()].sort((a, b) => b.clicks - a.clicks || b.more - a.more).slice(0, 10);
    const learned = suggestWeights(rows, sources);
    const bySource = learned.filter((s) => s.stories > 0).sort((a, b) => b.clicks - a.clicks || a.name.localeCompare(b.name));
    const tracking = ctx.config.tracking;
    const date = (r: FeedbackRow) => `${new Date(`${r.date}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' })}${r.edition === 'weekly' ? ' (weekly)' : ''}`;
    return c.html(
      doc(
        <ConsoleLayout title="Readers" section="readers" page={page} flash={takeFlash(c)}>
          <div class="page-head">
            <div>
              <h1>Readers</h1>
              <p class="muted small">
                Who reads, and what they valued in the last {FEEDBACK_DAYS} days. Machine clicks (link scanners, prefetches, clicks seconds after delivery) are counted apart and left out of
                everything that learns.
              </p>
            </div>
            <span class={`badge ${tracking === 'off' ? 'warn' : 'ok'}`}>TRACKING={tracking}</span>
          </div>
          {tracking === 'off' ? (
            <p class="notice warn">
              Tracking is off: no link is rewritten and no click is stored. Set <span class="mono">TRACKING=counts</span> (totals only) or <span class="mono">TRACKING=subscriber</span> to learn
              from readers.
            </p>
          ) : null}
          <div class="stack">
          <div class="grid kpis">
            <section class="card">
              <p class="kicker">Readers</p>
              <div class="big">{current.length.toLocaleString('en')}</div>
              <p class="small muted">
                {(current.length - weekly).toLocaleString('en')} daily · {weekly.toLocaleString('en')} weekly
              </p>
            </section>
            <section class="card">
              <p class="kicker">Reader clicks, {FEEDBACK_DAYS} days</p>
              <div class="big">{totals.clicks.toLocaleString('en')}</div>
              <p class="small muted">{totals.machine.toLocaleString('en')} machine clicks apart</p>
            </section>
            <section class="card">
              <p class="kicker">Votes, {FEEDBACK_DAYS} days</p>
              <div class="big">
                +{totals.more} <span class="unit">/ −{totals.less}</span>
              </div>
              <p class="small muted">more / less like this</p>
            </section>
          </div>
          <div class="cols">
            <section class="card" id="growth">
              <h2>Readers over {GROWTH_DAYS} days</h2>
              <LineChart
                label="Confirmed readers per day"
                days={growth.days}
                series={[
                  { name: 'all readers', values: growth.total, cls: 'c-main' },
                  { name: 'weekly', values: growth.weekly, cls: 'c-second' },
                ]}
              />
            </section>
            <section class="card" id="per-issue">
              <h2>Clicks per issue</h2>
              {perIssue.length ? (
                <ColumnChart
                  label="Reader clicks per issue"
                  valueName="reader clicks"
                  secondaryName="machine clicks"
                  points={perIssue.map((e) => ({ label: date(e.first), value: e.clicks, secondary: e.machine, note: `▲${e.more} ▼${e.less}` }))}
                />
              ) : (
                <p class="muted">No issue was sent in the last {FEEDBACK_DAYS} days.</p>
              )}
            </section>
          </div>
          <div class="cols">
            <section class="card" id="per-article">
              <h2>Most-clicked stories</h2>
              {perArticle.some((e) => e.clicks || e.machine) ? (
                <HBarChart
                  label="Reader clicks per story"
                  stacked
                  valueName="reader clicks"
                  secondaryName="machine clicks"
                  bars={perArticle.map((e) => ({
                    label: `${e.first.title} (${e.first.sourceName})`,
                    href: `/admin/issues/${e.first.issueId}`,
                    value: e.clicks,
                    secondary: e.machine,
                    note: e.more || e.less ? `· ▲${e.more} ▼${e.less}` : undefined,
                  }))}
                />
              ) : (
                <p class="muted">No clicks yet.</p>
              )}
            </section>
            <section class="card" id="per-source">
              <h2>Clicks per source</h2>
              {bySource.some((s) => s.clicks || s.machine) ? (
                <HBarChart
                  label="Reader clicks per source"
                  valueName="reader clicks"
                  secondaryName="machine clicks"
                  bars={bySource.slice(0, 15).map((s) => ({ label: s.name, value: s.clicks, secondary: s.machine, note: s.more || s.less ? `· ▲${s.more} ▼${s.less}` : undefined }))}
                />
              ) : (
                <p class="muted">No clicks yet.</p>
              )}
            </section>
          </div>
          <section class="card" id="weights">
            <h2>Learned source weights</h2>
            <p class="muted small">
              The ranking multiplies a source’s OPML weight by its learned weight once you accept it (shown as the “readers” part of each score). The OPML weight stays yours; a learned
              weight can be cleared at any time.
            </p>
            <ul class="checks weights">
              {learned.map((s) => (
                <li data-source={s.name}>
                  <div class="check-head">
                    <b>{s.name}</b>
                    <span class="small muted">
                      OPML ×{s.weight.toFixed(1)}
                      {s.feedbackWeight != null ? ` · learned ×${s.feedbackWeight.toFixed(2)}` : ''}
                    </span>
                  </div>
                  <p>
                    {s.stories} {s.stories === 1 ? 'story' : 'stories'} · {s.delivered ? `${((s.clicks / s.delivered) * 1000).toFixed(1)} reader clicks per 1,000 copies` : 'no copies sent'} · {s.why}
                  </p>
                  <div class="weight-actions">
                    {s.suggested !== null && s.suggested !== s.feedbackWeight ? (
                      <form method="post" action={`/admin/readers/weights/${s.id}`}>
                        <Csrf token={page.csrf} />
                        <input type="hidden" name="weight" value={String(s.suggested)} />
                        <button type="submit" class="secondary small">
                          Accept ×{s.suggested.toFixed(2)}
                        </button>
                      </form>
                    ) : null}
                    {s.feedbackWeight != null ? (
                      <form method="post" action={`/admin/readers/weights/${s.id}`}>
                        <Csrf token={page.csrf} />
                        <input type="hidden" name="weight" value="" />
                        <button type="submit" class="secondary small">
                          Clear
                        </button>
                      </form>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          </section>
          </div>
        </ConsoleLayout>,
      ),
    );
  });

  admin.post('/readers/weights/:id', async (c) => {
    const id = Number(c.req.param('id'));
    const form = await c.req.parseBody();
    const raw = typeof form.weight === 'string' ? form.weight.trim() : '';
    const { WEIGHT_RANGE } = await import('../../feedback/weights.js');
    const weight = raw === '' ? null : Number(raw);
    if (!Number.isInteger(id) || id <= 0 || (weight !== null && !(Number.isFinite(weight) && weight >= WEIGHT_RANGE[0] && weight <= WEIGHT_RANGE[1])))
      return redirectWith(c, '/admin/readers#weights', 'error', `A learned weight is between ${WEIGHT_RANGE[0]} and ${WEIGHT_RANGE[1]}.`);
    const { setFeedbackWeight } = await import('../../feedback/repo.js');
    if (!(await setFeedbackWeight(ctx, id, weight))) return redirectWith(c, '/admin/readers#weights', 'error', 'No such source.');
    ctx.log.info({ sourceId: id, feedbackWeight: weight }, weight === null ? 'learned source weight cleared' : 'learned source weight accepted');
    return redirectWith(c, '/admin/readers#weights', 'ok', weight === null ? 'Learned weight cleared: the OPML weight alone ranks this source again.' : `Learned weight ×${weight.toFixed(2)} accepted: the next issues rank with it.`);
  });
}
