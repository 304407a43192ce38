// A scriptable raw SMTP responder on 127.0.0.1: it can answer anything at any stage, including
// dropping the connection after the final dot, so real client error shapes show up in tests.
import net from 'node:net';

/** The points where the script decides the reply. */
export type Stage = 'greeting' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data' | 'dot' | 'rset' | 'other';
/**
 * A reply line ('250 ok'), DROP to destroy the socket without answering, DROP_IN_DATA (at the data stage:
 * answer 354, then destroy the socket on the first chunk of the message), HANG (at the dot: never answer, keep the
 * connection open, as a relay that hangs after the final dot), or null for the default.
 */
export type Reply = string | 'DROP' | 'DROP_IN_DATA' | 'HANG' | null | undefined;

export interface RawMessage {
  from: string;
  to: string[];
  data: string;
  /** What the script answered to the final dot ('DROP' when it dropped the connection). */
  reply: string;
}

export interface RawSmtp {
  port: number;
  url: string;
  messages: RawMessage[];
  /** How often each stage was reached, over all connections. */
  counts: Record<Stage, number>;
  connections: number;
  close(): Promise<void>;
}

const DEFAULTS: Record<Stage, string> = {
  greeting: '220 raw.test ESMTP',
  ehlo: '250-raw.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME',
  auth: '235 2.7.0 ok',
  mail: '250 2.1.0 ok',
  rcpt: '250 2.1.5 ok',
  data: '354 go ahead',
  dot: '250 2.0.0 queued',
  rset: '250 ok',
  other: '250 ok',
};

/** Starts the responder; `script(stage, n, line)` gets the stage and how many times it was reached (1-based). */
export async function startRawSmtp(script: (stage: Stage, n: number, line: string) => Reply = () => null, listenPort = 0): Promise<RawSmtp> {
  const counts = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, 0])) as Record<Stage, number>;
  const messages: RawMessage[] = [];
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((sock) => {
    sockets.add(sock);
    state.connections++;
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let inData = false;
    let env = { from: '', to: [] as string[] };
    const answer = (stage: Stage, line: string): boolean => {
      const r = script(stage, ++counts[stage], line) ?? DEFAULTS[stage];
      if (r === 'DROP' || r === 'DROP_IN_DATA') {
        sock.destroy();
        return false;
      }
      sock.write(r + '\r\n');
      if (/^221|^421/.test(r)) sock.end();
      return true;
    };
    if (!answer('greeting', '')) return;
    let dropInData = false;
    sock.on('data', (chunk) => {
      if (dropInData) return void sock.destroy();
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const data = buf.slice(0, end + 2).replace(/^\.\./gm, '.');
          buf = buf.slice(end + 5);
          inData = false;
          const n = counts.dot + 1;
          const r = script('dot', n, '') ?? DEFAULTS.dot;
          counts.dot = n;
          messages.push({ ...env, data, reply: r });
          env = { from: '', to: [] };
          if (r === 'DROP' || r === 'DROP_IN_DATA') return void sock.destroy();
          if (r === 'HANG') return;
          sock.write(r + '\r\n');
          continue;
        }
        const i = buf.indexOf('\r\n');
        if (i < 0) return;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') {
          if (!answer('ehlo', line)) return;
        } else if (verb === 'AUTH') {
          if (!answer('auth', line)) return;
        } else if (verb === 'MAIL') {
          env.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          if (!answer('mail', line)) return;
        } else if (verb === 'RCPT') {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const r = script('rcpt', ++counts.rcpt, to) ?? DEFAULTS.rcpt;
          if (r === 'DROP' || r === 'DROP_IN_DATA') return void sock.destroy();
          if (r.startsWith('2')) env.to.push(to);
          sock.write(r + '\r\n');
        } else if (verb === 'DATA') {
          const r = script('data', ++counts.data, line) ?? DEFAULTS.data;
          if (r === 'DROP') return void sock.destroy();
          if (r === 'DROP_IN_DATA') {
            dropInData = true;
            sock.write('354 go ahead\r\n');
            return;
          }
          sock.write(r + '\r\n');
          if (r.startsWith('354')) inData = true;
        } else if (verb === 'RSET') {
          env = { from: '', to: [] };
          if (!answer('rset', line)) return;
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n');
          return;
        } else if (!answer('other', line)) return;
      }
    });
  });
  await new Promise<void>((r) => server.listen(listenPort, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    counts,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
