/** @jsxImportSource hono/jsx */
import { listReports } from '../../deliveries/repo.js';
import type { ReportRow } from '../../deliveries/store.js';
import { subscriberJson } from '../admin-subscribers.js';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Hono } from 'hono';
import { stream } from 'hono/streaming';
import type { AppContext } from '../../context.js';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../../domain-types.js';
import { AppError, notFound } from '../../lib/errors.js';
import { describeImport, exportSubscribersCsv, importSubscribersCsv } from '../../subscribers/csv.js';
import {
  countSubscribersByStatus,
  eraseSubscriber,
  findSubscriberById,
  listConsentEvents,
  listSubscribers,
  unsubscribeSubscriber,
  type ConsentEvent,
  type Subscriber,
} from '../../subscribers/repo.js';
import { clientIp } from '../request.js';
import { takeFlash, redirectWith } from './flash.js';
import * as f from './format.js';
import type { ConsoleEnv } from './guard.js';
import { ConsoleLayout, Csrf, Empty, doc, type PageCtx } from './layout.js';
import { subscriberDeliveries, type SubscriberDelivery } from './repo.js';

const STATUS_LABEL: Record<SubscriberStatus, string> = {
  confirmed: 'Confirmed',
  pending: 'Pending',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
};

const EVENT_LABEL: Record<string, string> = {
  signup: 'Signed up',
  confirmation_sent: 'Confirmation mail sent',
  confirm: 'Confirmed their address',
  unsubscribe: 'Unsubscribed',
  admin_unsubscribe: 'Unsubscribed by the operator',
  import: 'Imported',
  bounce: 'Bounced',
  erase: 'Erased',
  soft_bounce: 'Soft bounce',
  complaint: 'Complained (marked as spam): unsubscribed',
  preferences: 'Changed their preferences',
};

/** Parses a positive integer id from a path segment; anything else is a 404. */
export function idParam(value: string | undefined): number {
  const n = Number(value);
  if (!value || !/^\d{1,15}$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw notFound('There is no such record.');
  return n;
}

function who(s: Subscriber): string {
  return s.email ?? `Erased subscriber #${s.id}`;
}

function SubscriberList(p: {
  page: PageCtx;
  rows: Subscriber[];
  counts: Record<SubscriberStatus, number>;
  status?: SubscriberStatus;
  q: string;
  cursor?: number;
  nextCursor: string | null;
  publicUrl: string;
}) {
  const total = SUBSCRIBER_STATUSES.reduce((a, s) => a + p.counts[s], 0);
  const link = (status?: string, extra: Record<string, string> = {}) => {
    const sp = new URLSearchParams();
    if (status) sp.set('status', status);
    if (p.q) sp.set('q', p.q);
    for (const [k, v] of Object.entries(extra)) sp.set(k, v);
    const s = sp.toString();
    return `/admin/subscribers${s ? `?${s}` : ''}`;
  };
  const zone = f.zoneName(p.page.now, p.page.tz);
  return (
    <>
      <ul class="chips" aria-label="Filter by state">
        <li>
          <a href={link()} aria-current={p.status ? undefined : 'true'}>
            All <span>{f.num(total)}</span>
          </a>
        </li>
        {SUBSCRIBER_STATUSES.map((s) => (
          <li>
            <a href={link(s)} aria-current={p.status === s ? 'true' : undefined}>
              {STATUS_LABEL[s]} <span>{f.num(p.counts[s])}</span>
            </a>
          </li>
        ))}
      </ul>
      <section class="card flush">
        <div class="card-head">
          <form method="get" action="/admin/subscribers" class="inline search" role="search">
            {p.status ? <input type="hidden" name="status" value={p.status} /> : null}
            <div class="grow">
              <label for="q" class="small">
                Search by address or name
              </label>
              <input id="q" name="q" type="search" value={p.q} placeholder="ann@example.com" maxlength={200} />
            </div>
            <button type="submit" class="secondary">
              Search
            </button>
            {p.q ? (
              <a class="button secondary" href={link(p.status)}>
                Clear
              </a>
            ) : null}
          </form>
        </div>
        <div class="section-gap"></div>
        {p.rows.length === 0 ? (
          total === 0 ? (
            <Empty title="No subscribers yet">
              <p>
                Share the signup page at <a href={p.publicUrl + '/'}>{p.publicUrl}/</a>, or import a CSV of addresses below.
              </p>
            </Empty>
          ) : (
            <Empty title={p.q ? `No subscriber matches “${p.q}”` : `No ${p.status ? STATUS_LABEL[p.status].toLowerCase() : ''} subscribers`} next={{ href: '/admin/subscribers', label: 'Show everyone' }}>
              <p>Try part of the address, or another state.</p>
            </Empty>
          )
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th>Address</th>
                  <th class="hide-sm">Name</th>
                  <th>State</th>
                  <th class="hide-sm">Joined ({zone})</th>
                  <th class="hide-sm">Confirmed ({zone})</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((s) => (
                  <tr>
                    <td>
                      <a href={`/admin/subscribers/${s.id}`}>{who(s)}</a>
                    </td>
                    <td class="hide-sm">{s.name ?? <span class="faint">—</span>}</td>
                    <td>
                      <span class={`badge ${s.status}`}>{STATUS_LABEL[s.status]}</span>
                    </td>
                    <td class="hide-sm nowrap">{f.shortDateTime(s.createdAt, p.page.tz)}</td>
                    <td class="hide-sm nowrap">{f.shortDateTime(s.confirmedAt, p.page.tz)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {p.cursor || p.nextCursor ? (
          <div class="pager">
            {p.cursor ? <a href={link(p.status)}>← First page</a> : <span></span>}
            {p.nextCursor ? <a href={link(p.status, { cursor: p.nextCursor })}>Next page →</a> : <span class="faint">End of list</span>}
          </div>
        ) : null}
      </section>
      <div class="grid section-gap">
        <section class="card" id="import">
          <h2>Import a CSV</h2>
          <form method="post" action="/admin/subscribers/import" enctype="multipart/form-data">
            <Csrf token={p.page.csrf} />
            <div class="field">
              <label for="file">File</label>
              <input id="file" name="file" type="file" accept=".csv,text/csv,text/plain" required />
              <p class="hint">
                Columns email,name (header row optional), or an export of this console: its status and consent times are kept. Up to
                25 MB. Addresses already on the list are skipped, and nobody who unsubscribed, bounced or was erased is brought back.
              </p>
            </div>
            <div class="field">
              <label class="check">
                <input type="checkbox" name="confirmed" value="1" /> They already agreed to receive it: import rows without a status as
                confirmed, send no confirmation mail
              </label>
              <p class="hint">Unticked, each new address gets a confirmation mail and stays pending until it is clicked.</p>
            </div>
            <button type="submit">Import</button>
          </form>
        </section>
        <section class="card" id="embed">
          <h2>Put the signup form on your own site</h2>
          <p class="muted">
            Paste this into any page. Add that site's origin (for example https://www.example.com) to <code>SIGNUP_ORIGINS</code>, or its
            posts are refused as cross-site. A visitor presses one more button on {p.publicUrl} to finish, then confirms by mail.
          </p>
          <pre class="snippet">
            <code>{embedSnippet(p.publicUrl)}</code>
          </pre>
        </section>
        <section class="card">
          <h2>Export</h2>
          <p class="muted">Every subscriber with their state and consent times, as CSV (erased subscribers are left out).</p>
          <a class="button secondary" href="/admin/subscribers/export.csv">
            Download subscribers.csv
          </a>
        </section>
      </div>
    </>
  );
}

/** The copy-paste HTML of the signup form for another site (no token there: the "One more step" page completes it). */
export function embedSnippet(publicUrl: string): string {
  return [
    `<form method="post" action="${publicUrl}/subscribe">`,
    `  <label>Email <input type="email" name="email" required autocomplete="email"></label>`,
    `  <label>Name (optional) <input type="text" name="name" autocomplete="name"></label>`,
    `  <input type="text" name="website" tabindex="-1" autocomplete="off" style="position:absolute;left:-9999px" aria-hidden="true">`,
    `  <button type="submit">Subscribe</button>`,
    `</form>`,
  ].join('\n');
}

function Timeline(p: { events: ConsentEvent[]; tz: string }) {
  if (!p.events.length) return <p class="muted">No consent events recorded.</p>;
  return (
    <ul class="timeline">
      {[...p.events].reverse().map((e) => (
        <li>
          <div>
            <b>{EVENT_LABEL[e.type] ?? e.type}</b>
            {e.detail ? <span class="muted"> · {e.detail}</span> : null}
          </div>
          <div class="when">
            {f.dateTime(e.at, p.tz)}
            {e.ip ? ` · from ${e.ip}` : ''}
            {e.page ? ` · on ${e.page}` : ''}
            {e.consentTextVersion ? ` · consent text ${e.consentTextVersion}` : ''}
          </div>
        </li>
      ))}
    </ul>
  );
}

function DeliveryTable(p: { rows: SubscriberDelivery[]; tz: string }) {
  if (!p.rows.length) return <Empty title="No deliveries yet">{<p>Issues sent while they are confirmed will appear here.</p>}</Empty>;
  return (
    <div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th>Issue</th>
            <th>State</th>
            <th>SMTP answer</th>
            <th class="num hide-sm">Attempts</th>
            <th class="hide-sm">Sent ({f.zoneName(Date.now(), p.tz)})</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((d) => (
            <tr>
              <td class="nowrap">
                <a href={`/admin/issues/${d.issueId}`}>{d.date}</a>
              </td>
              <td>
                <span class={`badge ${d.status}`}>{d.status}</span>
                {d.uncertain ? <div class="small muted">{f.count(d.uncertain, 'uncertain copy', 'uncertain copies')}</div> : null}
                {d.resends ? <div class="small muted">{f.count(d.resends, 'resend')}</div> : null}
              </td>
              <td class="mono small">{d.smtpResponse ?? d.lastError ?? <span class="faint">—</span>}</td>
              <td class="num hide-sm">{f.num(d.attempts)}</td>
              <td class="hide-sm nowrap">{f.shortDateTime(d.sentAt, p.tz)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SubscriberDetail(p: { page: PageCtx; s: Subscriber; events: ConsentEvent[]; deliveries: SubscriberDelivery[]; reports: ReportRow[] }) {
  const s = p.s;
  const tz = p.page.tz;
  const active = s.status === 'confirmed' || s.status === 'pending';
  return (
    <>
      <div class="page-head">
        <div>
          <div class="crumb">
            <a href="/admin/subscribers">Subscribers</a> / #{s.id} <span class={`badge ${s.status}`}>{STATUS_LABEL[s.status]}</span>
          </div>
          <h1>{who(s)}</h1>
        </div>
      </div>
      <div class="cols split">
        <div class="stack side">
          <section class="card">
            <h2>Details</h2>
            <dl class="facts">
              <dt>Name</dt>
              <dd>{s.name ?? '—'}</dd>
              <dt>Joined</dt>
              <dd>{f.dateTime(s.createdAt, tz)}</dd>
              <dt>Confirmed</dt>
              <dd>{f.dateTime(s.confirmedAt, tz)}</dd>
              <dt>Consent</dt>
              <dd>{s.consentSource === 'import' ? 'imported by the operator' : s.consentSource === 'double_opt_in' ? 'double opt-in' : '—'}</dd>
              {s.unsubscribedAt ? (
                <>
                  <dt>Unsubscribed</dt>
                  <dd>{f.dateTime(s.unsubscribedAt, tz)}</dd>
                </>
              ) : null}
              {s.bouncedAt ? (
                <>
                  <dt>Bounced</dt>
                  <dd>{f.dateTime(s.bouncedAt, tz)}</dd>
                </>
              ) : null}
              {s.erasedAt ? (
                <>
                  <dt>Erased</dt>
                  <dd>{f.dateTime(s.erasedAt, tz)}</dd>
                </>
              ) : null}
            </dl>
          </section>
          <section class="card">
            <h2>Actions</h2>
            {active ? (
              <form method="post" action={`/admin/subscribers/${s.id}/unsubscribe`} class="field">
                <Csrf token={p.page.csrf} />
                <button type="submit" class="secondary">
                  Unsubscribe on their behalf
                </button>
                <p class="hint">They get no more issues; queued copies are skipped. Recorded in their history.</p>
              </form>
            ) : null}
            {s.erasedAt ? (
              <p class="muted">Erased: only anonymous delivery counts remain.</p>
            ) : (
              <>
                <div class="field">
                  <a class="button secondary" href={`/admin/subscribers/${s.id}/export.json`}>
                    Export their data (JSON)
                  </a>
                  <p class="hint">Everything stored about them: details, consent history, deliveries.</p>
                </div>
                <div class="field">
                  <a class="button danger" href={`/admin/subscribers/${s.id}/erase`}>
                    Erase…
                  </a>
                  <p class="hint">Removes the address and name for good (GDPR); delivery counts stay, anonymous.</p>
                </div>
              </>
            )}
          </section>
        </div>
        <div class="stack">
          <section class="card">
            <h2>Consent history</h2>
            <Timeline events={p.events} tz={tz} />
          </section>
          <section class="card flush">
            <h2>Deliveries</h2>
            <DeliveryTable rows={p.deliveries} tz={tz} />
          </section>
          {p.reports.length ? (
            <section class="card" id="reports">
              <h2>Bounce and complaint reports</h2>
              <ul class="timeline">
                {p.reports.map((r) => (
                  <li>
                    <div>
                      <b>{r.kind === 'hard' ? 'Hard bounce' : r.kind === 'soft' ? 'Soft bounce' : r.kind === 'complaint' ? 'Complaint' : r.kind === 'unsubscribe' ? 'Unsubscribe by mail' : r.kind}</b>
                      {r.issueId ? <a href={`/admin/issues/${r.issueId}`}> · issue {r.issueId}</a> : null}
                      <span class="muted"> · {r.action}</span>
                    </div>
                    <div class="when">
                      {f.dateTime(r.receivedAt, tz)} · {r.channel}
                      {r.status ? ` · ${r.status}` : ''}
                      {r.detail ? ` · ${r.detail}` : ''}
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>
      </div>
    </>
  );
}

function EraseConfirm(p: { page: PageCtx; s: Subscriber; deliveries: number }) {
  return (
    <section class="card confirm-box">
      <div class="crumb">
        <a href={`/admin/subscribers/${p.s.id}`}>{who(p.s)}</a> / Erase
      </div>
      <h1>Erase {who(p.s)}?</h1>
      <p>
        Their address and name are removed and cannot be brought back. They stop receiving issues. Their{' '}
        {f.count(p.deliveries, 'delivery', 'deliveries')} stay in the counts without any link to a person.
      </p>
      <form method="post" action={`/admin/subscribers/${p.s.id}/erase`} class="actions">
        <Csrf token={p.page.csrf} />
        <button type="submit" class="danger">
          Erase for good
        </button>
        <a class="button secondary" href={`/admin/subscribers/${p.s.id}`}>
          Cancel
        </a>
      </form>
    </section>
  );
}

/** Subscribers: list, search, filter, history, unsubscribe, export, erase, CSV import and export. */
export function registerSubscriberPages(admin: Hono<ConsoleEnv>, ctx: AppContext): void {
  admin.get('/subscribers', async (c) => {
    const page = c.get('page');
    const statusText = c.req.query('status');
    const status = SUBSCRIBER_STATUSES.includes(statusText as SubscriberStatus) ? (statusText as SubscriberStatus) : undefined;
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const cursorText = c.req.query('cursor') ?? '';
    const cursor = /^\d{1,15}$/.test(cursorText) ? Number(cursorText) : undefined;
    const [list, counts] = await Promise.all([
      listSubscribers(ctx, { status, search: q || undefined, cursor, limit: 50 }),
      countSubscribersByStatus(ctx),
    ]);
    return c.html(
      doc(
        <ConsoleLayout title="Subscribers" section="subscribers" page={page} flash={takeFlash(c)}>
          <div class="page-head">
            <h1>Subscribers</h1>
            <div class="actions">
              <a class="button secondary" href="/admin/subscribers/export.csv">
                Export CSV
              </a>
              <a class="button secondary" href="#import">
                Import CSV
              </a>
            </div>
          </div>
          <SubscriberList
            page={page}
            rows={list.subscribers}
            counts={counts}
            status={status}
            q={q}
            cursor={cursor}
            nextCursor={list.nextCursor}
            publicUrl={ctx.config.publicUrl}
          />
        </ConsoleLayout>,
      ),
    );
  });

  admin.get('/subscribers/export.csv', (c) => {
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="subscribers-${new Date(ctx.clock.now()).toISOString().slice(0, 10)}.csv"`);
    return stream(c, async (s) => {
      for await (const chunk of exportSubscribersCsv(ctx)) await s.write(chunk);
    });
  });

  admin.post('/subscribers/import', async (c) => {
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File) || file.size === 0) return redirectWith(c, '/admin/subscribers#import', 'error', 'Choose a CSV file to import.');
    const confirmed = form.confirmed === '1';
    const result = await importSubscribersCsv(ctx, Readable.fromWeb(file.stream() as NodeReadableStream), { confirmed });
    const parts = [describeImport(result).replace(/^imported/, 'Imported')];
    if (result.errors.length) {
      const shown = result.errors.slice(0, 3).map((e) => `line ${e.line}: ${e.error}`);
      parts.push(`Refused rows: ${shown.join('; ')}${result.errors.length > 3 ? '; …' : ''}`);
    }
    return redirectWith(c, '/admin/subscribers', result.refused ? 'warn' : 'ok', parts.join('. ') + '.');
  });

  admin.get('/subscribers/:id', async (c) => {
    const page = c.get('page');
    const s = await findSubscriberById(ctx, idParam(c.req.param('id')));
    if (!s) throw notFound('There is no such subscriber.');
    const [events, deliveries, reports] = await Promise.all([listConsentEvents(ctx, s.id), subscriberDeliveries(ctx, s.id), listReports(ctx, { subscriberId: s.id, limit: 50 })]);
    return c.html(
      doc(
        <ConsoleLayout title={who(s)} section="subscribers" page={page} flash={takeFlash(c)}>
          <SubscriberDetail page={page} s={s} events={events} deliveries={deliveries} reports={reports} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.get('/subscribers/:id/export.json', async (c) => {
    const s = await findSubscriberById(ctx, idParam(c.req.param('id')));
    if (!s || s.erasedAt) throw notFound('There is no such subscriber.');
    const [events, deliveries] = await Promise.all([listConsentEvents(ctx, s.id), subscriberDeliveries(ctx, s.id, 100_000)]);
    const iso = (t: number | null) => (t ? new Date(t).toISOString() : null);
    const data = {
      exportedAt: new Date(ctx.clock.now()).toISOString(),
      newsletter: ctx.config.newsletterName,
      subscriber: subscriberJson(s),
      consentEvents: events.map((e) => ({
        type: e.type,
        at: iso(e.at),
        ip: e.ip,
        userAgent: e.userAgent,
        page: e.page,
        consentTextVersion: e.consentTextVersion,
        detail: e.detail,
      })),
      deliveries: deliveries.map((d) => ({
        issueDate: d.date,
        subject: d.subject,
        status: d.status,
        attempts: d.attempts,
        smtpResponse: d.smtpResponse,
        sentAt: iso(d.sentAt),
      })),
    };
    c.header('Content-Disposition', `attachment; filename="subscriber-${s.id}.json"`);
    return c.json(data);
  });

  admin.post('/subscribers/:id/unsubscribe', async (c) => {
    const id = idParam(c.req.param('id'));
    const res = await unsubscribeSubscriber(
      ctx,
      id,
      ctx.clock.now(),
      { ip: clientIp(c, ctx.config.trustProxy), userAgent: c.req.header('user-agent') ?? null, page: 'console', detail: 'by the operator in the console' },
      'admin_unsubscribe',
    );
    if (!res.subscriber) throw notFound('There is no such subscriber.');
    return redirectWith(
      c,
      `/admin/subscribers/${id}`,
      'ok',
      res.changed ? `${who(res.subscriber)} is unsubscribed and will get no more issues.` : `${who(res.subscriber)} was already unsubscribed.`,
    );
  });

  admin.get('/subscribers/:id/erase', async (c) => {
    const page = c.get('page');
    const s = await findSubscriberById(ctx, idParam(c.req.param('id')));
    if (!s) throw notFound('There is no such subscriber.');
    if (s.erasedAt) return c.redirect(`/admin/subscribers/${s.id}`, 303);
    const deliveries = await subscriberDeliveries(ctx, s.id, 100_000);
    return c.html(
      doc(
        <ConsoleLayout title={`Erase ${who(s)}`} section="subscribers" page={page}>
          <EraseConfirm page={page} s={s} deliveries={deliveries.length} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.post('/subscribers/:id/erase', async (c) => {
    const id = idParam(c.req.param('id'));
    const s = await findSubscriberById(ctx, id);
    if (!s) throw notFound('There is no such subscriber.');
    const changed = await eraseSubscriber(ctx, id, ctx.clock.now());
    if (!changed && !s.erasedAt) throw new AppError(409, 'NOT_ERASED', 'The subscriber could not be erased.');
    return redirectWith(c, '/admin/subscribers', 'ok', `Subscriber #${id} is erased: address and name removed, delivery counts kept anonymously.`);
  });
}
