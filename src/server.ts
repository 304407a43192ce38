import { serve, type ServerType } from '@hono/node-server';
import { closeContext, createContext } from './bootstrap.js';
import type { Config } from './config.js';
import { redactConfig } from './config.js';
import type { AppContext } from './context.js';
import { createApp } from './http/app.js';
import { startSourcesSync } from './feeds/service.js';
import { createLogger } from './lib/log.js';

/** Something started with the server that must stop before the database closes (scheduler, sender). */
export interface Service {
  name: string;
  stop(): Promise<void>;
}

/** Hooks features use to start background work with the server (scheduler, sender loop). */
export const serviceStarters: ((ctx: AppContext) => Service | Promise<Service>)[] = [];
serviceStarters.push(startSourcesSync);

export interface RunningServer {
  ctx: AppContext;
  port: number;
  stop(): Promise<void>;
}

/** Starts HTTP and the background services on a config; resolves once listening. */
export async function startServer(config: Config): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const ctx = createContext(config, { log });
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
  const app = createApp(ctx);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as { port: number }).port;
  log.info({ host: config.host, port, url: config.publicUrl, mail: ctx.mailer.kind === 'smtp' ? 'smtp' : `outbox ${config.outboxDir}` }, 'newsdesk listening');
  const services: Service[] = [];
  for (const start of serviceStarters) services.push(await start(ctx));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down');
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
