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
  beforeEach(() => {
    ctx = makeTestContext();
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
    expect(res.skipped).toBe(2);
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
    expect(await r.json()).toEqual({ imported: 2, skipped: 0, errors: [] });
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

  it('healthz answers ok when the database answers', async () => {
    const r = await app.request('/healthz');
    expect(await r.json()).toEqual({ ok: true });
  });
});
