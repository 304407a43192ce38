import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { toNodemailer } from './compose.js';
import { MailError, type Mailer, type MailMessage, type RawMail, type SendResult } from './mailer.js';

export interface SmtpOptions {
  url: string;
  poolSize: number;
  /** Messages per second across the pool; 0 = unlimited. */
  rate: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
  permanent?: boolean;
  response?: string;
}

/** Turns a nodemailer error into a MailError: 5xx permanent, anything else (4xx, network) temporary. */
export function toMailError(err: unknown): MailError {
  const e = (err ?? {}) as NodemailerError;
  const code = e.responseCode;
  const auth = e.code === 'EAUTH' || code === 535 || code === 534;
  const permanent = !auth && typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
  const afterData = e.command === 'DATA' || /after.*(dot|data)|CONN.*(final|DATA)/i.test(String(e.message)) || e.code === 'ETIMEDOUT' && e.command === 'DATA';
  const message = (e.response ?? e.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 500);
  return new MailError(message, permanent, { responseCode: code, code: e.code, command: e.command, afterData, auth });
}

/** A pooled nodemailer SMTP transport behind the Mailer port. */
export function createSmtpMailer(o: SmtpOptions): Mailer {
  const url = new URL(o.url);
  const secure = url.protocol === 'smtps:';
  const poolOpts: SMTPPool.Options = {
    pool: true,
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    maxConnections: o.poolSize,
    // The default of 100 messages per connection costs a reconnect every 100 mails.
    maxMessages: Infinity,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    // Never short: a slow answer after the final dot must not be mistaken for a failure.
    socketTimeout: 10 * 60_000,
    dkim: o.dkim,
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
    requireTLS: url.searchParams.get('requireTLS') === 'true',
    tls: url.searchParams.get('tlsRejectUnauthorized') === 'false' ? { rejectUnauthorized: false } : undefined,
  };
  if (o.rate > 0) {
    poolOpts.rateDelta = 1000;
    poolOpts.rateLimit = Math.max(1, Math.round(o.rate));
  }
  const transport = nodemailer.createTransport(poolOpts);
  const wrap = async (p: Promise<{ messageId?: string; response?: string }>, fallbackId: string): Promise<SendResult> => {
    try {
      const info = await p;
      return { messageId: String(info.messageId ?? fallbackId).replace(/^<|>$/g, ''), response: String(info.response ?? '') };
    } catch (err) {
      throw toMailError(err);
    }
  };
  return {
    kind: 'smtp',
    send(message: MailMessage) {
      const opts = toNodemailer(message);
      return wrap(transport.sendMail(opts), String(opts.messageId));
    },
    sendRaw(message: RawMail) {
      return wrap(
        transport.sendMail({ envelope: { from: message.from, to: [message.to] }, raw: message.raw, messageId: `<${message.messageId}>` }),
        message.messageId,
      );
    },
    async verify() {
      try {
        await transport.verify();
      } catch (err) {
        const e = toMailError(err);
        throw new MailError(`SMTP server ${url.hostname}:${poolOpts.port} not usable: ${e.message}`, false, e.opts);
      }
    },
    async close() {
      transport.close();
    },
  };
}
