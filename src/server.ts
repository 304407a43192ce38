import { createServer, type RequestListener, type ServerOptions } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { closeContext, createContext } from './bootstrap.js';
import type { Config } from './config.js';
import { redactConfig } from './config.js';
import type { AppContext } from './context.js';
import { createApp, fastPathOf, type FastPath } from './http/app.js';
import { startSourcesSync } from './feeds/service.js';
import { createLogger } from './lib/log.js';

/** Something started with the server that must stop before the database closes (scheduler, sender). */
export interface Service {
  name: string;
  stop(): Promise<void>;
}

/** How long a client may take to send its request headers, and its whole request. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** Open connections one address may hold; beyond it new ones are closed at once (not behind a trusted proxy). */
export const MAX_CONNECTIONS_PER_IP = 64;

/** Caps concurrent connections per client address, so one client cannot hold every socket. */
function limitConnectionsPerIp(server: ServerType, max: number, log: { warn: (o: object, m: string) => void }): void {
  if (!Number.isFinite(max)) return;
  const open = new Map<string, number>();
  let warned = 0;
  server.on('connection', (socket: import('node:net').Socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const n = (open.get(ip) ?? 0) + 1;
    if (n > max) {
      if (Date.now() - warned > 60_000) log.warn({ ip, max }, 'too many connections from one address: refusing more');
      warned = Date.now();
      socket.destroy();
      return;
    }
    open.set(ip, n);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
    });
  });
}

/** node:http's createServer with a handler tried before the router's (typed as the adapter expects it). */
const withFastPath = (fast: FastPath) =>
  ((opts: ServerOptions, listener: RequestListener) => createServer(opts, (req, res) => fast(req, res) || listener(req, res))) as unknown as typeof createServer;

/** The background services `SERVICES` may name, in the order they start (the sender before the schedule it serves). */
async function backgroundStarters(config: Config): Promise<((ctx: AppContext) => Service | Promise<Service>)[]> {
  const out: ((ctx: AppContext) => Service | Promise<Service>)[] = [startSourcesSync];
  if (config.services.includes('sender')) {
    const { startSenderService } = await import('./deliveries/service.js');
    out.push((ctx) => startSenderService(ctx));
  }
  if (config.services.includes('scheduler')) {
    const { startSchedulerService } = await import('./jobs/service.js');
    out.push(startSchedulerService);
  }
  // The bounce mailbox is a background job, like the schedule: it is read where `scheduler` runs.
  if (config.bounceImapUrl && config.services.includes('scheduler')) {
    const { startImapPoller } = await import('./bounces/imap.js');
    const url = config.bounceImapUrl;
    out.push((ctx) => startImapPoller(ctx, url));
  }
  // The bounce listener takes mail from the internet, like the web server: it runs where `http` runs.
  if (config.bounceSmtp && config.services.includes('http')) {
    const { startInboundListener } = await import('./bounces/inbound.js');
    const o = config.bounceSmtp;
    out.push((ctx) => startInboundListener(ctx, o));
  }
  return out;
}

/** Listens with the app behind its fast path for cached pages; resolves once listening. */
export function listenHttp(app: Hono, o: { port: number; hostname: string; serverOptions?: ServerOptions }): Promise<ServerType> {
  const fast = fastPathOf(app);
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: o.port,
        hostname: o.hostname,
        serverOptions: o.serverOptions ?? {},
        // Cached public pages are answered from their bytes before a Request object is built for the router.
        ...(fast ? { createServer: withFastPath(fast) } : {}),
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
}

export interface RunningServer {
  ctx: AppContext;
  port: number;
  stop(): Promise<void>;
}

/** Starts HTTP and the background services on a config; resolves once listening. */
export async function startServer(config: Config): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const ctx = await createContext(config, { log });
  for (const w of config.warnings) log.warn(w);
  log.debug({ config: redactConfig(config) }, 'configuration');
  if (config.adminTokenGenerated) {
    // Printed once, on the start that generated it; afterwards it lives only in data/admin.token.
    process.stdout.write(`\nAdmin token (saved to ${config.dataDir}/admin.token, shown only this once):\n  ${config.adminToken}\n\n`);
  }
  try {
    await ctx.mailer.verify();
  } catch (err) {
    log.error({ err: (err as Error).message }, 'mail transport check failed: mails will be retried, fix SMTP_URL');
  }
  // SERVICES picks what this process runs: web processes and sender processes can be scaled apart.
  let server: ServerType | null = null;
  let port = 0;
  if (config.services.includes('http')) {
    server = await listenHttp(createApp(ctx), {
      port: config.port,
      hostname: config.host,
      // A slow client (slowloris) gets its headers in 10 s and its whole request in 30 s, or is cut off.
      serverOptions: { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: 5000, connectionsCheckingInterval: 2000 },
    });
    limitConnectionsPerIp(server, config.trustProxy ? Infinity : MAX_CONNECTIONS_PER_IP, log);
    port = (server.address() as { port: number }).port;
    log.info({ host: config.host, port, url: config.publicUrl, mail: ctx.mailer.kind === 'smtp' ? 'smtp' : `outbox ${config.outboxDir}` }, 'newsdesk listening');
  }
  const services: Service[] = [];
  for (const start of await backgroundStarters(config)) services.push(await start(ctx));
  log.info({ services: config.services }, 'services started');
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down');
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      // The redirect's last batch of clicks is written before the store closes.
      if (server) await (await import('./http/tracking.js')).flushClicks(ctx).catch(() => {});
      for (const s of services.reverse()) {
        try {
          await s.stop();
        } catch (err) {
          log.error({ err: (err as Error).message, service: s.name }, 'service did not stop cleanly');
        }
      }
      await closeContext(ctx);
      log.info('stopped');
    })());
  return { ctx, port, stop };
}
