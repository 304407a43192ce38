import { execFileSync } from 'node:child_process';
import { createHmac, createSign, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { snsStringToSign } from '../../src/bounces/webhooks.js';
import { listReports } from '../../src/deliveries/repo.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { createApp } from '../../src/http/app.js';
import { createSender, type Sender } from '../../src/deliveries/sender.js';
import { makeTestContext, type TestContext as Ctx } from '../helpers/context.js';
import { addSubscribers, deliveryRows, insertIssue, until } from '../helpers/deliver-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';

// Each provider's webhook with payloads signed by test keys the way the provider signs them: a verified event changes
// the one subscriber it names; a bad signature, a replay, an unknown topic or message changes nobody.

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:newsdesk-ses';
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
const MAILGUN_KEY = 'mailgun-signing-key-0123456789';
const sg = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SG_PUBLIC = sg.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

let sns: { key: Buffer; cert: string };
let ctx: Ctx;
let app: ReturnType<typeof createApp>;
let rows: ReturnType<typeof deliveryRows>;
let verp: (i: number) => string;
let issueId: number;
let sink: SmtpSink;
let sender: Sender;
const subscribeCalls: string[] = [];

beforeAll(async () => {
  // An RSA certificate like SNS's, made with openssl; "fetching" it from AWS is the one thing mocked (the internet).
  const dir = mkdtempSync(join(tmpdir(), 'nd-sns-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sns.amazonaws.com', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
  sns = { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
  rmSync(dir, { recursive: true, force: true });
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url === CERT_URL) return new Response(sns.cert, { status: 200 });
    if (url.startsWith('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription')) {
      subscribeCalls.push(url);
      return new Response('<ConfirmSubscriptionResponse/>', { status: 200 });
    }
    return realFetch(input, init);
  });

  sink = await startSmtpSink();
  ctx = await makeTestContext({
    env: {
      SMTP_URL: sink.url,
      BOUNCE_ADDRESS: 'bounces@news.example',
      MAIL_FROM: 'digest@news.example',
      SES_TOPIC_ARNS: `arn:aws:sns:eu-west-1:1:other,${TOPIC}`,
      POSTMARK_WEBHOOK_AUTH: 'postmark:hook-secret',
      MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
      SENDGRID_WEBHOOK_PUBLIC_KEY: SG_PUBLIC,
    },
  });
  addSubscribers(ctx, 6);
  issueId = insertIssue(ctx);
  await sendIssue(ctx, issueId);
  sender = createSender(ctx, { maintenanceMs: 100, idlePollMs: 20 });
  sender.start();
  await sink.waitFor(6);
  await until(() => deliveryRows(ctx, issueId).every((d) => d.status === 'sent'), 10_000, 'sent');
  rows = deliveryRows(ctx, issueId);
  verp = (i) => sink.received.find((m) => m.envelopeTo[0] === rows[i]!.email)!.envelopeFrom;
  app = createApp(ctx);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await sender?.stop();
  await sink?.close();
  await ctx?.cleanup();
});

const status = (i: number) => (ctx.sqlite.prepare('SELECT status FROM subscribers WHERE id = ?').get(rows[i]!.subscriberId) as { status: string }).status;
const post = (path: string, body: string, headers: Record<string, string> = {}) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const everyoneConfirmedBut = (changed: number[]) => rows.forEach((_, i) => !changed.includes(i) && expect(status(i), `subscriber ${i}`).toBe('confirmed'));

function snsMessage(fields: Record<string, string>, opts: { version?: '1' | '2'; tamper?: boolean } = {}) {
  const m: Record<string, string> = { TopicArn: TOPIC, Timestamp: new Date().toISOString(), SignatureVersion: opts.version ?? '1', SigningCertURL: CERT_URL, MessageId: `mid-${Math.random()}`, ...fields };
  m.Signature = createSign(m.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1').update(snsStringToSign(m)).sign(sns.key, 'base64');
  if (opts.tamper) m.Message = m.Message!.replace('Permanent', 'Transient');
  return JSON.stringify(m);
}
const sesBounce = (i: number, type = 'Permanent') =>
  JSON.stringify({
    notificationType: 'Bounce',
    bounce: { bounceType: type, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: rows[i]!.email, status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
    mail: { source: verp(i), messageId: '0100018e-ses', commonHeaders: { messageId: `<issue-${issueId}.sub-${rows[i]!.subscriberId}@news.example>` } },
  });

describe('provider webhooks', () => {
  it('SES through SNS: a signed bounce bounces the subscriber; a tampered, replayed or foreign-topic message is 401 and changes nothing', async () => {
    expect((await post('/webhooks/ses', snsMessage({ Type: 'Notification', Message: sesBounce(0) }, { tamper: true }))).status).toBe(401);
    const old = JSON.parse(snsMessage({ Type: 'Notification', Message: sesBounce(0) })) as Record<string, string>;
    const stale: Record<string, string> = { ...old, Timestamp: new Date(Date.now() - 10 * 60_000).toISOString() };
    stale.Signature = createSign('RSA-SHA1').update(snsStringToSign(stale)).sign(sns.key, 'base64');
    const replay = await post('/webhooks/ses', JSON.stringify(stale));
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toMatch(/older than 5 minutes/);
    expect((await post('/webhooks/ses', snsMessage({ Type: 'Notification', Message: sesBounce(0), TopicArn: 'arn:aws:sns:us-east-1:9:evil' }))).status).toBe(401);
    expect((await post('/webhooks/ses', JSON.stringify({ ...old, SigningCertURL: 'https://evil.example/cert.pem' }))).status).toBe(401);
    expect((await post('/webhooks/ses', 'not json')).status).toBe(400);
    everyoneConfirmedBut([]);

    const ok = await post('/webhooks/ses', snsMessage({ Type: 'Notification', Message: sesBounce(0) }, { version: '2' }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { results: { action: string }[] }).results).toEqual([expect.objectContaining({ kind: 'hard', action: 'bounced' })]);
    expect(status(0)).toBe('bounced');
    everyoneConfirmedBut([0]);
  });

  it('SES through SNS: a subscription confirmation is confirmed at its AWS SubscribeURL, and only there', async () => {
    const url = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=abc';
    const r = await post('/webhooks/ses', snsMessage({ Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe', SubscribeURL: url, Token: 'abc' }));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, confirmed: true });
    expect(subscribeCalls).toEqual([url]);
    const evil = await post('/webhooks/ses', snsMessage({ Type: 'SubscriptionConfirmation', Message: 'x', SubscribeURL: 'https://evil.example/?Action=ConfirmSubscription', Token: 'abc' }));
    expect(evil.status).toBe(400);
    expect(subscribeCalls).toHaveLength(1);
  });

  it('Postmark: Basic auth; a hard bounce by recipient, an unknown recipient unmatched', async () => {
    const event = (email: string, id: number) => JSON.stringify({ RecordType: 'Bounce', ID: id, Type: 'HardBounce', TypeCode: 1, Email: email, Details: 'smtp;550 5.1.1 unknown user', BouncedAt: new Date().toISOString() });
    const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });
    expect((await post('/webhooks/postmark', event(rows[1]!.email, 1), basic('postmark:wrong'))).status).toBe(401);
    expect((await post('/webhooks/postmark', event(rows[1]!.email, 1))).status).toBe(401);
    expect(status(1)).toBe('confirmed');
    expect((await post('/webhooks/postmark', event(rows[1]!.email, 2), basic('postmark:hook-secret'))).status).toBe(200);
    expect(status(1)).toBe('bounced');
    const unknown = (await (await post('/webhooks/postmark', event('nobody@example.test', 3), basic('postmark:hook-secret'))).json()) as { results: { kind: string }[] };
    expect(unknown.results[0]!.kind).toBe('unmatched');
  });

  it('Mailgun: HMAC of timestamp and token; a complaint unsubscribes; a replay or a bad signature is refused', async () => {
    const signed = (ts: number, token: string, eventData: object, key = MAILGUN_KEY) =>
      JSON.stringify({ signature: { timestamp: String(ts), token, signature: createHmac('sha256', key).update(`${ts}${token}`).digest('hex') }, 'event-data': eventData });
    const complaint = { id: 'mg-event-1', event: 'complained', recipient: rows[2]!.email, envelope: { sender: verp(2) }, message: { headers: { 'message-id': `issue-${issueId}.sub-${rows[2]!.subscriberId}@news.example` } } };
    const now = Math.floor(Date.now() / 1000);
    expect((await post('/webhooks/mailgun', signed(now, 'tok-1', complaint, 'the-wrong-key-0000'))).status).toBe(401);
    expect((await post('/webhooks/mailgun', signed(now - 600, 'tok-2', complaint))).status).toBe(401);
    expect(status(2)).toBe('confirmed');
    expect((await post('/webhooks/mailgun', signed(now, 'tok-3', complaint))).status).toBe(200);
    expect(status(2)).toBe('unsubscribed');
    // The same event delivered again is applied once.
    const again = (await (await post('/webhooks/mailgun', signed(now, 'tok-4', complaint))).json()) as { results: { applied: boolean }[] };
    expect(again.results[0]!.applied).toBe(false);
  });

  it('SendGrid: ECDSA over timestamp and body; a bounce found by its Message-ID; a forged signature or a foreign Message-ID changes nothing', async () => {
    const body = (i: number, msgid: string) =>
      JSON.stringify([{ email: rows[i]!.email, event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 no such user', sg_event_id: `sg-${i}-${msgid.length}`, 'smtp-id': `<${msgid}>`, timestamp: Math.floor(Date.now() / 1000) }]);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = (b: string, key = sg.privateKey) => sign('sha256', Buffer.from(ts + b), key).toString('base64');
    const good = body(3, `issue-${issueId}.sub-${rows[3]!.subscriberId}@news.example`);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const h = (b: string, key = sg.privateKey) => ({ 'x-twilio-email-event-webhook-signature': sig(b, key), 'x-twilio-email-event-webhook-timestamp': ts });
    expect((await post('/webhooks/sendgrid', good, h(good, other))).status).toBe(401);
    expect((await post('/webhooks/sendgrid', good)).status).toBe(401);
    // Signed correctly, but 10 minutes ago: a replay.
    const oldTs = String(Math.floor(Date.now() / 1000) - 600);
    const replay = await post('/webhooks/sendgrid', good, { 'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(oldTs + good), sg.privateKey).toString('base64'), 'x-twilio-email-event-webhook-timestamp': oldTs });
    expect(replay.status).toBe(401);
    expect(status(3)).toBe('confirmed');
    expect((await post('/webhooks/sendgrid', good, h(good))).status).toBe(200);
    expect(status(3)).toBe('bounced');
    const foreign = body(4, 'CAF-xyz@mail.example');
    const r = (await (await post('/webhooks/sendgrid', foreign, h(foreign))).json()) as { results: { kind: string; detail: string }[] };
    expect(r.results[0]).toMatchObject({ kind: 'unmatched', detail: expect.stringMatching(/not one of ours/) });
    expect(status(4)).toBe('confirmed');
  });

  it('records every webhook event, matched or not, with what it did', async () => {
    const reports = await listReports(ctx, {});
    expect(reports.map((r) => r.channel).sort()).toEqual(['mailgun', 'postmark', 'postmark', 'sendgrid', 'sendgrid', 'ses']);
    expect(status(5)).toBe('confirmed');
  });
});
