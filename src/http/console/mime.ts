// A small, pure MIME reader for showing outbox mails as the recipient would see them: headers decoded,
// multipart split, base64 and quoted-printable undone, charsets honoured. mailparser is a test-only
// dependency, and the console needs nothing more than this.

/** A mail split into what a mail client shows. */
export interface ParsedMail {
  headers: { name: string; value: string }[];
  subject: string;
  from: string;
  to: string;
  date: string;
  messageId: string;
  html: string | null;
  text: string | null;
  attachments: number;
}

interface Part {
  headers: { name: string; value: string }[];
  body: string; // latin1: one char per byte
}

function splitHead(raw: string): Part {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers: { name: string; value: string }[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1]!.value += ' ' + line.trim();
    else {
      const i = line.indexOf(':');
      if (i > 0) headers.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
    }
  }
  return { headers, body };
}

function header(p: Part, name: string): string {
  return p.headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
}

function params(value: string): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = value.split(';');
  const out: Record<string, string> = {};
  for (const r of rest) {
    const m = /^\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/.exec(r);
    if (m) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { type: type.trim().toLowerCase(), params: out };
}

function decodeBytes(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Undoes quoted-printable into bytes. */
export function decodeQuotedPrintable(s: string): Buffer {
  const clean = s.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < clean.length; i++) {
    const ch = clean[i]!;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(clean.slice(i + 1, i + 3))) {
      out.push(parseInt(clean.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(clean.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in a header value. */
export function decodeWords(value: string): string {
  const bytesToText = (v: string) => decodeBytes(Buffer.from(v, 'latin1'), 'utf-8');
  const joined = value.replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1');
  return bytesToText(joined).replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '));
    return decodeBytes(bytes, charset.replace(/\*.*$/, ''));
  });
}

function body(p: Part): Buffer {
  const enc = header(p, 'content-transfer-encoding').toLowerCase();
  if (enc === 'base64') return Buffer.from(p.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(p.body);
  return Buffer.from(p.body, 'latin1');
}

function walk(p: Part, out: { html: string | null; text: string | null; attachments: number }, depth: number): void {
  const ct = params(header(p, 'content-type') || 'text/plain');
  if (ct.type.startsWith('multipart/') && ct.params.boundary && depth < 10) {
    const b = `--${ct.params.boundary}`;
    const pieces = p.body.split(new RegExp(`\\r?\\n?${b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith('--')) break;
      walk(splitHead(piece.replace(/^[ \t]*\r?\n/, '')), out, depth + 1);
    }
    return;
  }
  const disposition = header(p, 'content-disposition').toLowerCase();
  if (disposition.startsWith('attachment')) {
    out.attachments++;
    return;
  }
  // Line ends on the wire are CRLF; a reader sees plain newlines.
  const read = () => decodeBytes(body(p), ct.params.charset ?? 'utf-8').replace(/\r\n/g, '\n');
  if (ct.type === 'text/html' && out.html === null) out.html = read();
  else if (ct.type === 'text/plain' && out.text === null) out.text = read();
  else if (!ct.type.startsWith('text/')) out.attachments++;
}

/** Parses a raw RFC 5322 message. */
export function parseMail(raw: Buffer): ParsedMail {
  const top = splitHead(raw.toString('latin1'));
  const out = { html: null as string | null, text: null as string | null, attachments: 0 };
  walk(top, out, 0);
  const headers = top.headers.map((h) => ({ name: h.name, value: decodeWords(h.value) }));
  const get = (n: string) => headers.find((h) => h.name.toLowerCase() === n)?.value ?? '';
  return {
    headers,
    subject: get('subject'),
    from: get('from'),
    to: get('to'),
    date: get('date'),
    messageId: get('message-id'),
    ...out,
  };
}
