import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import dns2 from 'dns2';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, formatChecks, orgDomain, type Check } from '../../src/deliverability/doctor.js';
import { createApp } from '../../src/http/app.js';
import { listenHttp } from '../../src/server.js';
import { freePort } from '../helpers/server.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { selfSignedCert } from '../helpers/tls.js';
import { spawnCli } from '../helpers/cli.js';

// `newsdesk doctor` against a DNS server the test starts (dns2 on loopback, DNS_SERVERS pointing at it), a relay
// with and without TLS and AUTH, and PUBLIC_URL answering or not: a correct setup passes, a broken one says
// what is wrong with each part.

const { Packet } = dns2;
const dkim = generateKeyPairSync('rsa', { modulusLength: 1024 });
const DKIM_PEM = dkim.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const DKIM_PUBLIC = dkim.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const otherKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

type Records = Record<string, { TXT?: string[]; MX?: { exchange: string; priority: number }[] }>;
let records: Records = {};
let dnsServer: ReturnType<typeof dns2.createServer>;
let dnsAddr = '';
let goodRelay: SMTPServer;
let badRelay: SMTPServer;
let goodRelayPort = 0;
let badRelayPort = 0;
let ctx: TestContext;
let publicUrl = '';
let http: Awaited<ReturnType<typeof listenHttp>>;

beforeAll(async () => {
  dnsServer = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const q = request.questions[0]!;
      const rec = records[q.name.toLowerCase()];
      if (!rec) response.header.rcode = 3; // NXDOMAIN
      else if (q.type === Packet.TYPE.TXT)
        for (const t of rec.TXT ?? []) response.answers.push({ name: q.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data: t.match(/.{1,250}/g)! } as never);
      else if (q.type === Packet.TYPE.MX) for (const m of rec.MX ?? []) response.answers.push({ name: q.name, type: Packet.TYPE.MX, class: Packet.CLASS.IN, ttl: 60, ...m } as never);
      send(response);
    },
  });
  await new Promise<void>((resolve) => {
    dnsServer.on('listening', () => resolve());
    void dnsServer.listen({ udp: { port: 0, address: '127.0.0.1' } });
  });
  dnsAddr = `127.0.0.1:${(dnsServer.addresses() as { udp: AddressInfo }).udp.port}`;

  const { key, cert } = selfSignedCert();
  goodRelay = new SMTPServer({ key, cert, authMethods: ['PLAIN', 'LOGIN'], onAuth: (a, _s, cb) => (a.username === 'relay' && a.password === 'right' ? cb(null, { user: 'relay' }) : cb(new Error('Invalid credentials'))), logger: false });
  badRelay = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, onAuth: (_a, _s, cb) => cb(new Error('Invalid credentials')), logger: false });
  goodRelayPort = await new Promise<number>((r) => goodRelay.listen(0, '127.0.0.1', () => r((goodRelay.server.address() as AddressInfo).port)));
  badRelayPort = await new Promise<number>((r) => badRelay.listen(0, '127.0.0.1', () => r((badRelay.server.address() as AddressInfo).port)));

  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  ctx = await makeTestContext({ env: { PUBLIC_URL: publicUrl } });
  http = await listenHttp(createApp(ctx), { port, hostname: '127.0.0.1' });
});
afterAll(async () => {
  await new Promise<void>((r) => http.close(() => r()));
  await ctx.cleanup();
  goodRelay.close();
  badRelay.close();
  await dnsServer.close();
});

/** The same installation with another environment (the checks read only the config). */
async function doctor(env: Record<string, string>): Promise<Record<string, Check>> {
  const c = await makeTestContext({ env: { PUBLIC_URL: publicUrl, DNS_SERVERS: dnsAddr, ...env } });
  try {
    return Object.fromEntries((await runDoctor(c.config)).map((x) => [x.name, x]));
  } finally {
    await c.cleanup();
  }
}

const correct = {
  MAIL_FROM: 'Engineering @ Scale <digest@news.example.com>',
  BOUNCE_ADDRESS: 'bounces@bounces.news.example.com',
  DKIM_DOMAIN: 'news.example.com',
  DKIM_SELECTOR: 'nd1',
  DKIM_PRIVATE_KEY: DKIM_PEM,
  SMTP_URL: '',
};

describe('newsdesk doctor', () => {
  it('passes a correct setup: SPF on both domains, the DKIM key, an aligned DMARC, the bounce MX, a TLS relay with AUTH', async () => {
    records = {
      'bounces.news.example.com': { TXT: ['v=spf1 ip4:127.0.0.1 -all'], MX: [{ exchange: 'mx.news.example.com', priority: 10 }] },
      'news.example.com': { TXT: ['v=spf1 include:_spf.relay.example -all', 'google-site-verification=abc'] },
      'nd1._domainkey.news.example.com': { TXT: [`v=DKIM1; k=rsa; p=${DKIM_PUBLIC}`] },
      '_dmarc.news.example.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@news.example.com'] },
    };
    const c = await doctor({ ...correct, SMTP_URL: `smtp://relay:right@127.0.0.1:${goodRelayPort}?tlsRejectUnauthorized=false` });
    expect(c['SPF (envelope sender bounces.news.example.com)']).toMatchObject({ status: 'pass' });
    expect(c['SPF (From news.example.com)']).toMatchObject({ status: 'pass' });
    expect(c.DKIM).toMatchObject({ status: 'pass', message: expect.stringMatching(/matches DKIM_PRIVATE_KEY/) });
    expect(c.DMARC).toMatchObject({ status: 'pass', message: expect.stringMatching(/aligned by DKIM and SPF/) });
    expect(c['Bounce domain MX']).toMatchObject({ status: 'pass', message: expect.stringContaining('mx.news.example.com') });
    expect(c['Relay TLS']).toMatchObject({ status: 'pass' });
    expect(c['Relay AUTH']).toMatchObject({ status: 'pass' });
    // Reachable, but http: a warning, not a failure.
    expect(c['One-click unsubscribe']).toMatchObject({ status: 'warn', message: expect.stringMatching(/answers the one-click POST \(HTTP \d+\) but is not https/) });
    expect(Object.values(c).filter((x) => x.status === 'fail')).toEqual([]);
  });

  it('reports a broken setup truthfully, each part with what to fix', async () => {
    records = {
      'bounces.news.example.com': { TXT: ['v=spf1 +all'] },
      'news.example.com': { TXT: ['v=spf1 -all', 'v=spf1 include:x -all'] },
      'nd1._domainkey.news.example.com': { TXT: [`v=DKIM1; k=rsa; p=${otherKey}`] },
    };
    const c = await doctor({ ...correct, DKIM_DOMAIN: 'other.example.net', SMTP_URL: `smtp://relay:wrong@127.0.0.1:${badRelayPort}`, PUBLIC_URL: `http://127.0.0.1:${await freePort()}` });
    expect(c['SPF (envelope sender bounces.news.example.com)']).toMatchObject({ status: 'fail', message: expect.stringMatching(/\+all, which lets anyone send/) });
    expect(c['SPF (From news.example.com)']).toMatchObject({ status: 'fail', message: expect.stringMatching(/2 SPF records/) });
    // The key is published under news.example.com, but DKIM_DOMAIN now names another domain: no key there.
    expect(c.DKIM).toMatchObject({ status: 'fail', message: expect.stringMatching(/no DKIM key at nd1\._domainkey\.other\.example\.net/) });
    expect(c.DMARC).toMatchObject({ status: 'fail', message: expect.stringMatching(/no DMARC record for news\.example\.com/) });
    expect(c['Bounce domain MX']).toMatchObject({ status: 'fail', message: expect.stringMatching(/has no MX record/) });
    expect(c['Relay TLS']).toMatchObject({ status: 'fail', message: expect.stringMatching(/offers no TLS/) });
    expect(c['Relay AUTH']).toMatchObject({ status: 'fail', message: expect.stringMatching(/refused the login/) });
    expect(c['One-click unsubscribe']).toMatchObject({ status: 'fail', message: expect.stringMatching(/does not answer a POST/) });
  });

  it('tells a mismatched DKIM key, a DMARC that aligns with nothing, and p=none', async () => {
    records = {
      'news.example.com': { TXT: ['v=spf1 -all'] },
      'nd1._domainkey.news.example.com': { TXT: [`v=DKIM1; k=rsa; p=${otherKey}`] },
      '_dmarc.news.example.com': { TXT: ['v=DMARC1; p=none'] },
      'mail.example.org': { TXT: ['v=spf1 -all'], MX: [{ exchange: 'mx.example.org', priority: 5 }] },
    };
    const mismatch = await doctor({ ...correct, BOUNCE_ADDRESS: '' });
    expect(mismatch.DKIM).toMatchObject({ status: 'fail', message: expect.stringMatching(/is not the public half of DKIM_PRIVATE_KEY/) });
    expect(mismatch.DMARC).toMatchObject({ status: 'warn', message: expect.stringMatching(/p=none/) });
    expect(mismatch['Bounce domain MX']).toMatchObject({ status: 'warn', message: expect.stringMatching(/BOUNCE_ADDRESS is not set/) });
    expect(mismatch['Relay TLS'] ?? mismatch.Relay).toMatchObject({ status: 'warn', message: expect.stringMatching(/outbox/) });
    const unaligned = await doctor({ ...correct, DKIM_DOMAIN: 'dkim.example.net', BOUNCE_ADDRESS: 'bounces@mail.example.org' });
    expect(unaligned.DMARC).toMatchObject({ status: 'fail', message: expect.stringMatching(/aligns with neither DKIM \(dkim\.example\.net\) nor the envelope sender \(mail\.example\.org\)/) });
    expect(orgDomain('bounces.news.example.co.uk')).toBe('example.co.uk');
  });

  it('the command prints the checks and exits 1 when one fails', async () => {
    records = {};
    // Spawned, not spawnSync: the DNS server and PUBLIC_URL it asks live in this process.
    const child = spawnCli(['doctor'], { MAIL_FROM: 'digest@news.example.com', DNS_SERVERS: dnsAddr, PUBLIC_URL: publicUrl, DATA_DIR: ctx.dir, DATABASE_URL: `file:${ctx.dir}/doctor.sqlite`, LOG_LEVEL: 'silent' });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const r = { status, stdout };
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}SPF \(envelope sender news\.example\.com\) +no SPF record on news\.example\.com/m);
    expect(r.stdout).toMatch(/\d+ passed, \d+ warning\(s\), \d+ failed$/m);
    expect(formatChecks([{ name: 'X', status: 'pass', message: 'ok' }])).toBe('PASS  X  ok');
  }, 60_000);

  it('the console shows the same checks at /admin/deliverability', async () => {
    records = { 'news.example.com': { TXT: ['v=spf1 -all'] } };
    const c = await makeTestContext({ env: { PUBLIC_URL: publicUrl, DNS_SERVERS: dnsAddr, MAIL_FROM: 'digest@news.example.com' } });
    try {
      const app = createApp(c);
      const login = await app.request('/admin/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: c.config.adminToken }) });
      const cookie = /nd_console=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
      const html = await (await app.request('/admin/deliverability', { headers: { cookie } })).text();
      expect(html).toContain('<h1>Deliverability</h1>');
      expect(html).toMatch(/<li data-check="SPF \(envelope sender news\.example\.com\)"><div class="check-head"><b>[^<]+<\/b><span class="badge ok">pass<\/span>/);
      expect(html).toMatch(/<li data-check="DMARC"><div class="check-head"><b>DMARC<\/b><span class="badge bad">fail<\/span><\/div><p>no DMARC record for news\.example\.com/);
      expect(html).toContain('href="/admin/deliverability" aria-current="page"');
    } finally {
      await c.cleanup();
    }
  });
});
