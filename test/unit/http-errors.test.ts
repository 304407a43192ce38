import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { storeErrorKind } from '../../src/db/errors.js';
import { errorHandler } from '../../src/http/errors.js';
import { AppError } from '../../src/lib/errors.js';
import { silentLogger } from '../../src/lib/log.js';

const noted: unknown[] = [];
const store = { errorKind: storeErrorKind, noteWriteError: (err: unknown) => void noted.push(err) };

function appThrowing(err: unknown) {
  const app = new Hono();
  app.onError(errorHandler(silentLogger(), store));
  app.get('/api/x', () => {
    throw err;
  });
  app.get('/page', () => {
    throw err;
  });
  return app;
}

describe('the one onError', () => {
  it('maps SQLite busy/full (also wrapped by drizzle) to 503 and hides the message', async () => {
    const wrapped = Object.assign(new Error('Failed query: insert into "subscribers" … secret details'), { cause: { code: 'SQLITE_FULL' } });
    const r = await appThrowing(wrapped).request('/api/x');
    expect(r.status).toBe(503);
    const text = await r.text();
    expect(text).not.toContain('secret details');
    expect(JSON.parse(text).error.code).toBe('UNAVAILABLE');
    expect(noted).toContain(wrapped);
  });

  it('maps PostgreSQL busy, unreachable and an exhausted pool to 503 with a JSON error', async () => {
    for (const err of [
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ]) {
      const r = await appThrowing(err).request('/api/x');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect((await r.json()).error.code).toBe('UNAVAILABLE');
    }
  });

  it('turns unknown errors into a generic 500 with no internals, JSON on /api and HTML elsewhere', async () => {
    const app = appThrowing(new TypeError("Cannot read properties of undefined (reading 'x') at /src/secret.ts:12"));
    const api = await app.request('/api/x');
    expect(api.status).toBe(500);
    expect(await api.json()).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again later.' } });
    const page = await app.request('/page');
    expect(page.status).toBe(500);
    expect(page.headers.get('content-type')).toMatch(/html/);
    expect(await page.text()).not.toContain('secret.ts');
  });

  it('passes an AppError through with its status, code and field errors', async () => {
    const r = await appThrowing(new AppError(409, 'FROZEN', 'Sending has started.', { subject: 'locked' })).request('/api/x');
    expect(r.status).toBe(409);
    expect(await r.json()).toEqual({ error: { code: 'FROZEN', message: 'Sending has started.', fields: { subject: 'locked' } } });
  });
});
