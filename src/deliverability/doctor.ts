// `newsdesk doctor` and /admin/deliverability: whether mail from this installation will be trusted. SPF, DKIM (the
// key in DNS is the one DKIM_PRIVATE_KEY signs with), DMARC and its alignment with MAIL_FROM, the bounce domain's MX,
// the relay's TLS and authentication, and PUBLIC_URL answering a one-click unsubscribe POST. Each check passes,
// warns or fails with a sentence saying what to fix. DNS_SERVERS names the resolvers (default: the system's).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Config } from '../config.js';
import { addressDomain } from '../mail/compose.js';
import { smtpUrlParts } from '../mail/smtp.js';
import { signToken } from '../subscribers/tokens.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  /** What was found, and when not a pass, what to do about it. */
  message: string;
}


/** The organizational domain, roughly: the last two labels (three for a two-letter second level such as co.uk). */
export function orgDomain(d: string): string {
  const labels = d.toLowerCase().split('.');
  const n = labels.length >= 3 && labels.at(-2)!.length <= 3 && labels.at(-1)!.length === 2 ? 3 : 2;
  return labels.slice(-n).join('.');
}

const aligned = (a: string, b: string) => orgDomain(a) === orgDomain(b);

function resolver(servers: string[]): Resolver {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  if (servers.length) r.setServers(servers);
  return r;
}

async function txt(r: Resolver, name: string): Promise<string[] | null> {
  try {
    return (await r.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    return null;
  }
}

async function spfCheck(r: Resolver, domain: string, role: string): Promise<Check> {
  const name = `SPF (${role} ${domain})`;
  const records = await txt(r, domain);
  if (records === null) return { name, status: 'fail', message: `the DNS lookup for ${domain} failed: check DNS_SERVERS or the network` };
  const spf = records.filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (!spf.length) return { name, status: 'fail', message: `no SPF record on ${domain}: add a TXT record such as "v=spf1 include:<your relay's SPF> -all"` };
  if (spf.length > 1) return { name, status: 'fail', message: `${spf.length} SPF records on ${domain}: receivers treat that as an error; merge them into one` };
  const rec = spf[0]!;
  if (/\s\+?all\b/i.test(rec) && !/[-~?]all\b/i.test(rec)) return { name, status: 'fail', message: `"${rec}" ends with +all, which lets anyone send as ${domain}: end it with -all or ~all` };
  if (/\?all\b/i.test(rec) || !/[-~]all\b/i.test(rec)) return { name, status: 'warn', message: `"${rec}" does not end with -all or ~all: receivers cannot tell forged mail from yours` };
  return { name, status: 'pass', message: `"${rec}"` };
}

async function dkimCheck(r: Resolver, config: Config): Promise<Check> {
  const name = 'DKIM';
  const d = config.dkim;
  if (!d) return { name, status: 'warn', message: 'DKIM is off: Gmail and Yahoo expect bulk mail signed; set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY' };
  const host = `${d.keySelector}._domainkey.${d.domainName}`;
  const records = await txt(r, host);
  if (records === null) return { name, status: 'fail', message: `the DNS lookup for ${host} failed` };
  const rec = records.find((t) => /(^|;)\s*p=/.test(t));
  if (!rec) return { name, status: 'fail', message: `no DKIM key at ${host}: publish a TXT record "v=DKIM1; k=rsa; p=<the public key of DKIM_PRIVATE_KEY>"` };
  const published = /(?:^|;)\s*p=([^;]*)/.exec(rec)![1]!.replace(/\s+/g, '');
  if (!published) return { name, status: 'fail', message: `the key at ${host} is revoked (empty p=)` };
  let ours: string;
  try {
    ours = createPublicKey(createPrivateKey(d.privateKey)).export({ format: 'der', type: 'spki' }).toString('base64');
  } catch {
    return { name, status: 'fail', message: 'DKIM_PRIVATE_KEY is not a readable private key' };
  }
  if (published !== ours) return { name, status: 'fail', message: `the key at ${host} is not the public half of DKIM_PRIVATE_KEY: publish p=${ours.slice(0, 24)}…` };
  return { name, status: 'pass', message: `the key at ${host} matches DKIM_PRIVATE_KEY` };
}

async function dmarcCheck(r: Resolver, config: Config, envelopeDomain: string): Promise<Check> {
  const name = 'DMARC';
  const from = addressDomain(config.mailFrom);
  let records = await txt(r, `_dmarc.${from}`);
  if (records !== null && !records.some((t) => /^v=DMARC1/i.test(t)) && orgDomain(from) !== from) records = await txt(r, `_dmarc.${orgDomain(from)}`);
  if (records === null) return { name, status: 'fail', message: `the DNS lookup for _dmarc.${from} failed` };
  const rec = records.find((t) => /^v=DMARC1/i.test(t));
  if (!rec) return { name, status: 'fail', message: `no DMARC record for ${from}: Gmail and Yahoo require one for bulk senders; add TXT _dmarc.${from} "v=DMARC1; p=none; rua=mailto:…" to start` };
  const dkimAligned = !!config.dkim && aligned(config.dkim.domainName, from);
  const spfAligned = aligned(envelopeDomain, from);
  if (!dkimAligned && !spfAligned)
    return {
      name,
      status: 'fail',
      message: `MAIL_FROM's domain ${from} aligns with neither DKIM (${config.dkim?.domainName ?? 'off'}) nor the envelope sender (${envelopeDomain}): DMARC will fail; sign with DKIM_DOMAIN=${from} or use a BOUNCE_ADDRESS under ${orgDomain(from)}`,
    };
  const policy = /(?:^|;)\s*p=(\w+)/i.exec(rec)?.[1]?.toLowerCase();
  const how = [dkimAligned ? 'DKIM' : null, spfAligned ? 'SPF' : null].filter(Boolean).join(' and ');
  if (policy === 'none') return { name, status: 'warn', message: `"${rec}": aligned by ${how}, but p=none asks receivers to do nothing with forged mail; move to quarantine once reports look clean` };
  return { name, status: 'pass', message: `"${rec}": aligned by ${how}` };
}

async function mxCheck(r: Resolver, config: Config): Promise<Check> {
  const name = 'Bounce domain MX';
  if (!config.bounceAddress) return { name, status: 'warn', message: 'BOUNCE_ADDRESS is not set: bounce reports go to MAIL_FROM and are never read; set it and point its MX at this host' };
  const domain = addressDomain(config.bounceAddress);
  try {
    const mx = await r.resolveMx(domain);
    if (!mx.length) throw Object.assign(new Error('none'), { code: 'ENODATA' });
    return { name, status: 'pass', message: `${domain} receives mail at ${mx.sort((a, b) => a.priority - b.priority).map((m) => m.exchange).join(', ')}` };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return { name, status: 'fail', message: `${domain} has no MX record: bounce reports cannot reach newsdesk; add an MX pointing at the host running BOUNCE_SMTP_PORT` };
    return { name, status: 'fail', message: `the MX lookup for ${domain} failed (${code ?? 'error'})` };
  }
}

async function relayCheck(config: Config): Promise<Check[]> {
  if (!config.smtpUrl) return [{ name: 'Relay', status: 'warn', message: 'SMTP_URL is not set: mails are written to data/outbox, nothing is sent' }];
  const p = smtpUrlParts(config.smtpUrl);
  const conn = new SMTPConnection({
    host: p.host,
    port: p.port,
    secure: p.secure,
    ignoreTLS: p.ignoreTLS,
    requireTLS: p.requireTLS,
    tls: { rejectUnauthorized: p.rejectUnauthorized },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 10_000,
  });
  const where = `${p.host}:${p.port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      conn.once('error', reject);
      conn.connect(() => resolve());
    });
  } catch (err) {
    return [{ name: 'Relay TLS', status: 'fail', message: `cannot open a session with ${where}: ${(err as Error).message}` }];
  }
  const secure = (conn as unknown as { secure?: boolean }).secure === true;
  const tls: Check = secure
    ? { name: 'Relay TLS', status: 'pass', message: `${where} speaks TLS${p.rejectUnauthorized ? ' with a verified certificate' : ' (its certificate is not verified: tlsRejectUnauthorized=false)'}` }
    : { name: 'Relay TLS', status: 'fail', message: `${where} offers no TLS: the password and every mail cross the network in the clear; use a relay with STARTTLS or smtps://` };
  let auth: Check;
  if (!p.auth) auth = { name: 'Relay AUTH', status: 'warn', message: `no login in SMTP_URL: ${where} must accept mail from this host by its address alone` };
  else
    auth = await new Promise<Check>((resolve) =>
      conn.login({ user: p.auth!.user, pass: p.auth!.pass }, (err) =>
        resolve(err ? { name: 'Relay AUTH', status: 'fail', message: `${where} refused the login in SMTP_URL: ${err.message}` } : { name: 'Relay AUTH', status: 'pass', message: `logged in to ${where} as ${p.auth!.user}` }),
      ),
    );
  conn.quit();
  return [tls, auth];
}

async function oneClickCheck(config: Config): Promise<Check> {
  const name = 'One-click unsubscribe';
  // A token for a subscriber that cannot exist: the POST reaches the real route and unsubscribes nobody.
  const url = `${config.publicUrl}/unsubscribe/${signToken(config.secretKey, { purpose: 'unsubscribe', subscriberId: 2 ** 50, issuedAt: 0 })}`;
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    if (res.status >= 500) return { name, status: 'fail', message: `POST ${config.publicUrl}/unsubscribe/… answered HTTP ${res.status}: one-click unsubscribes fail` };
    if (!config.publicUrl.startsWith('https://')) return { name, status: 'warn', message: `PUBLIC_URL answers the one-click POST (HTTP ${res.status}) but is not https: Gmail and Yahoo expect an https List-Unsubscribe` };
    return { name, status: 'pass', message: `POST ${config.publicUrl}/unsubscribe/… answered HTTP ${res.status}` };
  } catch (err) {
    return { name, status: 'fail', message: `PUBLIC_URL (${config.publicUrl}) does not answer a POST from here: ${(err as Error).message}; the links in every mail point there` };
  }
}

/** Runs every check; the order is the one an operator fixes them in. */
export async function runDoctor(config: Config, o: { dnsServers?: string[] } = {}): Promise<Check[]> {
  const r = resolver(o.dnsServers ?? config.dnsServers);
  const fromDomain = addressDomain(config.mailFrom);
  const envelopeDomain = config.bounceAddress ? addressDomain(config.bounceAddress) : fromDomain;
  const checks: Check[] = [await spfCheck(r, envelopeDomain, 'envelope sender')];
  if (envelopeDomain !== fromDomain) checks.push(await spfCheck(r, fromDomain, 'From'));
  checks.push(await dkimCheck(r, config), await dmarcCheck(r, config, envelopeDomain), await mxCheck(r, config), ...(await relayCheck(config)), await oneClickCheck(config));
  return checks;
}

/** The checks as a table for the terminal. */
export function formatChecks(checks: Check[]): string {
  const mark = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => `${mark[c.status]}  ${c.name.padEnd(width)}  ${c.message}`).join('\n');
}
