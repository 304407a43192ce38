import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { testEnv } from '../helpers/context.js';

const fixtures = join(import.meta.dirname, '../fixtures/feeds');

/** Runs the real `newsdesk` command without blocking this process (the feed host lives here). */
function run(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('newsdesk ingest and newsdesk sources list', () => {
  let server: http.Server;
  let base = '';
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/rdf.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        return res.end(readFileSync(join(fixtures, 'rss1-rdf.xml')));
      }
      res.writeHead(503, { 'retry-after': '120' });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-feeds-'));
    const sources = join(dir, 'sources.opml');
    writeFileSync(
      sources,
      `<?xml version="1.0"?><opml version="2.0"><body><outline text="RDF Fixture" company="Fixture Co" weight="1.5" fulltext="false" xmlUrl="${base}/rdf.xml"/><outline text="Down" xmlUrl="${base}/down"/></body></opml>`,
    );
    env = { ...testEnv(dir), SOURCES_FILE: sources, FEED_TIMEOUT_MS: '2000' };
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('has --help for each command', async () => {
    for (const args of [['ingest', '--help'], ['sources', 'list', '--help']]) {
      const r = await run(args, env);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: newsdesk/);
    }
  }, 120_000);

  it('ingest exits 0 when some sources fail, and lists them; sources list shows health', async () => {
    const r = await run(['ingest'], env);
    expect(r.status).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out[0]).toBe('2 source(s) polled, 2 new article(s), 1 error(s)');
    expect(out[1]).toMatch(/^ {2}Down: HTTP 503 Service Unavailable; retry after \d{4}-\d\d-\d\dT/);
    // The new items carry their full content in the feed: no page is fetched, and the report says so.
    expect(out[2]).toBe("full text: 0 page(s) fetched, 0 kept the feed's text (reasons in the log and articles.fulltext_reason), 2 not needed");
    expect(out).toHaveLength(3);

    const again = await run(['ingest', '--json'], env);
    expect(again.status).toBe(0);
    const json = JSON.parse(again.stdout);
    expect(json.newArticles).toBe(0);
    expect(json.errors[0].error).toMatch(/^skipped: the server asked to wait until /);

    const list = await run(['sources', 'list'], env);
    expect(list.status).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+NAME\s+COMPANY\s+WEIGHT\s+FULL TEXT\s+ARTICLES\s+7D\s+FAILS\s+LAST SUCCESS\s+LAST ERROR$/);
    expect(lines[1]).toMatch(/^failing\s+Down\s+1\s+teaser\s+0\s+0\s+1\s+never\s+HTTP 503/);
    expect(lines[2]).toMatch(/^ok\s+RDF Fixture\s+Fixture Co\s+1\.5\s+never\s+2\s+\d\s+0\s+just now\s*$/);

  }, 180_000);

  it('fails with one clear line and a non-zero exit when the sources file is missing', async () => {
    const r = await run(['sources', 'sync'], { ...env, SOURCES_FILE: join(dir, 'nope.opml') });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/SOURCES_FILE names a file that does not exist: .*nope\.opml/);
  }, 60_000);
});
