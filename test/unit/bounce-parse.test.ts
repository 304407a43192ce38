import { describe, expect, it } from 'vitest';
import { classify, fieldBlocks, MAX_REPORT_BYTES, parseReport } from '../../src/bounces/parse.js';
import { verifyVerpToken, verpAddress, verpToken, verpTokenOf } from '../../src/bounces/verp.js';
import { reportFixture } from '../helpers/reports.js';

const SECRET = 'test-secret-key-0123456789abcdefghijklmnop';
const MSGID = 'issue-7.sub-42@news.example.com';

describe('bounce reports from real-shaped servers', () => {
  it.each([
    ['postfix-hard.eml', 'hard', '5.1.1'],
    ['exim-hard.eml', 'hard', '5.0.0'],
    ['exchange-hard.eml', 'hard', '5.1.10'],
    ['gmail-hard.eml', 'hard', '5.1.1'],
    ['ses-hard.eml', 'hard', '5.1.1'],
    ['postfix-soft.eml', 'soft', '4.2.2'],
    ['delayed.eml', 'notice', '4.4.1'],
  ])('%s: a DSN for the recipient, %s, status %s, and the original Message-ID', async (file, kind, status) => {
    const r = await parseReport(reportFixture(file));
    expect(r.type).toBe('dsn');
    if (r.type !== 'dsn') return;
    expect(r.recipients).toEqual([expect.objectContaining({ recipient: 'ann@example.org', kind, status })]);
    expect(r.messageIds.at(-1)).toBe(MSGID);
  });

  it('keeps the diagnostic, folded lines joined', async () => {
    const r = await parseReport(reportFixture('postfix-hard.eml'));
    expect(r.type === 'dsn' && r.recipients[0]!.diagnostic).toBe('550 5.1.1 <ann@example.org>: Recipient address rejected: User unknown in virtual mailbox table');
  });

  it('reads ARF complaints, the last Message-ID winning, and tells abuse from not-spam', async () => {
    const yahoo = await parseReport(reportFixture('yahoo-arf.eml'));
    expect(yahoo).toEqual({ type: 'arf', feedbackType: 'abuse', messageIds: [MSGID], originalRecipient: 'ann@example.org' });
    // Microsoft JMRP leaves the recipient fields empty: the original's Message-ID is all there is.
    const jmrp = await parseReport(reportFixture('jmrp-arf.eml'));
    expect(jmrp).toEqual({ type: 'arf', feedbackType: 'abuse', messageIds: [MSGID], originalRecipient: null });
    expect(await parseReport(reportFixture('not-spam-arf.eml'))).toMatchObject({ type: 'arf', feedbackType: 'not-spam' });
    expect(await parseReport(reportFixture('arf-no-original.eml'))).toEqual({ type: 'arf', feedbackType: 'abuse', messageIds: [], originalRecipient: null });
  });

  it('knows a mail to the unsubscribe mailto, and calls anything else "other" with a reason', async () => {
    expect(await parseReport(reportFixture('unsubscribe-mail.eml'), { unsubscribeMailto: 'unsubscribe@news.example.com' })).toEqual({ type: 'unsubscribe', from: 'ann@example.org' });
    expect(await parseReport(reportFixture('auto-reply.eml'))).toEqual({ type: 'other', reason: 'neither a delivery status notification nor a feedback report' });
    expect(await parseReport(Buffer.from('garbage\r\n\r\n\x00\x01'))).toMatchObject({ type: 'other' });
    expect(await parseReport(Buffer.alloc(MAX_REPORT_BYTES + 1, 'a'))).toMatchObject({ type: 'other', reason: expect.stringMatching(/larger than/) });
  });

  it('classifies by action and enhanced status', () => {
    expect(classify('failed', '5.7.1')).toBe('hard');
    expect(classify('failed', '4.4.7')).toBe('soft');
    expect(classify('delayed', '4.4.1')).toBe('notice');
    expect(classify('delivered', '2.0.0')).toBe('notice');
    expect(classify('failed', null)).toBe('hard');
    expect(fieldBlocks('A: 1\r\nB: two\r\n  lines\r\n\r\nC: 3')).toEqual([new Map([['a', '1'], ['b', 'two lines']]), new Map([['c', '3']])]);
  });
});

describe('VERP tokens', () => {
  it('name the delivery, verify, and refuse a forged or altered token', () => {
    const addr = verpAddress(SECRET, 'bounces@news.example.com', 12345);
    expect(addr).toMatch(/^bounces\+[0-9a-z]+-[a-z2-7]{10}@news\.example\.com$/);
    const token = verpTokenOf('bounces@news.example.com', addr)!;
    expect(token).toBe(verpToken(SECRET, 12345));
    expect(verifyVerpToken(SECRET, token)).toBe(12345);
    // Case folded by a server on the way: still the same delivery.
    expect(verifyVerpToken(SECRET, token.toUpperCase())).toBe(12345);
    expect(verifyVerpToken(SECRET, token.replace(/^[0-9a-z]+/, (12346).toString(36)))).toBeNull();
    expect(verifyVerpToken('another-secret-0123456789abcdefghijkl', token)).toBeNull();
    expect(verifyVerpToken(SECRET, 'nonsense')).toBeNull();
    expect(verpTokenOf('bounces@news.example.com', 'bounces@news.example.com')).toBe('');
    expect(verpTokenOf('bounces@news.example.com', 'bounces+x@evil.example')).toBeNull();
    expect(verpTokenOf('bounces@news.example.com', 'someone@news.example.com')).toBeNull();
  });
});
