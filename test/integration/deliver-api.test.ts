import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

const auth = { Authorization: 'Bearer test-admin-token-0123456789' };
const json = (body: unknown) => ({ method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('admin delivery API', () => {
  it('send, idempotent send, resend rules, test copies, progress, and a working one-click unsubscribe in each mail', async () => {
    const sink = await sinkForTest();
    const ctx = await contextForTest({ env: { SMTP_URL: sink.url, SMTP_POOL_SIZE: '2' } });
    addSubscribers(ctx, 4);
    const issueId = insertIssue(ctx);
    const app = createApp(ctx);

    expect((await app.request(`/api/admin/issues/${issueId}/send`, { method: 'POST' })).status).toBe(401);
    expect((await app.request(`/api/admin/issues/999/send`, { method: 'POST', headers: auth })).status).toBe(404);

    const first = await app.request(`/api/admin/issues/${issueId}/send`, { method: 'POST', headers: auth });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ issueId, queued: 4, alreadySent: false, progress: { queued: 4, total: 4 } });
    const second = await app.request(`/api/admin/issues/${issueId}/send`, { method: 'POST', headers: auth });
    expect(await second.json()).toMatchObject({ queued: 0 });

    const busy = await app.request(`/api/admin/issues/${issueId}/resend`, json({ missing: true }));
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ error: { code: 'SEND_IN_PROGRESS', message: expect.any(String) } });
    for (const bad of [{}, { failed: true, missing: true }, { failed: 'yes' }, { email: 'not-an-address' }]) {
      const r = await app.request(`/api/admin/issues/${issueId}/resend`, json(bad));
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }

    senderForTest(ctx, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(4);
    await until(() => (ctx.sqlite.prepare('SELECT status FROM issues WHERE id = ?').get(issueId) as { status: string }).status === 'sent', 10_000, 'sent');

    const progress = await (await app.request(`/api/admin/issues/${issueId}/progress`, { headers: auth })).json();
    expect(progress).toMatchObject({ sent: 4, queued: 0, sending: 0, uncertain: 0, issueStatus: 'sent', etaMs: 0 });
    expect(progress.rate).toBeGreaterThan(0);
    const one = await (await app.request(`/api/admin/issues/${issueId}`, { headers: auth })).json();
    expect(one.counts).toMatchObject({ sent: 4, queued: 0, failed: 0, bounced: 0, skipped: 0 });
    expect(one.sending).toMatchObject({ inFlight: 0, etaSeconds: 0, pausedReason: null });
    expect(one.sending.rate).toBeGreaterThan(0);

    // A test copy to any address, kept apart from deliveries.
    const t = await app.request(`/api/admin/issues/${issueId}/test`, json({ email: 'Editor@Example.org' }));
    expect(t.status).toBe(200);
    expect(await t.json()).toMatchObject({ email: 'editor@example.org', status: 'sent' });
    await sink.waitFor(5);
    expect(sink.received[4]!.parsed.subject).toMatch(/^\[Test\] /);
    expect(ctx.sqlite.prepare('SELECT email, status FROM test_sends').all()).toEqual([{ email: 'editor@example.org', status: 'sent' }]);
    expect(deliveryRows(ctx, issueId)).toHaveLength(4);
    // Its unsubscribe link says it was a test copy, not "invalid link", and changes nothing.
    const testUrl = /^List-Unsubscribe:\s*<([^>]+)>/m.exec(sink.received[4]!.raw.toString())![1]!;
    const testPage = await app.request(new URL(testUrl).pathname);
    expect(testPage.status).toBe(200);
    expect(await testPage.text()).toContain('This was a test copy');
    const testOneClick = await app.request(new URL(testUrl).pathname, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(testOneClick.status).toBe(200);

    // Each mail's one-click URL unsubscribes exactly its recipient (RFC 8058 POST, no cookie, no Origin).
    const mail = sink.received.find((m) => m.envelopeTo[0] === 'user2@example.test')!;
    const url = /^List-Unsubscribe:\s*<([^>]+)>/m.exec(mail.raw.toString())![1]!;
    const path = new URL(url).pathname;
    const oneClick = await app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    const statuses = ctx.sqlite.prepare('SELECT email, status FROM subscribers ORDER BY id').all();
    expect(statuses).toEqual([
      { email: 'user0@example.test', status: 'confirmed' },
      { email: 'user1@example.test', status: 'confirmed' },
      { email: 'user2@example.test', status: 'unsubscribed' },
      { email: 'user3@example.test', status: 'confirmed' },
    ]);

    // Resend after the send: one address gets a new copy; the unsubscribed one is refused.
    const again = await app.request(`/api/admin/issues/${issueId}/resend`, json({ email: 'user1@example.test' }));
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ kind: 'email', queued: 1 });
    await sink.waitFor(6);
    const refused = await app.request(`/api/admin/issues/${issueId}/resend`, json({ email: 'user2@example.test' }));
    expect(refused.status).toBe(409);
    expect(ctx.sqlite.prepare('SELECT kind, email, requested_by AS by, queued FROM resend_requests').all()).toEqual([
      { kind: 'email', email: 'user1@example.test', by: 'admin-api', queued: 1 },
    ]);
  });

  it('Idempotency-Key: the same resend sent twice at once, or retried after its copy went out, queues one copy', async () => {
    const sink = await sinkForTest();
    const c = await contextForTest({ env: { SMTP_URL: sink.url, SMTP_POOL_SIZE: '2' } });
    addSubscribers(c, 3);
    const issueId = insertIssue(c);
    const app = createApp(c);
    await app.request(`/api/admin/issues/${issueId}/send`, { method: 'POST', headers: auth });
    senderForTest(c, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(3);
    await until(() => (c.sqlite.prepare('SELECT status FROM issues WHERE id = ?').get(issueId) as { status: string }).status === 'sent', 10_000, 'issue sent');

    const keyed = (key: string, body: unknown) => {
      const r = json(body);
      return app.request(`/api/admin/issues/${issueId}/resend`, { ...r, headers: { ...r.headers, 'Idempotency-Key': key } });
    };
    const [a, b] = await Promise.all([keyed('resend-7f3a', { email: 'user1@example.test' }), keyed('resend-7f3a', { email: 'user1@example.test' })]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const [ja, jb] = [await a.json(), await b.json()];
    expect(ja).toMatchObject({ kind: 'email', queued: 1 });
    expect(jb).toMatchObject({ kind: 'email', queued: 1 });
    await sink.waitFor(4);
    await until(() => deliveryRows(c, issueId).every((r) => r.status === 'sent'), 10_000, 'resend sent');
    // A retry long after (the client never saw the answer): the same answer, no new copy.
    const retry = await keyed('resend-7f3a', { email: 'user1@example.test' });
    expect(retry.status).toBe(202);
    expect(await retry.json()).toMatchObject({ kind: 'email', queued: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.received.filter((m) => m.envelopeTo[0] === 'user1@example.test')).toHaveLength(2);
    expect(c.sqlite.prepare('SELECT count(*) AS n FROM resend_requests').get()).toEqual({ n: 1 });
    // The same key for another request is refused; a malformed key is a 400; without a key, a new copy as before.
    expect((await keyed('resend-7f3a', { email: 'user2@example.test' })).status).toBe(422);
    expect((await keyed('bad key with spaces', { email: 'user2@example.test' })).status).toBe(400);
    expect((await app.request(`/api/admin/issues/${issueId}/resend`, json({ email: 'user2@example.test' }))).status).toBe(202);
    await sink.waitFor(5);
  });

  it('POSTAL_ADDRESS set after the issue was assembled still reaches its copies and its preview', async () => {
    const sink = await sinkForTest();
    const before = await contextForTest({ env: { SMTP_URL: sink.url, POSTAL_ADDRESS: '' } });
    expect(before.config.postalAddress).toBeUndefined();
    const { seedFixtureDay } = await import('../fixtures/digest-seed.js');
    const { assembleIssue } = await import('../../src/issues/assemble.js');
    const cutoff = Date.now() - 60_000;
    seedFixtureDay(before, cutoff, { history: false });
    const date = new Date(cutoff).toISOString().slice(0, 10);
    const res = await assembleIssue(before, date);
    expect(res.issue).toBeTruthy();
    const issueId = res.issue!.id;
    addSubscribers(before, 2);
    // The operator sets the address and restarts: a new configuration on the same database.
    const { createContext, closeContext } = await import('../../src/bootstrap.js');
    const { loadConfig } = await import('../../src/config.js');
    const { testEnv } = await import('../helpers/context.js');
    const { silentLogger } = await import('../../src/lib/log.js');
    const { createSender } = await import('../../src/deliveries/sender.js');
    const after = await createContext(loadConfig(testEnv(before.dir, { SMTP_URL: sink.url, POSTAL_ADDRESS: '9 New Road, Later Town' }), before.dir), { log: silentLogger() });
    const sender = createSender(after, { maintenanceMs: 50, idlePollMs: 20 });
    try {
      const app = createApp(after);
      const preview = await (await app.request(`/api/admin/issues/${issueId}/preview`, { headers: auth })).text();
      expect(preview).toContain('9 New Road, Later Town');
      expect((await app.request(`/api/admin/issues/${issueId}/send`, { method: 'POST', headers: auth })).status).toBe(202);
      sender.start();
      const mails = await sink.waitFor(2);
      for (const m of mails) {
        expect(m.parsed.html).toContain('9 New Road, Later Town');
        expect(m.parsed.text).toContain('9 New Road, Later Town');
        expect(m.raw.toString()).not.toContain('__NEWSDESK');
      }
    } finally {
      await sender.stop();
      await closeContext(after);
    }
  });
});
