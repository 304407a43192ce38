/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import { notFound } from '../../lib/errors.js';
import { listOutbox, readOutboxFile } from '../../mail/outbox.js';
import { takeFlash } from './flash.js';
import * as f from './format.js';
import { markMailFrame, type ConsoleEnv } from './guard.js';
import { ConsoleLayout, Empty, doc, type PageCtx } from './layout.js';
import { parseMail, type ParsedMail } from './mime.js';

const PAGE_SIZE = 50;

function OutboxList(p: { page: PageCtx; rows: { name: string; size: number; mtime: number; mail: ParsedMail | null }[]; total: number; pageNo: number; dir: string }) {
  const pages = Math.max(1, Math.ceil(p.total / PAGE_SIZE));
  const zone = f.zoneName(p.page.now, p.page.tz);
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Outbox</h1>
          <p class="muted small">
            No SMTP_URL is set, so every mail is written to <span class="mono">{p.dir}</span> instead of being sent. Newest first.
          </p>
        </div>
        <span class="muted">{f.count(p.total, 'mail')}</span>
      </div>
      <section class="card flush">
        {p.rows.length === 0 ? (
          <Empty title="The outbox is empty" next={{ href: '/admin/issues', label: 'Go to Issues' }}>
            <p>Mails appear here when someone signs up, or when you send a test copy or an issue from the Issues page.</p>
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="data">
              <thead>
                <tr>
                  <th>Subject</th>
                  <th class="hide-sm">To</th>
                  <th>Written ({zone})</th>
                  <th class="num hide-sm">Size</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr>
                    <td class="title-cell">
                      <a href={`/admin/outbox/${encodeURIComponent(r.name)}`}>{r.mail?.subject || '(no subject)'}</a>
                      <div class="meta show-sm">{r.mail?.to || '—'}</div>
                    </td>
                    <td class="hide-sm">{r.mail?.to || <span class="faint">—</span>}</td>
                    <td class="nowrap">{f.shortDateTime(r.mtime, p.page.tz)}</td>
                    <td class="num hide-sm">{f.bytes(r.size)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 ? (
          <div class="pager">
            {p.pageNo > 1 ? <a href={`/admin/outbox?page=${p.pageNo - 1}`}>← Newer</a> : <span></span>}
            <span class="muted">
              Page {p.pageNo} of {pages}
            </span>
            {p.pageNo < pages ? <a href={`/admin/outbox?page=${p.pageNo + 1}`}>Older →</a> : <span></span>}
          </div>
        ) : null}
      </section>
    </>
  );
}

const SHOWN_HEADERS = ['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id'];

function OutboxMail(p: { page: PageCtx; name: string; mail: ParsedMail; view: 'html' | 'text' }) {
  const enc = encodeURIComponent(p.name);
  const view = p.mail.html === null ? 'text' : p.view;
  return (
    <>
      <div class="page-head">
        <div>
          <div class="crumb">
            <a href="/admin/outbox">Outbox</a> / mail
          </div>
          <h1>{p.mail.subject || '(no subject)'}</h1>
          <p class="muted">To {p.mail.to || '—'}</p>
        </div>
        <a class="button secondary" href={`/admin/outbox/${enc}/raw`}>
          Download .eml
        </a>
      </div>
      <div class="cols">
        <section class="card flush">
          <nav class="preview-tabs" aria-label="Part">
            {p.mail.html !== null ? (
              <a href={`/admin/outbox/${enc}`} aria-current={view === 'html' ? 'page' : undefined}>
                HTML
              </a>
            ) : null}
            <a href={`/admin/outbox/${enc}?view=text`} aria-current={view === 'text' ? 'page' : undefined}>
              Text
            </a>
          </nav>
          {view === 'html' ? (
            <iframe
              class="preview"
              title="The HTML part as the recipient sees it"
              src={`/admin/outbox/${enc}/html`}
              sandbox="allow-popups allow-popups-to-escape-sandbox"
              referrerpolicy="no-referrer"
            ></iframe>
          ) : (
            <pre class="text-part">{p.mail.text ?? '(this mail has no text part)'}</pre>
          )}
        </section>
        <section class="card">
          <h2>Headers</h2>
          <dl class="facts headers">
            {p.mail.headers
              .filter((h) => SHOWN_HEADERS.includes(h.name.toLowerCase()))
              .sort((a, b) => SHOWN_HEADERS.indexOf(a.name.toLowerCase()) - SHOWN_HEADERS.indexOf(b.name.toLowerCase()))
              .map((h) => (
                <>
                  <dt>{h.name}</dt>
                  <dd class="mono">{h.name.toLowerCase() === 'date' && !Number.isNaN(Date.parse(h.value)) ? f.dateTime(Date.parse(h.value), p.page.tz) : h.value}</dd>
                </>
              ))}
          </dl>
          <p class="hint">
            Parts: {p.mail.html !== null ? 'HTML' : 'no HTML'}, {p.mail.text !== null ? 'text' : 'no text'}
            {p.mail.attachments ? `, ${f.count(p.mail.attachments, 'attachment')}` : ''}.
          </p>
        </section>
      </div>
    </>
  );
}

/** Outbox (only when no SMTP is configured): the .eml files, newest first, each viewable as sent. */
export function registerOutboxPages(admin: Hono<ConsoleEnv>, ctx: AppContext): void {
  const dir = ctx.config.outboxDir;
  const enabled = () => {
    if (ctx.mailer.kind !== 'outbox') throw notFound('There is no outbox: mail goes out over SMTP (SMTP_URL is set).');
  };
  const load = (name: string) => {
    const raw = readOutboxFile(dir, name);
    if (!raw) throw notFound('There is no such mail in the outbox.');
    return raw;
  };

  admin.get('/outbox', (c) => {
    enabled();
    const page = c.get('page');
    const all = listOutbox(dir, 1_000_000);
    const pageNo = Math.max(1, Math.min(Number.parseInt(c.req.query('page') ?? '1', 10) || 1, Math.ceil(all.length / PAGE_SIZE) || 1));
    const rows = all.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE).map((e) => {
      const raw = readOutboxFile(dir, e.name);
      return { ...e, mail: raw ? parseMail(raw) : null };
    });
    return c.html(
      doc(
        <ConsoleLayout title="Outbox" section="outbox" page={page} flash={takeFlash(c)}>
          <OutboxList page={page} rows={rows} total={all.length} pageNo={pageNo} dir={dir} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.get('/outbox/:name', (c) => {
    enabled();
    const page = c.get('page');
    const name = c.req.param('name');
    const mail = parseMail(load(name));
    const view = c.req.query('view') === 'text' ? 'text' : 'html';
    return c.html(
      doc(
        <ConsoleLayout title={mail.subject || 'Mail'} section="outbox" page={page}>
          <OutboxMail page={page} name={name} mail={mail} view={view} />
        </ConsoleLayout>,
      ),
    );
  });

  admin.get('/outbox/:name/html', (c) => {
    enabled();
    const mail = parseMail(load(c.req.param('name')));
    if (mail.html === null) throw notFound('This mail has no HTML part.');
    markMailFrame(c);
    return c.html(mail.html);
  });

  admin.get('/outbox/:name/raw', (c) => {
    enabled();
    const name = c.req.param('name');
    const raw = load(name);
    c.header('Content-Disposition', `attachment; filename="${name.replace(/[^\w.@-]/g, '_')}"`);
    return c.body(new Uint8Array(raw), 200, { 'Content-Type': 'message/rfc822' });
  });
}
