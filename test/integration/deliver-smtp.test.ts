import { generateKeyPairSync } from 'node:crypto';
import { createIssueTemplate } from '../../src/deliveries/message.js';
import { UNSUBSCRIBE_PLACEHOLDER } from '../../src/issues/personalize.js';
import { isSmtpReady } from '../../src/mail/mailer.js';
import { createSmtpMailer } from '../../src/mail/smtp.js';
import { describe, expect, it } from 'vitest';
import { resendIssue, sendIssue } from '../../src/deliveries/send.js';
import { deliveryCounts } from '../../src/deliveries/repo.js';
import type { TestContext } from '../helpers/context.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

const issueStatus = (c: TestContext, id: number) => (c.sqlite.prepare('SELECT status FROM issues WHERE id = ?').get(id) as { status: string }).status;

describe('sending an issue through a real SMTP server', () => {
  it('delivers one personalised copy to every confirmed subscriber, with list headers, and records the answer', async () => {
    const sink = await sinkForTest();
    const ctx = await contextForTest({ env: { SMTP_URL: sink.url, SMTP_POOL_SIZE: '3', UNSUBSCRIBE_MAILTO: 'unsubscribe@example.test', MAIL_FROM: 'Engineering @ Scale <digest@news.example>' } });
    const confirmed = addSubscribers(ctx, 25);
    addSubscribers(ctx, 2, { status: 'unsubscribed', prefix: 'gone' });
    addSubscribers(ctx, 1, { status: 'pending', prefix: 'pend' });
    addSubscribers(ctx, 1, { status: 'bounced', prefix: 'bnc' });
    const issueId = insertIssue(ctx, { subject: 'Engineering @ Scale \u2014 2026-04-06: caf\u00e9s' });

    const first = await sendIssue(ctx, issueId);
    expect(first.queued).toBe(25);
    const again = await sendIssue(ctx, issueId);
    expect(again.queued).toBe(0);

    senderForTest(ctx, { maintenanceMs: 100, idlePollMs: 20 });
    await sink.waitFor(25);
    await until(() => issueStatus(ctx, issueId) === 'sent', 10_000, 'issue sent');
    expect(sink.received).toHaveLength(25);

    const rcpts = sink.received.map((m) => m.envelopeTo[0]).sort();
    expect(new Set(rcpts).size).toBe(25);
    expect(rcpts.some((r) => /^(gone|pend|bnc)/.test(r!))).toBe(false);

    for (const m of sink.received) {
      const to = m.envelopeTo[0]!;
      const row = deliveryRows(ctx, issueId).find((d) => d.email === to)!;
      expect(m.envelopeFrom).toBe('digest@news.example');
      expect(m.parsed.messageId).toBe(`<issue-${issueId}.sub-${row.subscriberId}@news.example>`);
      expect(m.parsed.subject).toBe('Engineering @ Scale \u2014 2026-04-06: caf\u00e9s');
      const raw = m.raw.toString('utf8');
      const lu = /^List-Unsubscribe:(.*(?:\r\n[ \t].*)*)/m.exec(raw)![1]!.replace(/\r\n[ \t]+/g, ' ');
      const url = /<(https?:[^>]+)>/.exec(lu)![1]!;
      expect(url).toMatch(/^http:\/\/newsdesk\.test\/unsubscribe\/u\.[0-9a-z]+\.[A-Za-z0-9_-]+$/);
      expect(lu).toContain('<mailto:unsubscribe@example.test?subject=unsubscribe>');
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      expect(raw).toMatch(/^Precedence: bulk\r$/m);
      expect(raw).toMatch(/^List-Id: "Engineering @ Scale" <engineering-scale\.news\.example>\r$/m);
      expect(m.parsed.text).toContain(`Unsubscribe: ${url}`);
      expect(m.parsed.text).toContain('\n.leading dot line');
      expect(m.parsed.text).toContain('Caf\u00e9 & scale.');
      expect(String(m.parsed.html)).toContain(`href="${url}"`);
      expect(String(m.parsed.html)).not.toContain('__NEWSDESK');
      // Each recipient's URL names that recipient, nobody else.
      expect(url).toContain(`/u.${row.subscriberId.toString(36)}.`);
    }
    const rows = deliveryRows(ctx, issueId);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && /^250/.test(r.smtpResponse ?? ''))).toBe(true);
    expect(confirmed).toHaveLength(25);
    const counts = await deliveryCounts(ctx, issueId);
    expect(counts).toMatchObject({ sent: 25, queued: 0, sending: 0, failed: 0, bounced: 0, uncertain: 0 });

    // A resend to one address is a new copy with its own Message-ID; the resend is recorded.
    const res = await resendIssue(ctx, issueId, { email: 'user3@example.test' }, 'test-operator');
    expect(res.queued).toBe(1);
    await sink.waitFor(26);
    const copy = sink.received[25]!;
    expect(copy.envelopeTo).toEqual(['user3@example.test']);
    expect(copy.parsed.messageId).toMatch(/\.r1@news\.example>$/);
    const req = ctx.sqlite.prepare('SELECT kind, email, requested_by AS by, queued FROM resend_requests').all();
    expect(req).toEqual([{ kind: 'email', email: 'user3@example.test', by: 'test-operator', queued: 1 }]);
  });

  it('a message given as its pieces arrives byte for byte as the joined message; pieces that are not SMTP-ready are joined and dot-stuffed', async () => {
    const sink = await sinkForTest();
    const mailer = createSmtpMailer({ url: sink.url, poolSize: 2, rate: 0 });
    try {
      const tpl = createIssueTemplate({
        issueId: 3,
        subject: 'Pieces',
        html: `<p>${'caf\u00e9 = and more. '.repeat(300)}</p><a href="${UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a>`,
        text: `.a dot first\n${'word '.repeat(2000)}\n${UNSUBSCRIBE_PLACEHOLDER}\n`,
        from: 'Digest <digest@news.example>',
        listId: 'digest.news.example',
        listName: 'Digest',
      });
      const r = { subscriberId: 4, email: 'ann@example.test', unsubscribeUrl: 'https://news.example/unsubscribe/u.4.x' };
      const date = new Date('2026-04-06T06:00:00Z');
      const { raw: pieces, messageId } = tpl.pieces(r, date);
      expect(pieces.length).toBeGreaterThan(4);
      expect(isSmtpReady(pieces)).toBe(true);
      const joined = tpl.build(r, date).raw;
      await mailer.sendRaw({ from: 'digest@news.example', to: r.email, raw: pieces, messageId });
      // Not marked SMTP-ready (a bare LF, a line starting with a dot): joined, then stuffed by the client.
      const rough = [Buffer.from('Subject: rough\r\n\r\n'), Buffer.from('.dot line\nbare lf\r\n')];
      await mailer.sendRaw({ from: 'digest@news.example', to: 'bob@example.test', raw: rough, messageId: 'rough@news.example' });
      await sink.waitFor(2);
      const byTo = new Map(sink.received.map((m) => [m.envelopeTo[0], m]));
      expect(byTo.get('ann@example.test')!.raw.equals(joined)).toBe(true);
      expect(byTo.get('ann@example.test')!.parsed.text).toContain('.a dot first');
      expect(byTo.get('bob@example.test')!.parsed.text).toContain('.dot line');
    } finally {
      await mailer.close();
    }
  });

  it('signs with DKIM when configured, covering the List-* headers', async () => {
    const sink = await sinkForTest();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ctx = await contextForTest({
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Digest <digest@news.example>', DKIM_DOMAIN: 'news.example', DKIM_SELECTOR: 'nd1', DKIM_PRIVATE_KEY: pem },
    });
    addSubscribers(ctx, 2);
    const issueId = insertIssue(ctx);
    await sendIssue(ctx, issueId);
    senderForTest(ctx, { maintenanceMs: 50, idlePollMs: 20 });
    await sink.waitFor(2);
    for (const m of sink.received) {
      const sig = m.parsed.headerLines.find((h) => h.key === 'dkim-signature')!.line.replace(/\r?\n\s+/g, ' ');
      expect(sig).toMatch(/d=news\.example/);
      expect(sig).toMatch(/s=nd1/);
      const h = /[; ]h=([^;]+)/.exec(sig)![1]!.replace(/\s+/g, '').toLowerCase().split(':');
      expect(h).toEqual(expect.arrayContaining(['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'feedback-id']));
      // The signature holds: verified here with the public key against the canonicalized headers is the relay's job,
      // but the campaign id it covers is the one in the message.
      expect(m.raw.toString()).toMatch(new RegExp(`^Feedback-ID: issue-${issueId}:newsletter:news\\.example\\r$`, 'm'));
    }
  });
});
