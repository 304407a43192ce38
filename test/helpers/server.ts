import { createServer } from 'node:net';
import type { ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { listenHttp } from '../../src/server.js';
import { createApp } from '../../src/http/app.js';
import { makeTestContext, type TestContext } from './context.js';
import type { Clock } from '../../src/lib/clock.js';

/** A free TCP port on 127.0.0.1 (so PUBLIC_URL can name it before the app starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface LiveServer {
  ctx: TestContext;
  app: Hono;
  url: string;
  close(): Promise<void>;
}

/** The real app listening on 127.0.0.1 with PUBLIC_URL pointing at itself. */
export async function startLiveServer(env: Record<string, string> = {}, clock?: Clock): Promise<LiveServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const ctx = await makeTestContext({ env: { PUBLIC_URL: url, ...env }, clock });
  const app = createApp(ctx);
  // As the service listens: cached pages answered by the fast path, the rest by the router.
  const server: ServerType = await listenHttp(app, { port, hostname: '127.0.0.1' });
  return {
    ctx,
    app,
    url,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.cleanup();
    },
  };
}

/** A plain HTTP server on 127.0.0.1, port 0, whose stop() also cuts the connections left open (a hung response). */
export async function localHttpHost(handler: import('node:http').RequestListener): Promise<{ server: import('node:http').Server; base: string; stop(): Promise<void> }> {
  const http = await import('node:http');
  const server = http.createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A local host a test subclasses with its own `handle`: start() listens on 127.0.0.1, stop() cuts what is open. */
export abstract class LocalHost {
  server!: import('node:http').Server;
  base = '';
  private host?: Awaited<ReturnType<typeof localHttpHost>>;

  protected abstract handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): unknown;

  async start() {
    this.host = await localHttpHost((req, res) => void this.handle(req, res));
    this.server = this.host.server;
    this.base = this.host.base;
  }

  async stop() {
    await this.host?.stop();
  }
}
