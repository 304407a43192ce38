// The database under faults from outside the request: another process holding the write lock, and a full disk.
// A busy database costs the requests that write a quick 503; it never freezes the process for everyone.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { postForm, postJson } from '../helpers/http.js';

let ctx: TestContext | undefined;
let other: Database.Database | undefined;
afterEach(async () => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  await ctx?.cleanup();
  ctx = other = undefined;
});

const timed = async <T>(p: T | Promise<T>) => {
  const t0 = performance.now();
  const v = await p;
  return { v, ms: performance.now() - t0 };
};

describe('a database locked by another process', () => {
  it('writes answer 503 within the retry budget, and meanwhile health, pages and reads answer at once', async () => {
    ctx = await makeTestContext({ env: { SIGNUP_LIMIT_PER_MINUTE: '1000' } });
    const app = createApp(ctx);
    // Another connection (as another process would) takes the write lock and keeps it.
    other = new Database(ctx.handle.path);
    other.exec('BEGIN IMMEDIATE');
    other.prepare(`INSERT INTO settings (key, value) VALUES ('held', '1')`).run();

    const writes = Array.from({ length: 12 }, (_, i) => timed(postJson(app, '/subscribe', { email: `w${i}@example.com` })));
    // While twelve writers wait, the loop is free: health and the landing page answer quickly.
    await new Promise((r) => setTimeout(r, 100));
    const health = await timed(app.request('/healthz'));
    const landing = await timed(app.request('/'));
    expect(health.v.status).toBe(200);
    expect(health.ms).toBeLessThan(500);
    expect(landing.v.status).toBe(200);
    expect(landing.ms).toBeLessThan(1000);

    const done = await Promise.all(writes);
    for (const w of done) {
      expect(w.v.status).toBe(503);
      expect(w.v.headers.get('retry-after')).toBe('5');
      expect((await w.v.json()).error.code).toBe('UNAVAILABLE');
      expect(w.ms).toBeLessThan(4000);
    }
    // They waited side by side, not one after another.
    expect(Math.max(...done.map((d) => d.ms))).toBeLessThan(4000);

    other.exec('ROLLBACK');
    expect((await postJson(app, '/subscribe', { email: 'after@example.com' })).status).toBe(202);
  }, 20_000);

  it('a lock released within the retry budget costs the writer a wait, not an error', async () => {
    ctx = await makeTestContext();
    const app = createApp(ctx);
    other = new Database(ctx.handle.path);
    other.exec('BEGIN IMMEDIATE');
    setTimeout(() => other!.exec('COMMIT'), 400);
    const r = await timed(postJson(app, '/subscribe', { email: 'patient@example.com' }));
    expect(r.v.status).toBe(202);
    expect(r.ms).toBeGreaterThanOrEqual(300);
  });
});

describe('a full disk', () => {
  it('/healthz reports degraded with the reason while writes fail, and ok again once one succeeds', async () => {
    ctx = await makeTestContext({ env: { SIGNUP_LIMIT_PER_MINUTE: '1000' } });
    const app = createApp(ctx);
    expect(await (await app.request('/healthz')).json()).toEqual({ ok: true, db: 'sqlite' });
    ctx.sqlite.exec('CREATE TABLE filler (b BLOB)');
    ctx.sqlite.pragma(`max_page_count = ${ctx.sqlite.pragma('page_count', { simple: true }) as number}`);
    const fill = ctx.sqlite.prepare('INSERT INTO filler (b) VALUES (randomblob(?))');
    for (const size of [4096, 512, 64, 8]) {
      try {
        for (;;) fill.run(size);
      } catch {
        // full at this size; try smaller pieces
      }
    }
    // Signups until one needs a page that cannot be had.
    let status = 202;
    for (let i = 0; i < 200 && status !== 503; i++) status = (await postJson(app, '/subscribe', { email: `full${i}@example.com`, name: 'x'.repeat(90) })).status;
    expect(status).toBe(503);
    const degraded = await app.request('/healthz');
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toMatchObject({ ok: false, db: 'sqlite', reason: expect.stringMatching(/^disk full/) });
    // Space again: the next write succeeds and health recovers.
    ctx.sqlite.pragma('max_page_count = 1073741823');
    expect((await postJson(app, '/subscribe', { email: 'back@example.com' })).status).toBe(202);
    expect(await (await app.request('/healthz')).json()).toEqual({ ok: true, db: 'sqlite' });
  });
});

describe('admin bodies', () => {
  it('a JSON body over 1 MB is refused with 413 before it is parsed; a CSV import may be larger', async () => {
    ctx = await makeTestContext();
    const app = createApp(ctx);
    const AUTH = { authorization: 'Bearer test-admin-token-0123456789' };
    const nested = '['.repeat(2_000_000) + ']'.repeat(2_000_000);
    const t0 = performance.now();
    const r = await app.request('/api/admin/issues/1', { method: 'PATCH', headers: { ...AUTH, 'content-type': 'application/json' }, body: nested });
    expect(r.status).toBe(413);
    expect(performance.now() - t0).toBeLessThan(1000);
    const rows = Array.from({ length: 60_000 }, (_, i) => `bulk${i}@example.com,Bulk ${i}`).join('\n');
    expect(rows.length).toBeGreaterThan(1024 * 1024);
    const imp = await app.request('/api/admin/subscribers/import?confirmed=1', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/csv' }, body: rows });
    expect(imp.status).toBe(200);
    expect((await imp.json()).imported).toBe(60_000);
    // The console's forms have the same 1 MB cap.
    const form = await postForm(app, '/admin/login', { token: 'x'.repeat(2 * 1024 * 1024) });
    expect(form.status).toBe(413);
  }, 30_000);
});
