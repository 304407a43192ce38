// PostgreSQL faults: a server that cannot be reached or refuses us at start, one lost mid-send, a pool exhausted.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeContext, createContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { PgStore } from '../../src/db/postgres/index.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { createSender } from '../../src/deliveries/sender.js';
import { createApp } from '../../src/http/app.js';
import { createLogger, silentLogger } from '../../src/lib/log.js';
import { TEST_DATABASE_URL, createTestDatabase } from '../contract/backends.js';
import { runCli } from '../helpers/cli.js';
import { addConfirmed, testEnv } from '../helpers/context.js';
import { until } from '../helpers/deliver-fixtures.js';
import { freePort } from '../helpers/server.js';
import { startSmtpSink } from '../helpers/smtp.js';

describe('PostgreSQL at start', () => {
  it('an unreachable server is one line naming host and port, and a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nd-pgfault-'));
    const port = await freePort();
    for (const cmd of [['migrate'], ['serve'], ['send', '1']]) {
      const r = runCli(cmd, testEnv(dir, { DATABASE_URL: `postgres://news@127.0.0.1:${port}/news` }));
      expect(r.status, cmd.join(' ')).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}/news: ECONNREFUSED`);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it.skipIf(!TEST_DATABASE_URL)('a login refused or a missing database is one clear line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nd-pgfault-'));
    const u = new URL(TEST_DATABASE_URL);
    const role = new URL(u);
    role.username = 'no_such_role';
    const missing = new URL(u);
    missing.pathname = '/no_such_database_here';
    const a = runCli(['migrate'], testEnv(dir, { DATABASE_URL: role.toString() }));
    expect(a.status).not.toBe(0);
    expect(a.stderr.trim()).toMatch(/^newsdesk: error: PostgreSQL at [^ ]+ refused the login: role "no_such_role" does not exist$/);
    const b = runCli(['migrate'], testEnv(dir, { DATABASE_URL: missing.toString() }));
    expect(b.status).not.toBe(0);
    expect(b.stderr.trim()).toMatch(/database "no_such_database_here" does not exist \(create it/);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});

/** A TCP proxy in front of PostgreSQL that can drop every connection and refuse new ones, then come back. */
async function pgProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let up = true;
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (db: string) => {
      const u = new URL(db);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    close: () => new Promise<void>((r) => (up = false, [...sockets].forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL lost while running', () => {
  let db: { url: string; drop(): Promise<void> };
  let dir: string;
  let ctx: AppContext | undefined;
  beforeEach(async () => {
    db = await createTestDatabase('nd_fault');
    dir = mkdtempSync(join(tmpdir(), 'nd-pgfault-'));
  });
  afterEach(async () => {
    if (ctx) await closeContext(ctx);
    ctx = undefined;
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mid-send: sending pauses with a clear reason and resumes by itself when the server is back; nobody failed, nobody twice', async () => {
    const proxy = await pgProxy(new URL(db.url));
    const sink = await startSmtpSink();
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    try {
      ctx = await createContext(loadConfig(testEnv(dir, { DATABASE_URL: proxy.url(db.url), SMTP_URL: sink.url, SMTP_POOL_SIZE: '2', SEND_RATE: '150' }), dir), { log });
      await addConfirmed(ctx, Array.from({ length: 300 }, (_, i) => ({ email: `r${i}@example.com` })));
      const r = await ctx.store.issues.insertIssue({ date: '2026-11-02', windowStart: 0, cutoffAt: 1, subject: 'S', preheader: '', html: '<p>x</p>', text: 'x', signalArticleId: null, patternsJson: '[]', digestJson: '{}', now: Date.now(), articles: [] });
      const id = 'created' in r ? r.created.id : 0;
      await sendIssue(ctx, id);
      const sender = createSender(ctx, { maintenanceMs: 200, idlePollMs: 50 });
      sender.start();
      await until(() => sink.received.length >= 80, 30_000, 'the first copies');
      proxy.cut();
      await new Promise((res) => setTimeout(res, 1500));
      const during = sink.received.length;
      await new Promise((res) => setTimeout(res, 1500));
      // Nothing more is handed to SMTP while the ledger cannot record it (at most what was already in flight).
      expect(sink.received.length - during).toBeLessThanOrEqual(2);
      expect(lines.join('')).toContain('the ledger cannot be written');
      proxy.restore();
      await until(async () => (await ctx!.store.issues.getIssue(id).catch(() => null))?.status === 'sent', 60_000, 'the send to finish').catch(async (e) => {
        console.log(lines.join('').slice(-4000), sink.received.length, await ctx!.store.deliveries.deliveryCounts(id));
        throw e;
      });
      await sender.stop();
      expect(lines.join('')).toContain('sending resumed');
      const to = sink.received.flatMap((m) => m.envelopeTo);
      expect(new Set(to).size).toBe(300);
      expect(to).toHaveLength(300);
      expect(await ctx.store.deliveries.deliveryCounts(id)).toMatchObject({ sent: 300, failed: 0, queued: 0, sending: 0 });
    } finally {
      // The mailer's pooled connections first: the sink waits for its clients when it closes.
      if (ctx) await closeContext(ctx);
      ctx = undefined;
      await sink.close();
      await proxy.close();
    }
  }, 120_000);

  it('a pool with no free connection makes a request wait, then answer 503 with a JSON error', async () => {
    ctx = await createContext(loadConfig(testEnv(dir, { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '1', DATABASE_POOL_WAIT_MS: '300' }), dir), { log: silentLogger() });
    const app = createApp(ctx);
    // Hold the one connection inside a transaction for a while.
    let release!: () => void;
    const held = (ctx.store as PgStore).handle.tx(() => new Promise<void>((r) => (release = r)));
    await until(() => typeof release === 'function', 5000, 'the connection to be taken');
    const started = Date.now();
    const res = await app.request('/api/admin/subscribers', { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ error: { code: 'UNAVAILABLE', message: 'The service is busy. Please try again in a moment.' } });
    release();
    await held;
    expect((await app.request('/api/admin/subscribers', { headers: { authorization: 'Bearer test-admin-token-0123456789' } })).status).toBe(200);
  }, 60_000);
});

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL migrated by newer code', () => {
  it('refuses to start: both counts named, one line and a non-zero exit from the command', async () => {
    const db = await createTestDatabase('nd_newer');
    const dir = mkdtempSync(join(tmpdir(), 'nd-pgnewer-'));
    const config = loadConfig(testEnv(dir, { DATABASE_URL: db.url }), dir);
    try {
      const first = await createContext(config, { log: silentLogger() });
      const h = (first.store as PgStore).handle;
      const known = (await h.query<{ n: number }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations')).rows[0]!.n;
      await h.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (?, ?)', ['from-a-newer-release', Date.now() + 1e9]);
      await closeContext(first);
      await expect(createContext(config, { log: silentLogger() })).rejects.toThrow(new RegExp(`has ${known + 1} migrations applied but this code knows ${known}: upgrade newsdesk`));
      const r = runCli(['migrate'], testEnv(dir, { DATABASE_URL: db.url }));
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL restored from an older backup', () => {
  it('the instance replays its suppression log at start: whoever left since the backup stays gone', async () => {
    const db = await createTestDatabase('nd_restore');
    const dir = mkdtempSync(join(tmpdir(), 'nd-pgrestore-'));
    const config = loadConfig(testEnv(dir, { DATABASE_URL: db.url }), dir);
    try {
      const first = await createContext(config, { log: silentLogger() });
      const [a, b] = await addConfirmed(first, [{ email: 'left@example.com' }, { email: 'stays@example.com' }], Date.now() - 60_000);
      await first.store.subscribers.unsubscribeSubscriber(a!.id, Date.now(), {});
      // The backup predates the unsubscribe: restoring it makes the subscriber confirmed again in the database.
      await (first.store as PgStore).handle.query(`UPDATE subscribers SET status = 'confirmed', unsubscribed_at = NULL WHERE id = ?`, [a!.id]);
      await closeContext(first);
      const again = await createContext(config, { log: silentLogger() });
      expect((await again.store.subscribers.findSubscriberById(a!.id))?.status).toBe('unsubscribed');
      expect((await again.store.subscribers.findSubscriberById(b!.id))?.status).toBe('confirmed');
      expect(again.store.suppressionLog).toBe(join(dir, 'suppressions.log'));
      await closeContext(again);
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

