import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { countSubscribersByStatus, findSubscriberByEmail, listConsentEvents } from '../../src/subscribers/repo.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { linkIn, listUnsubscribeUrl, pathOf, postJson } from '../helpers/http.js';

const AUTH = { authorization: 'Bearer test-admin-token-0123456789' };

describe('admin subscriber API (outbox mailer, real SQLite)', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createApp>;
  beforeEach(async () => {
    ctx = await makeTestContext();
    app = createApp(ctx);
  });
  afterEach(() => ctx.cleanup());

  const outbox = () => readdirSync(ctx.config.outboxDir).filter((n) => n.endsWith('.eml')).sort();

  it('refuses calls without, with a wrong, or with a padded token: 401 with no detail', async () => {
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer nope' }, { authorization: 'Bearer test-admin-token-0123456789x' }, { authorization: 'Bearer  test-admin-token-0123456789' }, { authorization: 'bearer test-admin-token-0123456789' }, { authorization: 'Basic dGVzdA==' }]) {
      const r = await app.request('/api/admin/subscribers', { headers });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'A valid admin token is required.' } });
    }
    const imp = await app.request('/api/admin/subscribers/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a@b.com\n' });
    expect(imp.status).toBe(401);
    expect(await countSubscribersByStatus(ctx)).toEqual({ pending: 0, confirmed: 0, unsubscribed: 0, bounced: 0 });
  });

  it('imports CSV as pending with confirmation mails written to the outbox as parseable .eml', async () => {
    const csv = 'email,name\nAnn@Example.com,Ann\nbo@example.com,"Bo, Jr."\nnot-an-address,X\nann@example.com,Dup\n\n';
    const r = await app.request('/api/admin/subscribers/import', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: csv });
    expect(r.status).toBe(200);
    const res = await r.json();
    expect(res.imported).toBe(2);
    // The duplicate is skipped and the bad address refused: each counted once.
    expect(res.skipped).toBe(1);
    expect(res.skippedRows).toEqual([{ line: 5, email: 'ann@example.com', reason: 'already on the list as pending' }]);
    expect(res.refused).toBe(1);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0].line).toBe(4);
    expect((await findSubscriberByEmail(ctx, 'bo@example.com'))!.name).toBe('Bo, Jr.');
    expect((await findSubscriberByEmail(ctx, 'ann@example.com'))!.status).toBe('pending');

    const files = outbox();
    expect(files).toHaveLength(2);
    const parsed = await simpleParser(readFileSync(join(ctx.config.outboxDir, files[0]!)));
    expect(parsed.subject).toMatch(/Confirm your subscription/);
    expect(parsed.html).toBeTruthy();
    const link = linkIn(parsed.text ?? '', 'confirm');
    expect((await app.request(pathOf(link), { method: 'POST' })).status).toBe(200);
    // The welcome mail in the outbox carries a working one-click URL.
    const welcome = await simpleParser(readFileSync(join(ctx.config.outboxDir, outbox()[2]!)));
    expect(welcome.subject).toMatch(/Welcome/);
    const raw = readFileSync(join(ctx.config.outboxDir, outbox()[2]!));
    const unsub = listUnsubscribeUrl(raw);
    const oneClick = await app.request(pathOf(unsub), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
  });

  it('imports confirmed with ?confirmed=1 as multipart, records the import as consent, sends nothing', async () => {
    const fd = new FormData();
    fd.set('file', new File(['cy@example.com,Cy\ndee@example.com,\n'], 'list.csv', { type: 'text/csv' }));
    const r = await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: AUTH, body: fd });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ imported: 2, skipped: 0, skippedRows: [], errors: [], refused: 0 });
    const cy = (await findSubscriberByEmail(ctx, 'cy@example.com'))!;
    expect(cy.status).toBe('confirmed');
    expect(cy.consentSource).toBe('import');
    expect((await listConsentEvents(ctx, cy.id)).map((e) => e.type)).toEqual(['import']);
    expect(outbox()).toHaveLength(0);
  });

  it('never re-subscribes an existing unsubscribed address through an import', async () => {
    await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: 'gone@example.com\n' });
    const gone = (await findSubscriberByEmail(ctx, 'gone@example.com'))!;
    const { unsubscribeSubscriber } = await import('../../src/subscribers/repo.js');
    await unsubscribeSubscriber(ctx, gone.id, Date.now(), {});
    const r = await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: 'gone@example.com\n' });
    expect(await r.json()).toMatchObject({ imported: 0, skipped: 1 });
    expect((await findSubscriberByEmail(ctx, 'gone@example.com'))!.status).toBe('unsubscribed');
  });

  it('honours a status column: export → import into a fresh database keeps every status and consent time', async () => {
    // Build a list with every state, as a real one has after a while.
    await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: 'stay@example.com,Stay\nleft@example.com,Left\nbounce@example.com,Bo\n' });
    await postJson(app, '/subscribe', { email: 'maybe@example.com' });
    const { unsubscribeSubscriber } = await import('../../src/subscribers/repo.js');
    await unsubscribeSubscriber(ctx, (await findSubscriberByEmail(ctx, 'left@example.com'))!.id, Date.now() + 1000, {});
    ctx.sqlite.prepare(`UPDATE subscribers SET status = 'bounced', bounced_at = ? WHERE email = 'bounce@example.com'`).run(Date.now() + 2000);
    const exported = await (await app.request('/api/admin/subscribers/export', { headers: AUTH })).text();

    const fresh = await makeTestContext();
    try {
      const freshApp = createApp(fresh);
      for (const confirmed of ['?confirmed=1', '']) {
        const r = await freshApp.request(`/api/admin/subscribers/import${confirmed}`, { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: exported });
        const res = await r.json();
        if (confirmed) expect(res).toMatchObject({ imported: 4, skipped: 0, refused: 0 });
        else expect(res).toMatchObject({ imported: 0, skipped: 4, refused: 0 }); // the second import changes nobody
      }
      const again = await (await freshApp.request('/api/admin/subscribers/export', { headers: AUTH })).text();
      const rows = (csv: string) => csv.trim().split('\n').slice(1).map((l) => l.split(',').filter((_, i) => i !== 3).join(',')).sort();
      expect(rows(again)).toEqual(rows(exported));
      expect((await findSubscriberByEmail(fresh, 'left@example.com'))!.status).toBe('unsubscribed');
      expect((await findSubscriberByEmail(fresh, 'bounce@example.com'))!.status).toBe('bounced');
      expect((await findSubscriberByEmail(fresh, 'stay@example.com'))!.confirmedAt).toBe((await findSubscriberByEmail(ctx, 'stay@example.com'))!.confirmedAt);
      // The pending one got its confirmation mail from the fresh instance only once (first import, not the second).
      expect(readdirSync(fresh.config.outboxDir).filter((n) => n.endsWith('.eml'))).toHaveLength(0);
    } finally {
      await fresh.cleanup();
    }
  });

  it('never makes anyone who left pending or confirmed, even from a row that says so or an erased address in the suppression log', async () => {
    await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: 'erased@example.com\nunsub@example.com\n' });
    const { eraseSubscriber, unsubscribeSubscriber } = await import('../../src/subscribers/repo.js');
    await eraseSubscriber(ctx, (await findSubscriberByEmail(ctx, 'erased@example.com'))!.id, Date.now());
    await unsubscribeSubscriber(ctx, (await findSubscriberByEmail(ctx, 'unsub@example.com'))!.id, Date.now(), {});
    // The database row of the unsubscribed one is gone (a restore from an older backup, say): only the log remembers.
    ctx.sqlite.prepare(`DELETE FROM consent_events WHERE subscriber_id IN (SELECT id FROM subscribers WHERE email = 'unsub@example.com')`).run();
    ctx.sqlite.prepare(`DELETE FROM subscribers WHERE email = 'unsub@example.com'`).run();
    for (const q of ['?confirmed=1', '']) {
      const body = 'email,name,status\nerased@example.com,E,confirmed\nunsub@example.com,U,\nnew@example.com,N,\n';
      const res = await (await app.request(`/api/admin/subscribers/import${q}`, { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body })).json();
      expect(res.skippedRows.filter((s: { email: string }) => s.email !== 'new@example.com')).toEqual([
        { line: 2, email: 'erased@example.com', reason: expect.stringMatching(/^erased on \d{4}-\d\d-\d\d \(suppression log\)$/) },
        { line: 3, email: 'unsub@example.com', reason: expect.stringMatching(/^unsubscribed on .* \(suppression log\)$/) },
      ]);
    }
    expect(await findSubscriberByEmail(ctx, 'erased@example.com')).toBeUndefined();
    expect(await findSubscriberByEmail(ctx, 'unsub@example.com')).toBeUndefined();
    expect((await findSubscriberByEmail(ctx, 'new@example.com'))!.status).toBe('confirmed');
  });

  it('a row with broken quoting or an unknown status is refused with its line; the rows after it still import', async () => {
    const body = 'email,name,status\nok1@example.com,"Unclosed\nok2@example.com,Two,\nbad@example.com,"x"y,\nodd@example.com,Odd,vip\nok3@example.com,Three,pending\n';
    const res = await (await app.request('/api/admin/subscribers/import', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body })).json();
    expect(res.imported).toBe(2);
    expect(res.refused).toBe(3);
    expect(res.errors.map((e: { line: number }) => e.line)).toEqual([2, 4, 5]);
    expect(res.errors[2].error).toMatch(/unknown status "vip"/);
    expect((await findSubscriberByEmail(ctx, 'ok3@example.com'))!.status).toBe('pending');
  });

  it('lists with status filter, search and cursor pagination', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => `user${i}@example.com,User ${i}`).join('\n');
    await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: rows });
    await postJson(app, '/subscribe', { email: 'pending@example.com' });
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const r = await app.request(`/api/admin/subscribers?status=confirmed&limit=50${cursor ? `&cursor=${cursor}` : ''}`, { headers: AUTH });
      expect(r.status).toBe(200);
      const page: { subscribers: { email: string; status: string }[]; nextCursor: string | null } = await r.json();
      expect(page.subscribers.every((s) => s.status === 'confirmed')).toBe(true);
      seen.push(...page.subscribers.map((s) => s.email));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    const q = await (await app.request('/api/admin/subscribers?q=user11', { headers: AUTH })).json();
    expect(q.subscribers.map((s: { email: string }) => s.email).sort()).toEqual([...['user11@example.com', 'user110@example.com', 'user111@example.com', 'user112@example.com', 'user113@example.com', 'user114@example.com', 'user115@example.com', 'user116@example.com', 'user117@example.com', 'user118@example.com', 'user119@example.com']].sort());
    const pending = await (await app.request('/api/admin/subscribers?status=pending', { headers: AUTH })).json();
    expect(pending.subscribers.map((s: { email: string }) => s.email)).toEqual(['pending@example.com']);
    expect((await app.request('/api/admin/subscribers?status=bogus', { headers: AUTH })).status).toBe(400);
    expect((await app.request('/api/admin/subscribers?cursor=-4', { headers: AUTH })).status).toBe(400);
    expect((await app.request('/api/admin/subscribers?q=%25', { headers: AUTH })).status).toBe(200);
  });

  it('exports CSV with status and consent times', async () => {
    await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: 'a1@example.com,"Smith, Ann"\n' });
    await postJson(app, '/subscribe', { email: 'a2@example.com' });
    const r = await app.request('/api/admin/subscribers/export', { headers: AUTH });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await r.text()).trim().split('\n');
    expect(lines[0]).toBe('email,name,status,created_at,confirmed_at,unsubscribed_at,bounced_at,consent_source');
    expect(lines[1]).toMatch(/^a1@example\.com,"Smith, Ann",confirmed,\d{4}-\d\d-\d\dT[^,]+,\d{4}-[^,]+,,,import$/);
    expect(lines[2]).toMatch(/^a2@example\.com,,pending,/);
  });

  it('neutralises spreadsheet formulas in every exported cell and reads them back unchanged', async () => {
    await postJson(app, '/subscribe', { email: 'f@example.com', name: "=cmd|' /C calc'!A0" });
    await postJson(app, '/subscribe', { email: '-x@example.com', name: '@SUM(1+1)' });
    const text = await (await app.request('/api/admin/subscribers/export', { headers: AUTH })).text();
    expect(text).toContain(`f@example.com,'=cmd|' /C calc'!A0,pending`);
    expect(text).toContain(`'-x@example.com,'@SUM(1+1),pending`);
    for (const line of text.trim().split('\n')) for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const fresh = await makeTestContext();
    try {
      await createApp(fresh).request('/api/admin/subscribers/import', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: text });
      expect((await findSubscriberByEmail(fresh, 'f@example.com'))!.name).toBe("=cmd|' /C calc'!A0");
      expect((await findSubscriberByEmail(fresh, '-x@example.com'))!.name).toBe('@SUM(1+1)');
    } finally {
      await fresh.cleanup();
    }
  });

  it('rejects an unsupported import type with 415 and an oversized body with 413', async () => {
    const r = await app.request('/api/admin/subscribers/import', { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(415);
    const big = await app.request('/api/admin/subscribers/import', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: 'x'.repeat(26 * 1024 * 1024) });
    expect(big.status).toBe(413);
  });

  it('unknown routes: JSON 404 under /api, an HTML page elsewhere', async () => {
    const api = await app.request('/api/admin/nothing', { headers: AUTH });
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe('NOT_FOUND');
    const page = await app.request('/no/such/page');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('Page not found');
  });

  it('serves a favicon (no 404 on every page) and the same mark on the site and in the console', async () => {
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const r = await app.request(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/svg+xml');
      expect(await r.text()).toContain('>ES</text>');
    }
    const site = await (await app.request('/')).text();
    const signin = await (await app.request('/admin/login')).text();
    for (const html of [site, signin]) {
      expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>');
      expect(html).toMatch(/class="brand-mark" aria-hidden="true">ES</);
    }
    const { brandInitials } = await import('../../src/http/pages/brand.js');
    expect(brandInitials('Engineering @ Scale')).toBe('ES');
    expect(brandInitials('The Weekly Ops')).toBe('TO');
    expect(brandInitials('Infra')).toBe('IN');
  });

  it('healthz answers ok when the database answers', async () => {
    const r = await app.request('/healthz');
    expect(await r.json()).toEqual({ ok: true, db: 'sqlite' });
  });
});
