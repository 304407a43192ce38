import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { startInboundListener, type InboundListener } from '../../src/bounces/inbound.js';
import { listReports } from '../../src/deliveries/repo.js';
import { createSender, type Sender } from '../../src/deliveries/sender.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { addSubscribers, deliveryRows, insertIssue, until } from '../helpers/deliver-fixtures.js';

// A private Postfix started by .ci/postfix.sh (which .ci/run calls) writes where it listens here.
const envFile = join(process.env.NEWSDESK_POSTFIX_DIR ?? '/tmp/newsdesk-postfix', 'env');
const pf = existsSync(envFile)
  ? Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    )
  : null;

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
const available = pf ? await reachable(Number(pf.POSTFIX_PORT)) : false;
if (!available) console.warn(`postfix test skipped: no private Postfix running (run .ci/postfix.sh; looked for ${envFile})`);

let ctx: TestContext | undefined;
let sender: Sender | undefined;
let listener: InboundListener | undefined;
afterEach(async () => {
  await sender?.stop();
  await listener?.stop();
  await ctx?.cleanup();
  ctx = sender = listener = undefined;
});

describe.skipIf(!available)('a real MTA end to end (Postfix on loopback delivering to a Maildir)', () => {
  it('the digest arrives in the Maildir with its headers intact, and the ledger holds Postfix\'s queue id', async () => {
    const run = randomUUID().slice(0, 8);
    const from = `Engineering @ Scale <digest@run-${run}.newsdesk.test>`;
    ctx = await makeTestContext({ env: { SMTP_URL: `smtp://127.0.0.1:${pf!.POSTFIX_PORT}`, MAIL_FROM: from, SMTP_POOL_SIZE: '2', UNSUBSCRIBE_MAILTO: 'leave@newsdesk.test' } });
    addSubscribers(ctx, 3, { prefix: `r${run}-` });
    const issueId = insertIssue(ctx, { subject: 'Engineering @ Scale \u2014 2026-04-06' });
    await sendIssue(ctx, issueId);
    sender = createSender(ctx, { maintenanceMs: 50, idlePollMs: 20 });
    sender.start();
    await until(() => deliveryRows(ctx!, issueId).every((r) => r.status === 'sent'), 20_000, 'accepted by postfix');
    for (const r of deliveryRows(ctx, issueId)) expect(r.smtpResponse).toMatch(/^250 .*queued as [0-9A-Za-z]+/);

    const dir = join(pf!.POSTFIX_MAILDIR!, 'new');
    const mine = async (): Promise<ParsedMail[]> => {
      if (!existsSync(dir)) return [];
      const out: ParsedMail[] = [];
      for (const f of readdirSync(dir)) {
        const raw = readFileSync(join(dir, f));
        if (raw.includes(`run-${run}.newsdesk.test`)) out.push(await simpleParser(raw));
      }
      return out;
    };
    let mails: ParsedMail[] = [];
    await until(async () => (mails = await mine()).length >= 3, 30_000, 'three mails in the Maildir');
    expect(mails).toHaveLength(3);
    for (const m of mails) {
      const row = deliveryRows(ctx, issueId).find((r) => m.messageId === `<issue-${issueId}.sub-${r.subscriberId}@run-${run}.newsdesk.test>`);
      expect(row, m.messageId).toBeDefined();
      expect(m.subject).toBe('Engineering @ Scale \u2014 2026-04-06');
      const lines = Object.fromEntries(m.headerLines.map((h) => [h.key, h.line.replace(/\r?\n[ \t]+/g, ' ')]));
      expect(lines['list-unsubscribe']).toMatch(/^List-Unsubscribe: <http:\/\/newsdesk\.test\/unsubscribe\/u\.[0-9a-z]+\.[\w-]+>, <mailto:leave@newsdesk\.test\?subject=unsubscribe>$/);
      expect(lines['list-unsubscribe-post']).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(lines['list-id']).toBe(`List-Id: "Engineering @ Scale" <engineering-scale.run-${run}.newsdesk.test>`);
      expect(lines['precedence']).toBe('Precedence: bulk');
      expect(lines['delivered-to']).toBe(`Delivered-To: ${row!.email}`);
      const url = /<(http[^>]+)>/.exec(lines['list-unsubscribe']!)![1]!;
      expect(m.text).toContain(url);
      expect(String(m.html)).toContain(`href="${url}"`);
    }
  }, 60_000);

  it.skipIf(!pf?.POSTFIX_BOUNCE_PORT)('addresses Postfix bounces after accepting them come back as DSNs through the inbound listener, and only those subscribers are bounced', async () => {
    const run = randomUUID().slice(0, 8);
    ctx = await makeTestContext({
      env: { SMTP_URL: `smtp://127.0.0.1:${pf!.POSTFIX_PORT}`, MAIL_FROM: `Engineering @ Scale <digest@run-${run}.newsdesk.test>`, BOUNCE_ADDRESS: 'bounces@bounces.newsdesk.test', SMTP_POOL_SIZE: '2' },
    });
    listener = await startInboundListener(ctx, { port: Number(pf!.POSTFIX_BOUNCE_PORT), host: '127.0.0.1' });
    const good = addSubscribers(ctx, 3, { prefix: `ok${run}-` });
    const dead = addSubscribers(ctx, 2, { prefix: `gone${run}-`, domain: 'bounce.example.test' });
    const issueId = insertIssue(ctx, { subject: 'Engineering @ Scale \u2014 2026-04-06' });
    await sendIssue(ctx, issueId);
    sender = createSender(ctx, { maintenanceMs: 50, idlePollMs: 20 });
    sender.start();
    // Postfix accepts every copy (a 250 for the dead addresses too), then fails those and mails a DSN back.
    await until(() => deliveryRows(ctx!, issueId).every((r) => r.status === 'sent' || r.status === 'bounced'), 20_000, 'accepted by postfix');
    const status = (id: number) => (ctx!.sqlite.prepare('SELECT status FROM subscribers WHERE id = ?').get(id) as { status: string }).status;
    await until(() => dead.every((id) => status(id) === 'bounced'), 30_000, 'the DSNs to bounce the dead addresses');
    for (const id of good) expect(status(id)).toBe('confirmed');
    const reports = await listReports(ctx, {});
    expect(reports.filter((r) => r.kind === 'hard').map((r) => r.subscriberId).sort()).toEqual([...dead].sort());
    for (const r of reports.filter((x) => x.kind === 'hard')) expect(r).toMatchObject({ channel: 'smtp', status: expect.stringMatching(/^5\./), action: 'bounced' });
    // The remote's refusal, as Postfix quoted it in the DSN.
    for (const id of dead) expect((ctx.sqlite.prepare("SELECT detail FROM consent_events WHERE subscriber_id = ? AND type = 'bounce'").get(id) as { detail: string }).detail).toMatch(/hard bounce after delivery: 5\.\d\.\d .*No such mailbox here/);
    // Postfix accepted every copy: the ledger first recorded each as sent, the DSN then turned the dead ones bounced.
    expect(deliveryRows(ctx, issueId).filter((r) => r.smtpResponse?.startsWith('250 ')).length).toBe(5);
  }, 60_000);
});
