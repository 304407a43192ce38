import type { Hono } from 'hono';

/** The confirm/unsubscribe link found in a mail's text. */
export function linkIn(text: string, kind: 'confirm' | 'unsubscribe'): string {
  const m = new RegExp(`https?://[^\\s"<>]+/${kind}/[A-Za-z0-9._~%-]+`).exec(text);
  if (!m) throw new Error(`no ${kind} link in: ${text.slice(0, 500)}`);
  return m[0];
}

/** The path part of an absolute URL. */
export const pathOf = (url: string) => new URL(url).pathname;

/** Posts a form (urlencoded) through app.request. */
export function postForm(app: Hono, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Posts JSON through app.request. */
export function postJson(app: Hono, path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The hidden form timing token from the landing page's HTML. */
export function formTokenIn(html: string): string {
  const m = /name="t" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no form token on the page');
  return m[1]!;
}

/** A raw header's value from a message's source, with folded lines joined. */
export function rawHeader(raw: Buffer | string, name: string): string | undefined {
  const head = raw.toString().split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m?.[1]?.trim();
}

/** The HTTPS/HTTP URL inside List-Unsubscribe. */
export function listUnsubscribeUrl(raw: Buffer | string): string {
  const v = rawHeader(raw, 'List-Unsubscribe');
  const m = v ? /<(https?:[^>]+)>/.exec(v) : null;
  if (!m) throw new Error(`no List-Unsubscribe URL in: ${v}`);
  return m[1]!;
}
