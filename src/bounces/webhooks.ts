// Provider webhooks: SES (through SNS), Postmark, Mailgun and SendGrid. Each call is verified the provider's way
// before anything is read from it; a call that does not verify is refused (401) and changes nothing. A verified
// event is applied once (by its event id) through handleProviderEvent.
import { createHmac, createPublicKey, createVerify, verify as verifySig } from 'node:crypto';
import { safeEqual } from '../lib/mac.js';
import type { AppContext } from '../context.js';
import { handleProviderEvent, type ReportResult } from './apply.js';

/** A signed call older than this (or this far in the future) is a replay, refused. */
export const MAX_AGE_MS = 5 * 60 * 1000;

/** Why a call was refused: the HTTP status and a sentence. */
export class WebhookRefused extends Error {
  constructor(
    readonly status: 400 | 401 | 404,
    message: string,
  ) {
    super(message);
  }
}


function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new WebhookRefused(400, 'the body is not JSON');
  }
}

function fresh(ctx: AppContext, at: number, what: string): void {
  if (!Number.isFinite(at) || Math.abs(ctx.clock.now() - at) > MAX_AGE_MS) throw new WebhookRefused(401, `${what} is older than 5 minutes (or in the future): a replay is refused`);
}

// ---- SES through SNS ----

/** Signing certificates already fetched, by URL. */
const snsCerts = new Map<string, string>();

/** Whether a URL is an SNS endpoint of AWS (the only place a signing certificate or a SubscribeURL may be). */
export function isSnsUrl(u: string, pathEnds?: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' && /^sns\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/.test(url.hostname) && (!pathEnds || url.pathname.endsWith(pathEnds));
  } catch {
    return false;
  }
}

async function snsCert(url: string): Promise<string> {
  const hit = snsCerts.get(url);
  if (hit) return hit;
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
  if (!res.ok) throw new WebhookRefused(401, `the signing certificate could not be fetched (HTTP ${res.status})`);
  const pem = await res.text();
  if (!pem.includes('BEGIN CERTIFICATE')) throw new WebhookRefused(401, 'the signing certificate is not a certificate');
  snsCerts.set(url, pem);
  return pem;
}

/** The string SNS signs: the message's fields in its documented order. */
export function snsStringToSign(m: Record<string, string | undefined>): string {
  const keys = m.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
}

interface SesMail {
  source?: string;
  commonHeaders?: { messageId?: string };
  headers?: { name: string; value: string }[];
}

/** POST /webhooks/ses: an SNS message, its signature checked against the AWS certificate and its topic allowlisted. */
export async function sesWebhook(ctx: AppContext, body: string): Promise<{ confirmed?: boolean; results: ReportResult[] }> {
  const topics = ctx.config.webhooks.sesTopicArns;
  if (!topics.length) throw new WebhookRefused(404, 'SES_TOPIC_ARNS is not set: this webhook is off');
  const m = json(body) as Record<string, string | undefined>;
  if (!m || typeof m !== 'object' || typeof m.Signature !== 'string' || typeof m.SigningCertURL !== 'string') throw new WebhookRefused(401, 'not a signed SNS message');
  if (!m.TopicArn || !topics.includes(m.TopicArn)) throw new WebhookRefused(401, `the topic ${m.TopicArn ?? '(none)'} is not in SES_TOPIC_ARNS`);
  if (!isSnsUrl(m.SigningCertURL, '.pem')) throw new WebhookRefused(401, 'the signing certificate is not on an AWS SNS host');
  const algo = m.SignatureVersion === '2' ? 'RSA-SHA256' : m.SignatureVersion === '1' ? 'RSA-SHA1' : null;
  if (!algo) throw new WebhookRefused(401, `unknown SignatureVersion ${m.SignatureVersion}`);
  const pem = await snsCert(m.SigningCertURL);
  const ok = createVerify(algo).update(snsStringToSign(m), 'utf8').verify(pem, m.Signature, 'base64');
  if (!ok) throw new WebhookRefused(401, 'the SNS signature does not verify');
  fresh(ctx, Date.parse(m.Timestamp ?? ''), 'the message');

  if (m.Type === 'SubscriptionConfirmation') {
    if (!m.SubscribeURL || !isSnsUrl(m.SubscribeURL)) throw new WebhookRefused(400, 'the SubscribeURL is not on an AWS SNS host');
    const res = await fetch(m.SubscribeURL, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
    ctx.log.info({ topic: m.TopicArn, status: res.status }, 'SNS subscription confirmed');
    return { confirmed: res.ok, results: [] };
  }
  if (m.Type !== 'Notification') return { results: [] };
  const n = json(m.Message ?? '') as { notificationType?: string; eventType?: string; mail?: SesMail; bounce?: Record<string, unknown>; complaint?: Record<string, unknown> };
  const type = n.notificationType ?? n.eventType;
  const mail = n.mail ?? {};
  const messageId = (mail.commonHeaders?.messageId ?? mail.headers?.find((h) => h.name.toLowerCase() === 'message-id')?.value ?? '').replace(/^<|>$/g, '') || null;
  const token = mail.source ?? null;
  const results: ReportResult[] = [];
  if (type === 'Bounce' && n.bounce) {
    const b = n.bounce as { bounceType?: string; bounceSubType?: string; bouncedRecipients?: { emailAddress: string; status?: string; diagnosticCode?: string }[] };
    const kind = b.bounceType === 'Permanent' ? 'hard' : b.bounceType === 'Transient' ? 'soft' : 'notice';
    for (const [i, r] of (b.bouncedRecipients ?? []).entries())
      results.push(
        await handleProviderEvent(ctx, { channel: 'ses', kind, eventId: `${m.MessageId}:${i}`, recipient: r.emailAddress, token, messageId, status: r.status ?? b.bounceType ?? null, detail: r.diagnosticCode ?? b.bounceSubType ?? null }),
      );
  } else if (type === 'Complaint' && n.complaint) {
    const c = n.complaint as { complaintFeedbackType?: string; complainedRecipients?: { emailAddress: string }[] };
    // A complaint with a feedback type other than abuse (not-spam) changes nothing.
    const kind = !c.complaintFeedbackType || c.complaintFeedbackType === 'abuse' ? 'complaint' : 'notice';
    for (const [i, r] of (c.complainedRecipients ?? []).entries())
      results.push(await handleProviderEvent(ctx, { channel: 'ses', kind, eventId: `${m.MessageId}:${i}`, recipient: r.emailAddress, token, messageId, status: c.complaintFeedbackType ?? 'abuse' }));
  }
  return { results };
}

// ---- Postmark ----

/** POST /webhooks/postmark: Basic auth with POSTMARK_WEBHOOK_AUTH (set in the webhook's URL at Postmark). */
export async function postmarkWebhook(ctx: AppContext, body: string, authorization: string | undefined): Promise<{ results: ReportResult[] }> {
  const auth = ctx.config.webhooks.postmarkAuth;
  if (!auth) throw new WebhookRefused(404, 'POSTMARK_WEBHOOK_AUTH is not set: this webhook is off');
  const given = /^Basic\s+(.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  if (!safeEqual(given, Buffer.from(auth).toString('base64'))) throw new WebhookRefused(401, 'wrong or missing Basic credentials');
  const e = json(body) as { RecordType?: string; ID?: number | string; Type?: string; Email?: string; Details?: string; Description?: string; MessageID?: string; Metadata?: Record<string, string> };
  if (!e || typeof e !== 'object' || e.ID === undefined) throw new WebhookRefused(400, 'not a Postmark event');
  const hard = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated', 'Blocked']);
  const soft = new Set(['SoftBounce', 'Transient', 'DnsError', 'ChallengeVerification']);
  const kind = e.RecordType === 'SpamComplaint' ? 'complaint' : e.RecordType === 'Bounce' ? (hard.has(e.Type ?? '') ? 'hard' : soft.has(e.Type ?? '') ? 'soft' : 'notice') : 'notice';
  return {
    results: [await handleProviderEvent(ctx, { channel: 'postmark', kind, eventId: String(e.ID), recipient: e.Email ?? null, token: e.Metadata?.delivery ?? null, status: e.Type ?? e.RecordType ?? null, detail: e.Details ?? e.Description ?? null })],
  };
}

// ---- Mailgun ----

/** POST /webhooks/mailgun: HMAC-SHA256 of timestamp and token with MAILGUN_WEBHOOK_SIGNING_KEY, at most 5 minutes old. */
export async function mailgunWebhook(ctx: AppContext, body: string): Promise<{ results: ReportResult[] }> {
  const key = ctx.config.webhooks.mailgunSigningKey;
  if (!key) throw new WebhookRefused(404, 'MAILGUN_WEBHOOK_SIGNING_KEY is not set: this webhook is off');
  const p = json(body) as { signature?: { timestamp?: string; token?: string; signature?: string }; 'event-data'?: Record<string, unknown> };
  const sig = p?.signature;
  if (!sig?.timestamp || !sig.token || !sig.signature) throw new WebhookRefused(401, 'no Mailgun signature');
  const want = createHmac('sha256', key).update(sig.timestamp + sig.token).digest('hex');
  if (!safeEqual(sig.signature, want)) throw new WebhookRefused(401, 'the Mailgun signature does not verify');
  fresh(ctx, Number(sig.timestamp) * 1000, 'the signature');
  const e = (p['event-data'] ?? {}) as {
    id?: string;
    event?: string;
    severity?: string;
    recipient?: string;
    envelope?: { sender?: string };
    message?: { headers?: { 'message-id'?: string } };
    'delivery-status'?: { code?: number; message?: string; description?: string };
  };
  const kind = e.event === 'complained' ? 'complaint' : e.event === 'failed' ? (e.severity === 'permanent' ? 'hard' : 'soft') : 'notice';
  const ds = e['delivery-status'] ?? {};
  return {
    results: [
      await handleProviderEvent(ctx, {
        channel: 'mailgun',
        kind,
        eventId: e.id ?? sig.token,
        recipient: e.recipient ?? null,
        token: e.envelope?.sender ?? null,
        messageId: e.message?.headers?.['message-id'] ?? null,
        status: ds.code ? String(ds.code) : (e.event ?? null),
        detail: ds.description || ds.message || null,
      }),
    ],
  };
}

// ---- SendGrid ----

/** POST /webhooks/sendgrid: the Signed Event Webhook, ECDSA over timestamp + body with SENDGRID_WEBHOOK_PUBLIC_KEY. */
export async function sendgridWebhook(ctx: AppContext, body: string, signature: string | undefined, timestamp: string | undefined): Promise<{ results: ReportResult[] }> {
  const pub = ctx.config.webhooks.sendgridPublicKey;
  if (!pub) throw new WebhookRefused(404, 'SENDGRID_WEBHOOK_PUBLIC_KEY is not set: this webhook is off');
  if (!signature || !timestamp) throw new WebhookRefused(401, 'no SendGrid signature headers');
  let ok: boolean;
  try {
    const key = createPublicKey({ key: Buffer.from(pub, 'base64'), format: 'der', type: 'spki' });
    ok = verifySig('sha256', Buffer.from(timestamp + body), key, Buffer.from(signature, 'base64'));
  } catch {
    // A key or signature that does not even decode verifies nothing.
    ok = false;
  }
  if (!ok) throw new WebhookRefused(401, 'the SendGrid signature does not verify');
  fresh(ctx, Number(timestamp) * 1000, 'the signature');
  const events = json(body);
  if (!Array.isArray(events)) throw new WebhookRefused(400, 'not a list of SendGrid events');
  const results: ReportResult[] = [];
  for (const e of events as { email?: string; event?: string; type?: string; sg_event_id?: string; 'smtp-id'?: string; status?: string; reason?: string; delivery?: string }[]) {
    if (!e?.sg_event_id) continue;
    const kind = e.event === 'spamreport' ? 'complaint' : e.event === 'bounce' || e.event === 'dropped' ? (/^4/.test(e.status ?? '') ? 'soft' : 'hard') : 'notice';
    results.push(
      await handleProviderEvent(ctx, {
        channel: 'sendgrid',
        kind,
        eventId: e.sg_event_id,
        recipient: e.email ?? null,
        token: e.delivery ?? null,
        messageId: (e['smtp-id'] ?? '').replace(/^<|>$/g, '') || null,
        status: e.status ?? e.event ?? null,
        detail: e.reason ?? null,
      }),
    );
  }
  return { results };
}
