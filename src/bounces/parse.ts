// Reading a bounce mailbox's mail: RFC 3464 delivery status notifications (per recipient: action, status,
// diagnostic), ARF feedback reports (RFC 5965; only `abuse` is a complaint), and mails to the unsubscribe mailto.
// What the report is about is found from the VERP token of the address it came to, else from the Message-ID of the
// original message it quotes (`issue-N.sub-M@…`; in an ARF report the last one, the attached original, wins).
import { simpleParser, type ParsedMail } from 'mailparser';

/** One recipient's line of a DSN. */
export interface DsnRecipient {
  recipient: string | null;
  action: string | null;
  /** The enhanced status code, e.g. "5.1.1". */
  status: string | null;
  diagnostic: string | null;
  kind: 'hard' | 'soft' | 'notice';
}

/** What a mail to the bounce address turned out to be. */
export type ParsedReport =
  | { type: 'dsn'; recipients: DsnRecipient[]; messageIds: string[] }
  | { type: 'arf'; feedbackType: string; messageIds: string[]; originalRecipient: string | null }
  | { type: 'unsubscribe'; from: string | null }
  | { type: 'other'; reason: string };

/** Largest mail read; a larger one is refused before it is parsed. */
export const MAX_REPORT_BYTES = 2 * 1024 * 1024;

/** Header fields of a status block ("Name: value", continuation lines folded). */
export function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  for (const chunk of text.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | null = null;
    for (const line of chunk.split('\n')) {
      if (/^[ \t]/.test(line) && last) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
      if (!m) continue;
      last = m[1]!.toLowerCase();
      fields.set(last, m[2]!.trim());
    }
    if (fields.size) blocks.push(fields);
  }
  return blocks;
}

/** "rfc822; ann@example.com" → "ann@example.com". */
function addressField(v: string | undefined): string | null {
  if (!v) return null;
  const a = v.includes(';') ? v.slice(v.indexOf(';') + 1) : v;
  const clean = a.trim().replace(/^<|>$/g, '');
  return clean.includes('@') ? clean.toLowerCase() : null;
}

/** The class of a DSN line: 5.x.x and a failed action is hard, 4.x.x soft, delivered/relayed/expanded/delayed a notice. */
export function classify(action: string | null, status: string | null): DsnRecipient['kind'] {
  const a = (action ?? '').toLowerCase();
  const cls = /^([245])\./.exec(status ?? '')?.[1];
  if (a === 'delivered' || a === 'relayed' || a === 'expanded' || cls === '2') return 'notice';
  if (a === 'delayed') return 'notice';
  if (cls === '5') return 'hard';
  if (cls === '4') return 'soft';
  // A failure without a status code: hard only when the action says it failed for good.
  return a === 'failed' ? 'hard' : 'notice';
}

/** Every Message-ID header in a text, in order (angle brackets removed). */
export function messageIdsIn(text: string): string[] {
  return [...text.matchAll(/^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^>\s]+)>/gim)].map((m) => m[1]!);
}

/** One body part of a multipart report: its content type and its decoded text. */
interface Part {
  contentType: string;
  text: string;
}

/**
 * The top-level parts of a multipart mail, split on its boundary. mailparser reads the envelope of the report (its
 * headers and addresses) but folds message/delivery-status and message/rfc822 parts into the body, so the parts a
 * report is made of are taken from the raw text here, each decoded from base64 or quoted-printable.
 */
export function reportParts(raw: string, boundary: string): Part[] {
  const delim = `--${boundary}`;
  const parts: Part[] = [];
  const chunks = raw.split(delim).slice(1);
  for (const chunk of chunks) {
    if (chunk.startsWith('--')) break;
    const body = chunk.replace(/^[ \t]*\r?\n/, '');
    const sep = /\r?\n\r?\n/.exec(body);
    const head = sep ? body.slice(0, sep.index) : body;
    let content = sep ? body.slice(sep.index + sep[0].length) : '';
    const headers = fieldBlocks(head)[0] ?? new Map<string, string>();
    const contentType = (headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
    const cte = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
    if (cte === 'base64') content = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    else if (cte === 'quoted-printable')
      content = Buffer.from(content.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    parts.push({ contentType, text: content });
  }
  return parts;
}

/** The report a raw mail holds. Never throws for a bad mail: it is 'other' with the reason. */
export async function parseReport(raw: Buffer, opts: { unsubscribeMailto?: string; recipients?: string[] } = {}): Promise<ParsedReport> {
  if (raw.length > MAX_REPORT_BYTES) return { type: 'other', reason: `the mail is larger than ${MAX_REPORT_BYTES} bytes` };
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: 200_000 });
  } catch (err) {
    return { type: 'other', reason: `not a readable mail (${(err as Error).message.slice(0, 100)})` };
  }
  const ctype = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const reportType = (ctype?.params?.['report-type'] ?? '').toLowerCase();
  const rawText = raw.toString('utf8');
  const parts = ctype?.params?.boundary ? reportParts(rawText, ctype.params.boundary) : [];
  const find = (type: string) => parts.find((p) => p.contentType === type);

  if (reportType === 'delivery-status' || find('message/delivery-status') || find('message/global-delivery-status')) {
    const status = find('message/delivery-status') ?? find('message/global-delivery-status');
    if (!status) return { type: 'other', reason: 'a delivery report without its message/delivery-status part' };
    const blocks = fieldBlocks(status.text);
    const recipients = blocks
      .filter((b) => b.has('final-recipient') || b.has('original-recipient') || b.has('action'))
      .filter((b) => b.has('action') || b.has('status'))
      .map((b) => {
        const action = b.get('action') ?? null;
        const statusCode = /\d\.\d{1,3}\.\d{1,3}/.exec(b.get('status') ?? '')?.[0] ?? null;
        return {
          recipient: addressField(b.get('final-recipient') ?? b.get('original-recipient')),
          action,
          status: statusCode,
          diagnostic: (b.get('diagnostic-code') ?? '').replace(/^[a-z-]+;\s*/i, '').slice(0, 500) || null,
          kind: classify(action, statusCode),
        };
      });
    if (!recipients.length) return { type: 'other', reason: 'a delivery report naming no recipient' };
    // The quoted original: its headers part, or the whole message.
    const original = find('text/rfc822-headers') ?? find('message/rfc822') ?? find('message/global-headers') ?? find('message/global');
    const messageIds = original ? messageIdsIn(original.text) : messageIdsIn(rawText).slice(1);
    return { type: 'dsn', recipients, messageIds };
  }

  if (reportType === 'feedback-report' || find('message/feedback-report')) {
    const fb = find('message/feedback-report');
    if (!fb) return { type: 'other', reason: 'a feedback report without its message/feedback-report part' };
    const fields = fieldBlocks(fb.text)[0] ?? new Map<string, string>();
    const original = find('message/rfc822') ?? find('text/rfc822-headers');
    // The last Message-ID wins: the attached original's, not the report's own or a forwarding wrapper's.
    const messageIds = original ? messageIdsIn(original.text) : [];
    return {
      type: 'arf',
      feedbackType: (fields.get('feedback-type') ?? '').toLowerCase(),
      messageIds,
      originalRecipient: addressField(fields.get('original-rcpt-to')),
    };
  }

  const mailto = opts.unsubscribeMailto?.toLowerCase();
  const to = [...(opts.recipients ?? []), ...((mail.to ? (Array.isArray(mail.to) ? mail.to : [mail.to]) : []).flatMap((t) => t.value.map((v) => v.address ?? '')))].map((a) => a.toLowerCase());
  if (mailto && to.includes(mailto)) return { type: 'unsubscribe', from: mail.from?.value[0]?.address?.toLowerCase() ?? null };
  return { type: 'other', reason: 'neither a delivery status notification nor a feedback report' };
}
