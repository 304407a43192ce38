// Slow and greedy clients against the real server: one address cannot hold every socket, a client that never
// finishes its headers is cut off, and a 100 MB body is refused at the limit without being read whole.
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MAX_CONNECTIONS_PER_IP, startServer, type RunningServer } from '../../src/server.js';
import { testEnv } from '../helpers/context.js';
import { until } from '../helpers/deliver-fixtures.js';
import { freePort } from '../helpers/server.js';

describe('slow clients', () => {
  let running: RunningServer;
  let dir: string;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'newsdesk-slow-'));
    port = await freePort();
    running = await startServer(loadConfig(testEnv(dir, { PORT: String(port), HOST: '127.0.0.1', SERVICES: 'http' }), dir));
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a slowloris from one address holds at most its share of sockets; others are served; its half-sent requests are cut off', async () => {
    // The attacker uses another loopback address than the reader below.
    const sockets: net.Socket[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_IP + 40; i++) {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      s.on('error', () => {});
      s.resume(); // read what the server answers, so its close is seen
      s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 800));
    const open = () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    expect(open()).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_IP);
    const t0 = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
    // Past the 10 s header deadline every half-sent request is closed by the server.
    await until(() => open() === 0, 20_000, 'the slow sockets to be closed');
    for (const s of sockets) s.destroy();
  }, 40_000);

  it('a 100 MB body is refused with 413 at the limit, before the client has sent most of it', async () => {
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/subscribe', method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (e) => (sent > 0 ? undefined : reject(e)));
      const chunk = Buffer.alloc(256 * 1024, 'a');
      const pump = () => {
        while (sent < 100 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(20 * 1024 * 1024);
  }, 30_000);
});
