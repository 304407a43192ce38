// The delivery loop at scale: an issue sent to 10,000 readers through a real SMTP server that accepts every copy,
// 5 % of which then bounce as Postfix DSNs mailed to newsdesk's inbound listener (over SMTP, 5 connections). Prints
// how fast the reports are applied, and checks that the next issue queues none of the bounced addresses.
//   npx tsx bench/bounce-loop.ts            (BENCH_N=… for another list size)
import nodemailer from 'nodemailer';
import { startInboundListener } from '../src/bounces/inbound.js';
import { createSender } from '../src/deliveries/sender.js';
import { sendIssue } from '../src/deliveries/send.js';
import { makeTestContext } from '../test/helpers/context.js';
import { addSubscribers, deliveryRows, insertIssue, until } from '../test/helpers/deliver-fixtures.js';
import { reportFixture } from '../test/helpers/reports.js';
import { startSmtpSink } from '../test/helpers/smtp.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const sink = await startSmtpSink();
const ctx = await makeTestContext({ env: { SMTP_URL: sink.url, BOUNCE_ADDRESS: 'bounces@news.example', MAIL_FROM: 'digest@news.example', SMTP_POOL_SIZE: '5', LOG_LEVEL: 'silent' } });
const listener = await startInboundListener(ctx, { port: 0, host: '127.0.0.1', perMinute: 1_000_000 });
addSubscribers(ctx, N);
const first = insertIssue(ctx, { date: '2026-04-06' });
await sendIssue(ctx, first);
const sender = createSender(ctx, { maintenanceMs: 100, idlePollMs: 20 });
sender.start();
const t0 = performance.now();
await sink.waitFor(N, 300_000);
await until(() => deliveryRows(ctx, first).every((d) => d.status === 'sent'), 60_000, 'all sent');
const sendMs = performance.now() - t0;

// Every 20th copy bounces after acceptance: its DSN goes to the VERP address it was sent from.
const doomed = sink.received.filter((_, i) => i % 20 === 0);
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 5, maxMessages: Infinity });
const t1 = performance.now();
await Promise.all(
  doomed.map((m) => transport.sendMail({ envelope: { from: '', to: [m.envelopeFrom] }, raw: reportFixture('postfix-hard.eml', { verp: m.envelopeFrom, msgid: m.parsed.messageId!.replace(/^<|>$/g, ''), rcpt: m.envelopeTo[0]! }) })),
);
const emails = new Set(doomed.map((m) => m.envelopeTo[0]!));
const bouncedNow = () => (ctx.sqlite.prepare("SELECT count(*) AS n FROM subscribers WHERE status = 'bounced'").get() as { n: number }).n;
await until(() => bouncedNow() === emails.size, 120_000, 'every bounced address suppressed');
const applyMs = performance.now() - t1;
transport.close();

// The next issue: none of them is queued.
const next = insertIssue(ctx, { date: '2026-04-07' });
const q = await sendIssue(ctx, next);
const queuedToBounced = deliveryRows(ctx, next).filter((d) => emails.has(d.email)).length;
console.log(`${N.toLocaleString('en')} copies accepted in ${(sendMs / 1000).toFixed(1)} s; ${emails.size} of them bounced after acceptance`);
console.log(`${emails.size} DSNs over SMTP applied in ${(applyMs / 1000).toFixed(2)} s (${Math.round((emails.size / applyMs) * 1000)} reports/s); ${bouncedNow()} subscribers bounced`);
console.log(`next issue: ${q.queued} queued, ${queuedToBounced} of them to a bounced address (must be 0) → ${queuedToBounced === 0 && q.queued === N - emails.size ? 'OK' : 'WRONG'}`);
await sender.stop();
await listener.stop();
await sink.close();
await ctx.cleanup();
