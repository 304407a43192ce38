// A brand-new installation started after the day's send time, with feeds that answer: it sends nothing by itself.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/context.js';
import { until } from '../helpers/deliver-fixtures.js';
import { freePort } from '../helpers/server.js';

describe('the first start of a new installation', () => {
  let feeds: http.Server;
  let base = '';
  let dir: string;
  beforeAll(async () => {
    // A feed with articles of the last day: enough for an issue had the schedule caught up.
    const items = [3, 6, 9]
      .map((h) => {
        const at = new Date(Date.now() - h * 3_600_000).toUTCString();
        return `<item><title>Story ${h}</title><link>https://blog.example/${h}</link><guid>s${h}</guid><pubDate>${at}</pubDate><description>We cut latency by ${h}0 ms.</description></item>`;
      })
      .join('');
    feeds = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>https://blog.example/</link>${items}</channel></rss>`);
    });
    await new Promise<void>((r) => feeds.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'newsdesk-first-start-'));
  });
  afterAll(async () => {
    await new Promise<void>((r) => feeds.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for its next send time: no issue assembled, sent or published, and the log says why', async () => {
    const sources = join(dir, 'sources.opml');
    writeFileSync(sources, `<?xml version="1.0"?><opml version="2.0"><body><outline text="Blog" xmlUrl="${base}/feed.xml"/></body></opml>`);
    // The send time passed an hour ago (well inside a generous catch-up window).
    const past = new Date(Date.now() - 3_600_000);
    const port = await freePort();
    const env = {
      ...testEnv(dir, { LOG_LEVEL: 'info' }),
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      HOST: '127.0.0.1',
      SOURCES_FILE: sources,
      DIGEST_CRON: `${past.getUTCMinutes()} ${past.getUTCHours()} * * *`,
      DIGEST_CATCHUP_HOURS: '24',
    };
    const child = spawnCli(['serve'], env);
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    try {
      await until(() => log.includes('schedule started') && log.includes('sender started'), 30_000, 'the server to start');
      // The catch-up check runs at start; give it and any send a moment.
      await new Promise((r) => setTimeout(r, 1500));
      const archive = await (await fetch(`http://127.0.0.1:${port}/issues`)).text();
      expect(archive).not.toMatch(/href="\/issues\/\d{4}-\d{2}-\d{2}"/);
      const db = new Database(join(dir, 'test.sqlite'), { readonly: true });
      try {
        expect(db.prepare('SELECT count(*) AS n FROM issues').get()).toEqual({ n: 0 });
        expect(db.prepare('SELECT count(*) AS n FROM job_runs').get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
      expect(log).toContain('nothing sent at the first start');
      const outbox = join(dir, 'outbox');
      expect(existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : []).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);
});
