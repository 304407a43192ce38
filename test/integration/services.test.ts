// SERVICES picks what a `newsdesk serve` process runs: web and sender processes can be scaled apart.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { spawnCli } from '../helpers/cli.js';
import { makeTestContext, testEnv } from '../helpers/context.js';
import { addSubscribers, insertIssue, until } from '../helpers/deliver-fixtures.js';
import { freePort } from '../helpers/server.js';

function serve(env: Record<string, string>) {
  const child = spawnCli(['serve'], env);
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  return { child, log: () => log, stop: () => new Promise((r) => (child.kill('SIGTERM'), child.once('exit', r))) };
}

describe('SERVICES', () => {
  it('a sender-only process listens on no port and sends what a web process queued; a web-only process sends nothing', async () => {
    const ctx = await makeTestContext();
    try {
      addSubscribers(ctx, 3);
      const issueId = insertIssue(ctx);
      await sendIssue(ctx, issueId);
      const port = await freePort();
      const env = { ...testEnv(ctx.dir, { LOG_LEVEL: 'info' }), PORT: String(port), HOST: '127.0.0.1' };
      const outbox = () => (existsSync(ctx.config.outboxDir) ? readdirSync(ctx.config.outboxDir).filter((f) => f.endsWith('.eml')) : []);

      const web = serve({ ...env, SERVICES: 'http' });
      await until(() => web.log().includes('services started'), 30_000, 'the web process');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1000));
      expect(outbox()).toEqual([]);
      expect(web.log()).not.toContain('sender started');
      await web.stop();

      const sender = serve({ ...env, SERVICES: 'sender' });
      await until(() => sender.log().includes('services started'), 30_000, 'the sender process');
      expect(sender.log()).not.toContain('newsdesk listening');
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      await until(() => outbox().length === 3, 20_000, 'three copies');
      await sender.stop();
    } finally {
      await ctx.cleanup();
    }
  }, 120_000);

  it('BOUNCE_SMTP_PORT: the web process also takes bounce mail, and refuses other recipients', async () => {
    const ctx = await makeTestContext();
    try {
      const port = await freePort();
      const bounce = await freePort();
      const p = serve({ ...testEnv(ctx.dir, { LOG_LEVEL: 'info' }), PORT: String(port), HOST: '127.0.0.1', SERVICES: 'http', BOUNCE_SMTP_PORT: String(bounce), BOUNCE_SMTP_HOST: '127.0.0.1', BOUNCE_ADDRESS: 'bounces@news.example' });
      try {
        await until(() => p.log().includes('services started'), 30_000, 'the web process');
        expect(p.log()).toContain('bounce listener ready');
        const nodemailer = (await import('nodemailer')).default;
        const t = nodemailer.createTransport({ host: '127.0.0.1', port: bounce, secure: false, ignoreTLS: true });
        await expect(t.sendMail({ envelope: { from: '', to: ['someone@news.example'] }, raw: 'Subject: x\r\n\r\nx\r\n' })).rejects.toThrow(/550/);
        const ok = await t.sendMail({ envelope: { from: '', to: ['bounces@news.example'] }, raw: 'Subject: x\r\n\r\nnot a report\r\n' });
        expect(ok.response).toMatch(/^250 /);
        t.close();
      } finally {
        await p.stop();
      }
    } finally {
      await ctx.cleanup();
    }
  }, 60_000);
});
