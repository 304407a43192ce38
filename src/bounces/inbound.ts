// The inbound SMTP listener (BOUNCE_SMTP_PORT): accepts mail for the bounce address family (bounces+<token>@…)
// and for UNSUBSCRIBE_MAILTO only, each mail at most MAX_REPORT_BYTES, a bounded number of mails per minute from
// one address, and applies what each mail reports. Every other recipient is refused at RCPT.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AppContext } from '../context.js';
import type { Service } from '../server.js';
import { handleReportMail } from './apply.js';
import { MAX_REPORT_BYTES } from './parse.js';
import { verpTokenOf } from './verp.js';

/** Mails one client address may deliver per minute; more are told to try later (a mail bomb is slowed, not read). */
export const MAILS_PER_MINUTE = 600;
/** Connections at once. */
const MAX_CLIENTS = 50;

export interface InboundListener extends Service {
  port: number;
}

/** Whether the listener takes mail for an address. */
export function acceptsRecipient(ctx: AppContext, address: string): boolean {
  const a = address.toLowerCase();
  if (ctx.config.unsubscribeMailto && a === ctx.config.unsubscribeMailto.toLowerCase()) return true;
  return !!ctx.config.bounceAddress && verpTokenOf(ctx.config.bounceAddress, a) !== null;
}

/** Starts the listener on `port` (0: any free port) and `host`. */
export async function startInboundListener(ctx: AppContext, o: { port: number; host: string; perMinute?: number }): Promise<InboundListener> {
  const limit = o.perMinute ?? MAILS_PER_MINUTE;
  const log = ctx.log;
  const perMinute = new Map<string, { start: number; n: number }>();
  const tooMany = (ip: string): boolean => {
    const now = Date.now();
    let w = perMinute.get(ip);
    if (!w || now - w.start >= 60_000) perMinute.set(ip, (w = { start: now, n: 0 }));
    return ++w.n > limit;
  };
  let warnedAt = 0;
  const options: SMTPServerOptions = {
    name: (() => {
      try {
        return new URL(ctx.config.publicUrl).hostname;
      } catch {
        return 'newsdesk';
      }
    })(),
    banner: 'newsdesk bounce and unsubscribe mailbox',
    size: MAX_REPORT_BYTES,
    maxClients: MAX_CLIENTS,
    authOptional: true,
    // No TLS certificate of ours here: STARTTLS would offer smtp-server's built-in (expired) one.
    disabledCommands: ['AUTH', 'STARTTLS'],
    socketTimeout: 30_000,
    closeTimeout: 5_000,
    logger: false,
    onMailFrom(_address, session, cb) {
      if (tooMany(session.remoteAddress)) {
        if (Date.now() - warnedAt > 60_000) log.warn({ ip: session.remoteAddress, perMinute: limit }, 'too many report mails from one address: asking it to wait');
        warnedAt = Date.now();
        const err = new Error('Too many messages; try again later') as Error & { responseCode: number };
        err.responseCode = 421;
        return cb(err);
      }
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (acceptsRecipient(ctx, address.address)) return cb();
      const err = new Error('No such mailbox here: this server takes bounce reports only') as Error & { responseCode: number };
      err.responseCode = 550;
      cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => cb(err));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const err = new Error(`Message too large: at most ${MAX_REPORT_BYTES} bytes`) as Error & { responseCode: number };
          err.responseCode = 552;
          return cb(err);
        }
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        handleReportMail(ctx, Buffer.concat(chunks), { channel: 'smtp', recipients }).then(
          () => cb(),
          (err) => {
            // The report stays with the sending server, which retries: nothing is lost to a database hiccup.
            log.error({ err: (err as Error).message }, 'report mail could not be applied: asked the sender to retry');
            const e = new Error('Temporary failure; try again later') as Error & { responseCode: number };
            e.responseCode = 451;
            cb(e);
          },
        );
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', (err) => log.warn({ err: err.message }, 'bounce listener connection error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  log.info({ host: o.host, port, bounceAddress: ctx.config.bounceAddress, unsubscribeMailto: ctx.config.unsubscribeMailto }, 'bounce listener ready');
  return {
    name: 'bounce listener',
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
