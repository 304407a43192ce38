// The IMAP poller (BOUNCE_IMAP_URL, e.g. imaps://user:pass@imap.example.com/INBOX): a dedicated mailbox read every
// minute. Each bounce report, feedback report or unsubscribe mail is applied and then moved to `Processed`; any
// other mail is left where it is, unread, untouched. A mail larger than the report limit is not downloaded.
import { ImapFlow } from 'imapflow';
import type { AppContext } from '../context.js';
import type { Service } from '../server.js';
import { handleReportMail } from './apply.js';
import { MAX_REPORT_BYTES } from './parse.js';

export const PROCESSED = 'Processed';
const POLL_MS = 60_000;

/** What one poll did. */
export interface PollReport {
  seen: number;
  processed: number;
  leftAlone: number;
}

/** The parts of BOUNCE_IMAP_URL. */
export function imapUrlParts(u: string) {
  const url = new URL(u);
  const secure = url.protocol === 'imaps:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(url.username),
    pass: decodeURIComponent(url.password),
    mailbox: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX',
    rejectUnauthorized: url.searchParams.get('tlsRejectUnauthorized') !== 'false',
  };
}

const addresses = (v: string | undefined) => (v ?? '').match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? [];

/** Reads the mailbox once: applies every report in it and moves it to Processed. */
export async function pollMailbox(ctx: AppContext, imapUrl: string): Promise<PollReport> {
  const p = imapUrlParts(imapUrl);
  const client = new ImapFlow({ host: p.host, port: p.port, secure: p.secure, auth: { user: p.user, pass: p.pass }, logger: false, tls: { rejectUnauthorized: p.rejectUnauthorized }, socketTimeout: 60_000 });
  const report: PollReport = { seen: 0, processed: 0, leftAlone: 0 };
  await client.connect();
  try {
    const list = await client.list();
    if (!list.some((m) => m.path === PROCESSED)) await client.mailboxCreate(PROCESSED);
    const lock = await client.getMailboxLock(p.mailbox);
    try {
      const uids: { uid: number; size: number }[] = [];
      const status = await client.status(p.mailbox, { messages: true });
      if (status.messages) for await (const m of client.fetch('1:*', { uid: true, size: true })) uids.push({ uid: m.uid, size: m.size ?? 0 });
      const done: number[] = [];
      for (const m of uids) {
        report.seen++;
        if (m.size > MAX_REPORT_BYTES) {
          report.leftAlone++;
          continue;
        }
        // Downloaded without setting \Seen: mail that is not a report stays as it was.
        const msg = await client.fetchOne(String(m.uid), { source: true, headers: ['delivered-to', 'x-original-to', 'envelope-to', 'to'] }, { uid: true });
        if (!msg || !msg.source) continue;
        const headers = msg.headers?.toString('utf8') ?? '';
        const recipients = ['delivered-to', 'x-original-to', 'envelope-to', 'to'].flatMap((h) => addresses(new RegExp(`^${h}:(.*)$`, 'im').exec(headers)?.[1]));
        const { reportType } = await handleReportMail(ctx, msg.source, { channel: 'imap', recipients });
        if (reportType === 'other') report.leftAlone++;
        else done.push(m.uid);
      }
      if (done.length) await client.messageMove(done.join(','), PROCESSED, { uid: true });
      report.processed = done.length;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return report;
}

/** Polls BOUNCE_IMAP_URL every minute (and once at start) until stopped. */
export function startImapPoller(ctx: AppContext, imapUrl: string, everyMs = POLL_MS): Service {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = pollMailbox(ctx, imapUrl).then(
      (r) => {
        if (r.seen) ctx.log.info({ ...r }, 'bounce mailbox read');
      },
      (err) => ctx.log.warn({ err: (err as Error).message }, 'bounce mailbox could not be read; trying again in a minute'),
    );
    void running.finally(() => {
      if (!stopped) timer = setTimeout(tick, everyMs);
    });
  };
  tick();
  return {
    name: 'bounce mailbox poller',
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
