// Tokens in confirm and unsubscribe links are credentials: request and error logs show the route, never the token.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/log.js';
import { signToken } from '../../src/subscribers/tokens.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { addSubscribers } from '../helpers/deliver-fixtures.js';

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

describe('logs', () => {
  it('never contain a confirm or unsubscribe token, on success or on failure', async () => {
    const lines: string[] = [];
    const log = createLogger('debug', new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
    ctx = await makeTestContext({ log });
    const [id] = addSubscribers(ctx, 1);
    const now = ctx.clock.now();
    const unsub = signToken(ctx.config.secretKey, { purpose: 'unsubscribe', subscriberId: id!, issuedAt: now });
    const confirm = signToken(ctx.config.secretKey, { purpose: 'confirm', subscriberId: id!, issuedAt: now });
    const app = createApp(ctx);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await app.request(`/unsubscribe/${unsub}`)).status).toBe(200);
    expect((await app.request(`/confirm/${confirm}`)).status).toBe(200);
    expect((await app.request(`/unsubscribe/${unsub}`, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    // A broken database turns the next request into a logged error: its path is redacted too.
    ctx.sqlite.exec('ALTER TABLE subscribers RENAME TO subscribers_gone');
    const failed = await app.request(`/unsubscribe/${unsub}`, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const all = lines.join('');
    expect(all).toContain('/unsubscribe/[redacted]');
    expect(all).toContain('/confirm/[redacted]');
    expect(lines.some((l) => JSON.parse(l).level >= 50)).toBe(true);
    expect(all).not.toContain(unsub);
    expect(all).not.toContain(confirm);
    expect(all).not.toContain(unsub.slice(0, 16));
  });
});
