// From a report to what it changes: find the delivery it names (with certainty, or not at all), then apply it once
// through the ledger (applyReport). Used by the inbound SMTP listener and the provider webhooks.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { applyReport, findReportedDelivery, latestDeliveryTo } from '../deliveries/repo.js';
import type { ReportedDelivery, ReportInput } from '../deliveries/store.js';
import type { ReportChannel, ReportKind } from '../domain-types.js';
import { normalizeEmail } from '../subscribers/address.js';
import { findSubscriberByEmail } from '../subscribers/repo.js';
import { parseReport, type ParsedReport } from './parse.js';
import { COMPLAINT_MIN_SENT, COMPLAINT_RATE } from './policy.js';
import { verifyVerpToken, verpTokenOf } from './verp.js';

/** An address in the form the store keeps (lower case, normalized); the input when it is not an address. */
function addr(a: string): string {
  const n = normalizeEmail(a);
  return n.ok ? n.email : a.trim().toLowerCase();
}

export { COMPLAINT_MIN_SENT, COMPLAINT_RATE };

/** What one report came to, for the log and the caller. */
export interface ReportResult {
  kind: ReportKind;
  deliveryId: number | null;
  action: string;
  applied: boolean;
  detail?: string;
}

const MSGID = /^issue-(\d+)\.sub-(\d+)(?:\.r\d+)?@/i;

/** The VERP tokens written anywhere in a report (the address it came to, the quoted Return-Path), verified. */
export function verpDeliveries(ctx: AppContext, addresses: string[], rawText: string): { ids: number[]; forged: boolean } {
  const bounce = ctx.config.bounceAddress;
  if (!bounce) return { ids: [], forged: false };
  const [local, domain] = [bounce.slice(0, bounce.lastIndexOf('@')), bounce.slice(bounce.lastIndexOf('@') + 1)];
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new Set<string>(addresses);
  for (const m of rawText.matchAll(new RegExp(`${esc(local)}\\+[0-9a-z]+-[a-z2-7]+@${esc(domain)}`, 'gi'))) found.add(m[0]);
  const ids = new Set<number>();
  let forged = false;
  for (const a of found) {
    const token = verpTokenOf(bounce, a);
    if (!token) continue;
    const id = verifyVerpToken(ctx.config.secretKey, token);
    if (id === null) forged = true;
    else ids.add(id);
  }
  return { ids: [...ids], forged };
}

/** The delivery a report names: its verified VERP token, else the quoted Message-ID when the recipient agrees. */
async function deliveryOf(
  ctx: AppContext,
  verp: { ids: number[]; forged: boolean },
  messageIds: string[],
  recipient: string | null,
): Promise<{ delivery: ReportedDelivery | null; why?: string }> {
  if (verp.ids.length > 1) return { delivery: null, why: 'the report names several deliveries' };
  if (verp.ids.length === 1) {
    const d = await findReportedDelivery(ctx, { deliveryId: verp.ids[0]! });
    return d ? { delivery: d } : { delivery: null, why: `the VERP token names delivery ${verp.ids[0]}, which does not exist` };
  }
  if (verp.forged) return { delivery: null, why: 'a VERP token that does not verify (forged or damaged): nobody is changed' };
  // The last Message-ID of ours wins (an ARF report's attached original comes last).
  const ours = [...messageIds].reverse().map((id) => MSGID.exec(id)).find((m) => m);
  if (!ours) return { delivery: null, why: messageIds.length ? `the original Message-ID <${messageIds.at(-1)}> is not one of ours` : 'neither a VERP token nor the original Message-ID' };
  const d = await findReportedDelivery(ctx, { issueId: Number(ours[1]), subscriberId: Number(ours[2]) });
  if (!d) return { delivery: null, why: `no delivery of issue ${ours[1]} to subscriber ${ours[2]}` };
  // A Message-ID can be guessed: without a VERP token, the report must name the same recipient when it names one.
  if (recipient && d.email && addr(recipient) !== d.email) return { delivery: null, why: `the report is about ${recipient}, but that Message-ID was sent to someone else` };
  return { delivery: d };
}

async function apply(ctx: AppContext, base: Omit<ReportInput, 'softBounceLimit' | 'complaintRate' | 'complaintMinSent'>): Promise<ReportResult> {
  const out = await applyReport(ctx, { ...base, softBounceLimit: ctx.config.softBounceLimit, complaintRate: COMPLAINT_RATE, complaintMinSent: COMPLAINT_MIN_SENT });
  const res: ReportResult = { kind: base.kind, deliveryId: base.delivery?.deliveryId ?? null, action: out.action, applied: out.applied, ...(base.detail ? { detail: base.detail } : {}) };
  const fields = { channel: base.channel, kind: base.kind, deliveryId: res.deliveryId, subscriberId: base.delivery?.subscriberId ?? base.subscriberId ?? null, status: base.status, action: out.action };
  if (base.kind === 'unmatched') ctx.log.warn({ ...fields, reason: base.detail }, 'report matched no delivery: nothing changed');
  else ctx.log.info(fields, out.applied ? 'report applied' : 'report seen before: nothing changed');
  if (out.pausedIssue) ctx.log.error({ issueId: out.pausedIssue }, 'complaint rate over 0.3%: the issue is paused for the operator');
  return res;
}

/** Applies every report a raw mail holds (a DSN may report several recipients). Never throws for a bad mail. */
export async function handleReportMail(ctx: AppContext, raw: Buffer, o: { channel: ReportChannel; recipients: string[] }): Promise<{ reportType: ParsedReport['type']; results: ReportResult[] }> {
  const parsed: ParsedReport = await parseReport(raw, { unsubscribeMailto: ctx.config.unsubscribeMailto, recipients: o.recipients });
  return { reportType: parsed.type, results: await applyParsed(ctx, raw, parsed, o) };
}

async function applyParsed(ctx: AppContext, raw: Buffer, parsed: ParsedReport, o: { channel: ReportChannel; recipients: string[] }): Promise<ReportResult[]> {
  const hash = createHash('sha256').update(raw).digest('hex');
  const at = ctx.clock.now();
  const verp = verpDeliveries(ctx, o.recipients, raw.toString('latin1'));
  const common = { channel: o.channel, at };
  if (parsed.type === 'dsn') {
    const out: ReportResult[] = [];
    for (const [i, line] of parsed.recipients.entries()) {
      const { delivery, why } = await deliveryOf(ctx, verp, parsed.messageIds, line.recipient);
      out.push(
        await apply(ctx, {
          ...common,
          kind: delivery ? line.kind : 'unmatched',
          delivery,
          recipient: line.recipient,
          status: line.status,
          detail: delivery ? line.diagnostic : `${why}${line.diagnostic ? ` (${line.diagnostic})` : ''}`,
          dedupeKey: `mail:${hash}:${i}`,
        }),
      );
    }
    return out;
  }
  if (parsed.type === 'arf') {
    if (parsed.feedbackType !== 'abuse')
      return [await apply(ctx, { ...common, kind: 'notice', delivery: null, recipient: parsed.originalRecipient, status: parsed.feedbackType || null, detail: `feedback type "${parsed.feedbackType}" is not a complaint`, dedupeKey: `mail:${hash}` })];
    const { delivery, why } = await deliveryOf(ctx, verp, parsed.messageIds, parsed.originalRecipient);
    return [await apply(ctx, { ...common, kind: delivery ? 'complaint' : 'unmatched', delivery, recipient: parsed.originalRecipient, status: 'abuse', detail: delivery ? null : (why ?? null), dedupeKey: `mail:${hash}` })];
  }
  if (parsed.type === 'unsubscribe') {
    const sub = parsed.from ? await findSubscriberByEmail(ctx, addr(parsed.from)) : undefined;
    return [
      await apply(ctx, {
        ...common,
        kind: sub ? 'unsubscribe' : 'unmatched',
        delivery: null,
        subscriberId: sub?.id ?? null,
        recipient: parsed.from,
        status: null,
        detail: sub ? null : `an unsubscribe mail from ${parsed.from ?? 'no address'}, who is not a subscriber`,
        dedupeKey: `mail:${hash}`,
      }),
    ];
  }
  return [await apply(ctx, { ...common, kind: 'unmatched', delivery: null, recipient: null, status: null, detail: parsed.reason, dedupeKey: `mail:${hash}` })];
}

/** A provider's bounce or complaint event (webhooks): the delivery from its token, else the recipient's latest copy. */
export async function handleProviderEvent(
  ctx: AppContext,
  e: { channel: ReportChannel; kind: 'hard' | 'soft' | 'complaint' | 'notice'; eventId: string; recipient: string | null; token?: string | null; messageId?: string | null; status?: string | null; detail?: string | null },
): Promise<ReportResult> {
  const at = ctx.clock.now();
  let delivery: ReportedDelivery | null = null;
  let why: string | undefined;
  // A token comes as the VERP address (SES's mail.source, Mailgun's envelope sender) or bare (custom arguments).
  const bounce = ctx.config.bounceAddress;
  const address = e.token && !e.token.includes('@') && bounce ? `${bounce.slice(0, bounce.lastIndexOf('@'))}+${e.token}${bounce.slice(bounce.lastIndexOf('@'))}` : (e.token ?? '');
  const verp = address ? verpDeliveries(ctx, [address], '') : { ids: [], forged: false };
  if (verp.ids.length || verp.forged || e.messageId) ({ delivery, why } = await deliveryOf(ctx, verp, e.messageId ? [e.messageId] : [], e.recipient));
  else if (e.recipient) {
    delivery = await latestDeliveryTo(ctx, addr(e.recipient));
    if (!delivery) why = `no copy was sent to ${e.recipient}`;
  } else why = 'the event names no recipient and no message';
  return apply(ctx, {
    channel: e.channel,
    at,
    kind: delivery ? e.kind : 'unmatched',
    delivery,
    recipient: e.recipient,
    status: e.status ?? null,
    detail: delivery ? (e.detail ?? null) : (why ?? null),
    dedupeKey: `${e.channel}:${e.eventId}`,
  });
}
