// SMTP over TLS against a real smtp-server with a certificate made for the test: STARTTLS, implicit TLS (smtps),
// and the ways it must fail closed (untrusted certificate, STARTTLS stripped under requireTLS) without sending a
// password in the clear or marking anyone failed.
import { describe, expect, it } from 'vitest';
import type { SMTPServerOptions } from 'smtp-server';
import { sendIssue } from '../../src/deliveries/send.js';
import type { Sender } from '../../src/deliveries/sender.js';
import { createSmtpMailer } from '../../src/mail/smtp.js';
import type { TestContext } from '../helpers/context.js';
import { selfSignedCert } from '../helpers/tls.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

const { key, cert } = selfSignedCert();

/** A sink that records, for every AUTH and MAIL FROM, whether the session was encrypted at that moment. */
async function tlsSink(options: Partial<SMTPServerOptions>) {
  const auths: { user: string; secure: boolean }[] = [];
  const mails: boolean[] = [];
  const sink = await sinkForTest({
    options: {
      key,
      cert,
      disabledCommands: [],
      authOptional: true,
      onAuth(auth, session, cb) {
        auths.push({ user: auth.username ?? '', secure: Boolean((session as { secure?: boolean }).secure) });
        cb(null, { user: auth.username });
      },
      onMailFrom(_address, session, cb) {
        mails.push(Boolean((session as { secure?: boolean }).secure));
        cb();
      },
      ...options,
    },
  });
  return { sink, auths, mails };
}

/** Queues one issue to n subscribers and starts a sender against the given SMTP URL. */
async function sendThrough(url: string, n: number): Promise<{ c: TestContext; issueId: number; sender: Sender }> {
  const c = await contextForTest({ env: { SMTP_URL: url, SMTP_POOL_SIZE: '2', SEND_RETRY_SCHEDULE: '1s,1s' } });
  addSubscribers(c, n);
  const issueId = insertIssue(c);
  await sendIssue(c, issueId);
  const sender = senderForTest(c, { maintenanceMs: 50, idlePollMs: 20, relayBackoffMs: [100, 400] });
  return { c, issueId, sender };
}

const pausedReason = (c: TestContext, id: number) =>
  (c.sqlite.prepare('SELECT paused_reason AS r FROM issues WHERE id = ?').get(id) as { r: string | null }).r ?? '';

describe('SMTP over TLS', () => {
  it('STARTTLS: the session is encrypted before AUTH and before the first message', async () => {
    const t = await tlsSink({});
    const { c, issueId } = await sendThrough(`smtp://news:secret@127.0.0.1:${t.sink.port}?requireTLS=true&tlsRejectUnauthorized=false`, 4);
    await t.sink.waitFor(4);
    await until(() => deliveryRows(c, issueId).every((r) => r.status === 'sent'), 10_000, 'all sent');
    expect(t.auths.length).toBeGreaterThan(0);
    expect(t.auths.every((a) => a.user === 'news' && a.secure)).toBe(true);
    expect(t.mails.length).toBe(4);
    expect(t.mails.every(Boolean)).toBe(true);
  });

  it('smtps:// (implicit TLS) delivers over an encrypted session', async () => {
    const t = await tlsSink({ secure: true });
    const { c, issueId } = await sendThrough(`smtps://127.0.0.1:${t.sink.port}?tlsRejectUnauthorized=false`, 3);
    await t.sink.waitFor(3);
    await until(() => deliveryRows(c, issueId).every((r) => r.status === 'sent'), 10_000, 'all sent');
    expect(t.mails).toEqual([true, true, true]);
  });

  it('an untrusted certificate fails closed: a clear error, no password sent, nobody marked failed', async () => {
    const t = await tlsSink({});
    const url = `smtp://news:secret@127.0.0.1:${t.sink.port}?requireTLS=true`;
    const mailer = createSmtpMailer({ url, poolSize: 1, rate: 0 });
    await expect(mailer.verify()).rejects.toThrow(/certificate/i);
    await mailer.close();

    const { c, issueId, sender } = await sendThrough(url, 3);
    await until(() => pausedReason(c, issueId).startsWith('relay:'), 10_000, 'relay pause');
    expect(pausedReason(c, issueId)).toMatch(/certificate/i);
    await sender.stop();
    expect(deliveryRows(c, issueId).every((r) => r.status === 'queued' && r.attempts === 0)).toBe(true);
    expect(t.auths).toEqual([]);
    expect(t.sink.received).toHaveLength(0);
  });

  it('STARTTLS stripped while TLS is required fails closed: no AUTH in the clear, nothing sent', async () => {
    const t = await tlsSink({ disabledCommands: ['STARTTLS'] });
    const url = `smtp://news:secret@127.0.0.1:${t.sink.port}?requireTLS=true&tlsRejectUnauthorized=false`;
    const mailer = createSmtpMailer({ url, poolSize: 1, rate: 0 });
    await expect(mailer.verify()).rejects.toThrow(/STARTTLS/i);
    await mailer.close();

    const { c, issueId, sender } = await sendThrough(url, 2);
    await until(() => pausedReason(c, issueId).startsWith('relay:'), 10_000, 'relay pause');
    expect(pausedReason(c, issueId)).toMatch(/STARTTLS/);
    await sender.stop();
    expect(deliveryRows(c, issueId).every((r) => r.status === 'queued' && r.attempts === 0)).toBe(true);
    expect(t.auths).toEqual([]);
    expect(t.sink.received).toHaveLength(0);
  });
});
