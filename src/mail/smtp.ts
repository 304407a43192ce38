import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Writable } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim';

/** The headers DKIM signs: nodemailer's defaults and Feedback-ID. */
export const DKIM_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:Content-ID:Content-Description:' +
  'Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:Resent-Message-ID:In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:' +
  'List-Unsubscribe-Post:List-Subscribe:List-Post:List-Owner:List-Archive:Feedback-ID';
import { toNodemailer } from './compose.js';
import { isSmtpReady, MailError, rawBuffer, type Mailer, type MailMessage, type RawMail, type SendResult } from './mailer.js';

export interface SmtpOptions {
  url: string;
  poolSize: number;
  /** Kept for compatibility: the delivery sender paces SEND_RATE itself. */
  rate: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** Milliseconds to wait for a TCP connection and for the greeting (default 30 s). */
  connectTimeoutMs?: number;
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
  permanent?: boolean;
  response?: string;
}

/** Where a message was when its transaction failed: decides whether the server may already have it. */
export type SendPhase = 'connect' | 'envelope' | 'data' | 'dot';

const retryHint = (text: string): number | undefined => {
  const m = /(\d+)\s*(seconds?|secs?|s\b|minutes?|mins?)/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return /^m/i.test(m[2]!) ? n * 60_000 : n * 1000;
};

/**
 * Turns a nodemailer error into a MailError. 5xx is permanent (503 bad sequence is not); 535/534 is an
 * auth failure; the phase decides whether the relay is the problem (connect) and whether the server
 * may hold the message (dropped after the final dot).
 */
export function toMailError(err: unknown, phase: SendPhase = 'envelope'): MailError {
  const e = (err ?? {}) as NodemailerError;
  const code = e.responseCode;
  const auth = e.code === 'EAUTH' || code === 535 || code === 534 || code === 530;
  const permanent = !auth && typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
  const noAnswer = code === undefined;
  const afterData = phase === 'dot' && noAnswer;
  // A failed STARTTLS says so: the server's bare answer ("500 command not recognized") would not.
  const said = e.code === 'ETLS' && e.response ? `${e.message}: ${e.response}` : (e.response ?? e.message ?? String(err));
  const text = said.replace(/\s+/g, ' ').slice(0, 500);
  // 421 is the server closing the session; a 4xx to MAIL FROM (454 throttling) is the server pacing everyone.
  const connection =
    !auth && (phase === 'connect' || code === 421 || (e.command === 'MAIL FROM' && typeof code === 'number' && code < 500) || (phase === 'envelope' && noAnswer));
  return new MailError(text, permanent, {
    responseCode: code,
    code: e.code,
    command: e.command,
    afterData,
    auth,
    connection,
    retryAfterMs: typeof code === 'number' && code < 500 ? retryHint(text) : undefined,
  });
}

const DOT = Buffer.from('.');

interface DataStreamLike {
  inByteCount: number;
  outByteCount: number;
  lastByte: number | false;
  push(b: Buffer): boolean;
  _transform(chunk: Buffer, enc: BufferEncoding, done: () => void): void;
  _flush(done: () => void): void;
}

const phases = new WeakMap<object, { phase: SendPhase }>();
const phaseOf = (conn: object) => {
  let t = phases.get(conn);
  if (!t) phases.set(conn, (t = { phase: 'envelope' }));
  return t;
};

/**
 * The dot-stuffing of nodemailer's DataStream walks every byte in JavaScript, which costs more than the
 * rest of sending. For input whose every line ends in CRLF (all newsdesk builds) this does the same work
 * per line with native indexOf; anything else (a bare CR or LF) goes to nodemailer's own transform.
 */
function fastDotStuffing(ds: DataStreamLike, socket: Writable | null, onDot: () => void): void {
  const original = ds._transform.bind(ds);
  const originalFlush = ds._flush.bind(ds);
  let wroteDot = false;
  ds._flush = (done) => (wroteDot ? done() : originalFlush(done));
  ds._transform = (chunk, enc, done) => {
    const given = Buffer.isBuffer(chunk) ? directParts.get(chunk) : undefined;
    if (given && socket && ds.lastByte === false) {
      // A message given in SMTP-ready pieces: written straight to the socket with its final dot, corked so that
      // the pieces leave in one writev. The shared pieces are never copied together in memory.
      let size = 0;
      socket.cork();
      for (const p of given) {
        socket.write(p);
        size += p.length;
      }
      const last = given.at(-1)?.at(-1);
      const dot = last === 0x0a ? DOT_END : CRLF_DOT_END;
      socket.write(dot);
      onDot();
      socket.uncork();
      wroteDot = true;
      ds.inByteCount += size;
      ds.outByteCount += size + dot.length;
      ds.lastByte = 0x0a;
      return done();
    }
    if (given) {
      for (const p of given) ds.push(p);
      ds.inByteCount += chunk.length;
      ds.lastByte = given.at(-1)?.at(-1) ?? ds.lastByte;
      return done();
    }
    if (!Buffer.isBuffer(chunk) || !chunk.length) return original(chunk, enc, done);
    const prev = ds.lastByte;
    if (isSmtpReady(chunk) && (prev === false || prev === 0x0a)) {
      // Built by newsdesk's MIME builder: CRLF only and no line starting with a dot, by construction.
      ds.inByteCount += chunk.length;
      ds.outByteCount += chunk.length;
      ds.lastByte = chunk[chunk.length - 1]!;
      ds.push(chunk);
      return done();
    }
    if ((prev === 0x0d) !== (chunk[0] === 0x0a)) return original(chunk, enc, done);
    for (let i = chunk.indexOf(0x0d); i !== -1; i = chunk.indexOf(0x0d, i + 1)) {
      if (i + 1 < chunk.length && chunk[i + 1] !== 0x0a) return original(chunk, enc, done);
    }
    const parts: Buffer[] = [];
    let last = 0;
    if (chunk[0] === 0x2e && (prev === 0x0a || prev === false)) parts.push(DOT);
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      if (i > 0 && chunk[i - 1] !== 0x0d) return original(chunk, enc, done);
      if (chunk[i + 1] === 0x2e) {
        parts.push(chunk.subarray(last, i + 1), DOT);
        last = i + 1;
      }
    }
    const out = parts.length ? Buffer.concat([...parts, chunk.subarray(last)]) : chunk;
    ds.inByteCount += chunk.length;
    ds.outByteCount += out.length;
    ds.lastByte = chunk[chunk.length - 1]!;
    ds.push(out);
    done();
  };
}

/** Pieces of a prepared message, keyed by the one-byte stand-in that nodemailer is handed in its place. */
const directParts = new WeakMap<Buffer, readonly Buffer[]>();
const DOT_END = Buffer.from('.\r\n');
const CRLF_DOT_END = Buffer.from('\r\n.\r\n');

interface Job {
  from: string;
  to: string;
  /** Whole, or SMTP-ready pieces (only without DKIM: a signature needs the whole message). */
  raw: Buffer | readonly Buffer[];
  messageId: string;
  resolve(r: SendResult): void;
  reject(e: MailError): void;
}

interface PooledConn {
  conn: SMTPConnection;
  busy: boolean;
  dead: boolean;
}

/**
 * A pool of nodemailer's low-level SMTPConnection: up to `size` sessions kept open and reused for every
 * message (no per-connection message cap), each message written as prepared MIME. It tracks the phase of
 * each transaction so a drop after the final dot is told apart from one before it.
 */
export class RawSmtpPool {
  private readonly queue: Job[] = [];
  private readonly conns: PooledConn[] = [];
  private opening = 0;
  private closed = false;
  private readonly dkim?: DKIM;

  constructor(
    private readonly o: {
      host: string;
      port: number;
      secure: boolean;
      ignoreTLS: boolean;
      requireTLS: boolean;
      rejectUnauthorized: boolean;
      auth?: { user: string; pass: string };
      size: number;
      connectTimeoutMs: number;
      dkim?: SmtpOptions['dkim'];
    },
  ) {
    // Feedback-ID is signed too: a feedback loop trusts only a signed campaign id.
    if (o.dkim) this.dkim = new DKIM({ ...o.dkim, headerFieldNames: DKIM_HEADERS });
  }

  /** Sends one prepared message; rejects with a classified MailError. */
  send(from: string, to: string, raw: Buffer | readonly Buffer[], messageId: string): Promise<SendResult> {
    if (this.closed) return Promise.reject(new MailError('mailer closed', false, { connection: true }));
    return new Promise((resolve, reject) => {
      this.queue.push({ from, to, raw, messageId, resolve, reject });
      this.dispatch();
    });
  }

  /** Opens one session and quits: a clear error for a wrong host, port, TLS setting or password. */
  async verify(): Promise<void> {
    const conn = await this.open();
    conn.quit();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new MailError('mailer closed', false, { connection: true }));
    for (const c of this.conns) c.conn.quit();
    this.conns.length = 0;
  }

  private connOptions() {
    return {
      host: this.o.host,
      port: this.o.port,
      secure: this.o.secure,
      ignoreTLS: this.o.ignoreTLS,
      requireTLS: this.o.requireTLS,
      tls: { rejectUnauthorized: this.o.rejectUnauthorized },
      connectionTimeout: this.o.connectTimeoutMs,
      greetingTimeout: this.o.connectTimeoutMs,
      // Never short: a slow answer after the final dot must not be mistaken for a failure.
      socketTimeout: 10 * 60_000,
      socketCloseTimeout: 1000,
    };
  }

  private open(): Promise<SMTPConnection> {
    return new Promise((resolve, reject) => {
      const conn = new SMTPConnection(this.connOptions());
      // The data stream exists only once the server said 354, and flushes the final dot when the
      // message is all written: the two moments that decide whether a lost connection is ambiguous.
      const tracker = phaseOf(conn);
      const internals = conn as unknown as { _createSendStream(cb: unknown): DataStreamLike };
      const create = internals._createSendStream.bind(conn);
      internals._createSendStream = (cb) => {
        const ds = create(cb);
        tracker.phase = 'data';
        const socket = (conn as unknown as { _socket?: Writable | false })._socket || null;
        fastDotStuffing(ds, socket, () => (tracker.phase = 'dot'));
        const flush = ds._flush.bind(ds);
        ds._flush = (done) => {
          tracker.phase = 'dot';
          flush(done);
        };
        return ds;
      };
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        conn.close();
        reject(toMailError(err, 'connect'));
      };
      conn.once('error', fail);
      conn.connect((err) => {
        if (err) return fail(err);
        if (!this.o.auth) {
          settled = true;
          return resolve(conn);
        }
        conn.login({ user: this.o.auth.user, pass: this.o.auth.pass }, (lerr) => {
          if (lerr) return fail(lerr);
          settled = true;
          resolve(conn);
        });
      });
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      const idle = this.conns.find((c) => !c.busy && !c.dead);
      if (idle) {
        this.run(idle, this.queue.shift()!);
        continue;
      }
      if (this.conns.length + this.opening >= this.o.size || this.opening >= this.queue.length) return;
      this.opening++;
      this.open().then(
        (conn) => {
          this.opening--;
          if (this.closed) return conn.quit();
          const pc: PooledConn = { conn, busy: false, dead: false };
          const drop = () => {
            pc.dead = true;
            const i = this.conns.indexOf(pc);
            if (i >= 0) this.conns.splice(i, 1);
          };
          conn.on('error', drop);
          conn.once('end', () => {
            drop();
            this.dispatch();
          });
          this.conns.push(pc);
          this.dispatch();
        },
        (err: MailError) => {
          this.opening--;
          // A failed connection costs the oldest waiting message one try; the caller decides what it means.
          this.queue.shift()?.reject(err);
          this.dispatch();
        },
      );
    }
  }

  /** Whether messages go out signed (then pieces are joined first: the signature covers the whole body). */
  get signs(): boolean {
    return this.dkim !== undefined;
  }

  private async signed(raw: Buffer | readonly Buffer[]): Promise<Buffer | readonly Buffer[]> {
    if (!this.dkim) return raw;
    if (!Buffer.isBuffer(raw)) raw = rawBuffer(raw);
    const chunks: Buffer[] = [];
    for await (const c of this.dkim.sign(raw)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private run(pc: PooledConn, job: Job): void {
    pc.busy = true;
    const tracker = phaseOf(pc.conn);
    tracker.phase = 'envelope';
    const finish = (err: unknown, info?: { response?: string }) => {
      if (err) {
        // A 421 to RCPT closes the session, and nodemailer reports the closing: the recipient's own answer says
        // it was that receiving domain deferring, not the relay going away.
        const rejected = (pc.conn as unknown as { _envelope?: { rejectedErrors?: NodemailerError[] } })._envelope?.rejectedErrors ?? [];
        const rcpt = rejected.find((r) => r.responseCode === 421);
        job.reject(rcpt ? toMailError(rcpt, 'envelope') : toMailError(err, tracker.phase));
        if (!pc.dead && !(pc.conn as unknown as { _destroyed?: boolean })._destroyed) {
          // End whatever transaction the failure left open before the session is reused.
          pc.conn.reset((rerr) => {
            if (rerr) {
              pc.dead = true;
              pc.conn.close();
            }
            pc.busy = false;
            this.dispatch();
          });
          return;
        }
        pc.dead = true;
        const i = this.conns.indexOf(pc);
        if (i >= 0) this.conns.splice(i, 1);
      } else {
        job.resolve({ messageId: job.messageId, response: String(info?.response ?? '') });
      }
      pc.busy = false;
      this.dispatch();
    };
    const hand = (raw: Buffer | readonly Buffer[]) => {
      let message: Buffer;
      let size: number;
      if (Buffer.isBuffer(raw)) {
        message = raw;
        size = raw.length;
      } else {
        message = Buffer.alloc(1);
        directParts.set(message, raw);
        size = raw.reduce((n, p) => n + p.length, 0);
      }
      // With PIPELINING, nodemailer writes MAIL, RCPT and DATA corked: they leave as one segment and the server
      // answers them in one read instead of three.
      pc.conn.send({ from: job.from, to: [job.to], size }, message, (err, info) => finish(err, info));
    };
    // Unsigned messages go on at once; a DKIM signature is computed first.
    if (!this.dkim) return hand(job.raw);
    this.signed(job.raw).then(hand, (err) => finish(err));
  }
}

/** What SMTP_URL says: host, port, TLS choices and login. */
export function smtpUrlParts(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
    requireTLS: url.searchParams.get('requireTLS') === 'true',
    rejectUnauthorized: url.searchParams.get('tlsRejectUnauthorized') !== 'false',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
  };
}

/** The SMTP Mailer: every message, composed or prepared, goes through one pool of low-level connections. */
export function createSmtpMailer(o: SmtpOptions): Mailer {
  const url = new URL(o.url);
  const parts = smtpUrlParts(o.url);
  const port = parts.port;
  const pool = new RawSmtpPool({
    ...parts,
    size: o.poolSize,
    connectTimeoutMs: o.connectTimeoutMs ?? 30_000,
    dkim: o.dkim,
  });
  const envelopeFrom = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  return {
    kind: 'smtp',
    async send(message: MailMessage) {
      const opts = toNodemailer(message);
      const raw = await new MailComposer(opts).compile().build();
      return pool.send(envelopeFrom(message.from), message.to, raw, String(opts.messageId).replace(/^<|>$/g, ''));
    },
    sendRaw(message: RawMail) {
      // Pieces go out as they are only when every one is SMTP-ready and nothing needs the whole message.
      const raw = Array.isArray(message.raw) && isSmtpReady(message.raw) && !pool.signs ? (message.raw as readonly Buffer[]) : rawBuffer(message.raw);
      return pool.send(envelopeFrom(message.from), message.to, raw, message.messageId);
    },
    async verify() {
      try {
        await pool.verify();
      } catch (err) {
        const e = err instanceof MailError ? err : toMailError(err, 'connect');
        throw new MailError(`SMTP server ${url.hostname}:${port} not usable: ${e.message}`, false, e.opts);
      }
    },
    close: () => pool.close(),
  };
}
