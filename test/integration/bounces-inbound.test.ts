import { readFileSync } from 'node:fs';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startInboundListener, type InboundListener } from '../../src/bounces/inbound.js';
import { verpAddress } from '../../src/bounces/verp.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { listReports, reportCounts } from '../../src/deliveries/repo.js';
import type { TestContext } from '../helpers/context.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';
import { reportFixture } from '../helpers/reports.js';
import type { SmtpSink } from '../helpers/smtp.js';

// The delivery loop end to end on real SMTP: an issue sent with VERP envelope senders, then reports mailed back to
// newsdesk's inbound listener, each changing exactly the subscriber it names, or nobody.

const BOUNCES = 'bounces@news.example';
const MAILTO = 'unsubscribe@news.example';
let listener: InboundListener | undefined;
afterEach(async () => {
  await listener?.stop();
  listener = undefined;
});

async function sent(n = 4): Promise<{ ctx: TestContext; sink: SmtpSink; issueId: number; ids: number[] }> {
  const sink = await sinkForTest();
  const ctx = await contextForTest({ env: { SMTP_URL: sink.url, BOUNCE_ADDRESS: BOUNCES, UNSUBSCRIBE_MAILTO: MAILTO, MAIL_FROM: 'Engineering @ Scale <digest@news.example>', SOFT_BOUNCE_LIMIT: '2' } });
  const ids = addSubscribers(ctx, n);
  const issueId = insertIssue(ctx);
  await sendIssue(ctx, issueId);
  senderForTest(ctx, { maintenanceMs: 100, idlePollMs: 20 });
  await sink.waitFor(n);
  await until(() => deliveryRows(ctx, issueId).every((d) => d.status === 'sent'), 10_000, 'all sent');
  return { ctx, sink, issueId, ids };
}

/** Mails a raw report to the listener, as a receiving server's bounce would arrive; resolves with the SMTP answer. */
async function mailReport(port: number, to: string, raw: Buffer, from = ''): Promise<{ ok: boolean; response: string }> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
  try {
    const info = await t.sendMail({ envelope: { from, to: [to] }, raw });
    return { ok: true, response: info.response };
  } catch (err) {
    return { ok: false, response: String((err as { response?: string }).response ?? (err as Error).message) };
  } finally {
    t.close();
  }
}

const statusOf = (ctx: TestContext, id: number) => (ctx.sqlite.prepare('SELECT status FROM subscribers WHERE id = ?').get(id) as { status: string }).status;
const events = (ctx: TestContext, id: number) => ctx.sqlite.prepare('SELECT type, detail FROM consent_events WHERE subscriber_id = ? ORDER BY id').all(id) as { type: string; detail: string }[];

describe('bounces and complaints through the inbound SMTP listener', () => {
  it('sends with a VERP envelope sender naming each delivery, and a Feedback-ID', async () => {
    const { ctx, sink, issueId } = await sent(3);
    for (const m of sink.received) {
      const d = deliveryRows(ctx, issueId).find((x) => x.email === m.envelopeTo[0])!;
      expect(m.envelopeFrom).toBe(verpAddress(ctx.config.secretKey, BOUNCES, d.id));
      expect(m.parsed.from?.value[0]?.address).toBe('digest@news.example');
      expect(m.raw.toString()).toMatch(new RegExp(`^Feedback-ID: issue-${issueId}:newsletter:news\\.example\\r$`, 'm'));
    }
  });

  it('a hard bounce, a soft bounce counted once per issue, a complaint and an unsubscribe mail each change the one subscriber they name', async () => {
    const { ctx, sink, issueId, ids } = await sent(4);
    listener = await startInboundListener(ctx, { port: 0, host: '127.0.0.1' });
    const rows = deliveryRows(ctx, issueId);
    const verpOf = (i: number) => sink.received.find((m) => m.envelopeTo[0] === rows[i]!.email)!.envelopeFrom;
    const msgidOf = (i: number) => `issue-${issueId}.sub-${rows[i]!.subscriberId}@news.example`;
    const fx = (name: string, i: number) => reportFixture(name, { verp: verpOf(i), msgid: msgidOf(i), rcpt: rows[i]!.email });

    // Hard: Postfix's DSN to the VERP address.
    expect((await mailReport(listener.port, verpOf(0), fx('postfix-hard.eml', 0))).ok).toBe(true);
    expect(statusOf(ctx, ids[0]!)).toBe('bounced');
    expect(events(ctx, ids[0]!).at(-1)).toMatchObject({ type: 'bounce', detail: expect.stringContaining('5.1.1') });
    expect(deliveryRows(ctx, issueId)[0]!.status).toBe('bounced');
    expect(readFileSync(ctx.store.suppressionLog!, 'utf8')).toContain('"event":"bounce"');

    // Soft: counted once for this issue however often it is reported; the limit (2) is issues in a row.
    for (let k = 0; k < 2; k++) expect((await mailReport(listener.port, verpOf(1), Buffer.from(fx('postfix-soft.eml', 1).toString().replace('Mailbox full', `Mailbox full ${k}`)))).ok).toBe(true);
    expect(statusOf(ctx, ids[1]!)).toBe('confirmed');
    expect(events(ctx, ids[1]!).filter((e) => e.type === 'soft_bounce')).toHaveLength(1);
    const soft = await listReports(ctx, { subscriberId: ids[1]! });
    expect(soft.map((r) => r.action)).toEqual(['nothing: a soft bounce of this issue was counted already', 'counted: 1 of 2 issues in a row']);

    // Complaint: Yahoo's ARF, sent to the bounce address (no token in the RCPT; the quoted Return-Path has it).
    expect((await mailReport(listener.port, BOUNCES, fx('yahoo-arf.eml', 2))).ok).toBe(true);
    expect(statusOf(ctx, ids[2]!)).toBe('unsubscribed');
    expect(events(ctx, ids[2]!).at(-1)).toMatchObject({ type: 'complaint', detail: expect.stringContaining('spam complaint') });

    // An unsubscribe by mail to the List-Unsubscribe address.
    expect((await mailReport(listener.port, MAILTO, reportFixture('unsubscribe-mail.eml', { rcpt: rows[3]!.email }), rows[3]!.email)).ok).toBe(true);
    expect(statusOf(ctx, ids[3]!)).toBe('unsubscribed');

    expect((await reportCounts(ctx, [issueId])).get(issueId)).toEqual({ hard: 1, soft: 2, complaints: 1 });
  });

  it('changes nobody for a forged token, an unknown delivery, a foreign Message-ID, a not-spam report, an ARF without original, or junk', async () => {
    const { ctx, sink, issueId, ids } = await sent(2);
    listener = await startInboundListener(ctx, { port: 0, host: '127.0.0.1' });
    const rows = deliveryRows(ctx, issueId);
    const verp0 = sink.received.find((m) => m.envelopeTo[0] === rows[0]!.email)!.envelopeFrom;
    const forged = verp0.replace(/-([a-z2-7]{10})@/, (_, mac: string) => `-${mac.slice(0, 9)}${mac.endsWith('a') ? 'b' : 'a'}@`);
    const rcpt = rows[0]!.email;
    const cases: [string, Buffer][] = [
      [forged, reportFixture('postfix-hard.eml', { verp: forged, msgid: `issue-${issueId}.sub-${rows[0]!.subscriberId}@news.example`, rcpt })],
      [verpAddress(ctx.config.secretKey, BOUNCES, 999_999), reportFixture('postfix-hard.eml', { verp: verpAddress(ctx.config.secretKey, BOUNCES, 999_999), msgid: 'x@y', rcpt })],
      [BOUNCES, reportFixture('gmail-hard.eml', { verp: BOUNCES, msgid: 'CAF123@mail.gmail.example', rcpt })],
      // Our Message-ID, but the report is about someone else: a guessed Message-ID bounces nobody.
      [BOUNCES, reportFixture('exim-hard.eml', { verp: BOUNCES, msgid: `issue-${issueId}.sub-${rows[0]!.subscriberId}@news.example`, rcpt: 'someone.else@example.org' })],
      [BOUNCES, reportFixture('not-spam-arf.eml', { verp: BOUNCES, msgid: `issue-${issueId}.sub-${rows[0]!.subscriberId}@news.example` })],
      [BOUNCES, reportFixture('arf-no-original.eml')],
      [BOUNCES, reportFixture('auto-reply.eml', { verp: BOUNCES, rcpt })],
    ];
    for (const [to, raw] of cases) expect((await mailReport(listener.port, to, raw)).ok, to).toBe(true);
    for (const id of ids) expect(statusOf(ctx, id)).toBe('confirmed');
    const reports = await listReports(ctx, {});
    expect(reports).toHaveLength(cases.length);
    expect(reports.map((r) => r.kind).sort()).toEqual(['notice', 'unmatched', 'unmatched', 'unmatched', 'unmatched', 'unmatched', 'unmatched']);
    const details = reports.map((r) => r.detail ?? '').join('\n');
    expect(details).toMatch(/VERP token that does not verify/);
    expect(details).toMatch(/names delivery 999999, which does not exist/);
    expect(details).toMatch(/not one of ours/);
    expect(details).toMatch(/that Message-ID was sent to someone else/);
    expect(details).toMatch(/neither a VERP token nor the original Message-ID/);
    expect(details).toMatch(/neither a delivery status notification nor a feedback report/);

    // The same DSN twice is applied once.
    const real = reportFixture('postfix-hard.eml', { verp: verp0, msgid: 'a@b', rcpt });
    await mailReport(listener.port, verp0, real);
    await mailReport(listener.port, verp0, real);
    expect(statusOf(ctx, ids[0]!)).toBe('bounced');
    expect(events(ctx, ids[0]!).filter((e) => e.type === 'bounce')).toHaveLength(1);
    expect((await listReports(ctx, { subscriberId: ids[0]! })).map((r) => r.action)).toEqual(['bounced']);
  });

  it('refuses other recipients, mails over the size limit and a flood from one address', async () => {
    const { ctx } = await sent(1);
    listener = await startInboundListener(ctx, { port: 0, host: '127.0.0.1', perMinute: 5 });
    const other = await mailReport(listener.port, 'postmaster@news.example', reportFixture('auto-reply.eml'));
    expect(other).toMatchObject({ ok: false, response: expect.stringMatching(/^550 .*bounce reports only/) });
    const huge = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(20 * 1024 * 1024, 'a')]);
    expect(await mailReport(listener.port, BOUNCES, huge)).toMatchObject({ ok: false, response: expect.stringMatching(/^55[24] /) });
    const answers: boolean[] = [];
    for (let i = 0; i < 8; i++) answers.push((await mailReport(listener.port, BOUNCES, reportFixture('auto-reply.eml'))).ok);
    // The rate counts every mail this minute (the two above included): the rest are asked to wait, not read.
    expect(answers.filter(Boolean).length).toBeLessThanOrEqual(5);
    expect(answers.at(-1)).toBe(false);
    expect((await listReports(ctx, {})).length).toBeLessThanOrEqual(5);
    // A plain connection is still served after all that.
    const s = net.connect(listener.port, '127.0.0.1');
    const greeting = await new Promise<string>((r) => s.once('data', (b) => r(b.toString())));
    s.destroy();
    expect(greeting).toMatch(/^220 /);
  }, 60_000);
});
