// Disk full in the middle of a send (simulated with PRAGMA max_page_count on the sender's own connection, the
// free space left taken by filler): nothing is recorded as sent that did not reach the server, nothing is
// marked failed, nothing more goes to SMTP after the first failed write (beyond the copies on a socket or awaiting
// their mark, SMTP_POOL_SIZE + SEND_MARK_BATCH) until a write succeeds again, and once space is back every subscriber
// has the issue exactly once (copies accepted meanwhile are marked then, not sent again).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sendIssue } from '../../src/deliveries/send.js';
import { createLogger } from '../../src/lib/log.js';
import { addSubscribers, contextForTest, deliveryRows, insertIssue, senderForTest, sinkForTest, until } from '../helpers/deliver-fixtures.js';

describe('disk full while sending', () => {
  it('records nothing it did not send, fails nobody, and finishes once space is back', async () => {
    const lines: string[] = [];
    // How many copies the server had taken when each line was logged.
    const takenAt: number[] = [];
    const log = createLogger('info', new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), takenAt.push(sink?.received.length ?? 0), cb()) }));
    const sink: Awaited<ReturnType<typeof sinkForTest>> | undefined = await sinkForTest();
    const POOL = 2;
    const MARKS = 4;
    const c = await contextForTest({ env: { SMTP_URL: sink.url, SMTP_POOL_SIZE: String(POOL), SEND_MARK_BATCH: String(MARKS) }, log });
    const n = 120;
    addSubscribers(c, n);
    const issueId = insertIssue(c);
    await sendIssue(c, issueId);

    // No page may be added from here on, and the free space left is taken: a write that grows anything fails.
    c.sqlite.exec('CREATE TABLE filler (b BLOB)');
    const pages = c.sqlite.pragma('page_count', { simple: true }) as number;
    c.sqlite.pragma(`max_page_count = ${pages}`);
    const fill = c.sqlite.prepare('INSERT INTO filler (b) VALUES (randomblob(?))');
    for (const size of [4096, 512, 64, 8]) {
      try {
        for (;;) fill.run(size);
      } catch (e) {
        expect((e as { code?: string }).code).toBe('SQLITE_FULL');
      }
    }
    senderForTest(c, { maintenanceMs: 50, idlePollMs: 20, leaseMs: 1000 });
    await until(() => lines.some((l) => /full/i.test(l)), 15_000, 'a disk-full error in the log');
    // From the first failed write on, nothing more is handed to SMTP beyond what was already on a socket or waiting
    // for its mark, until a write succeeds again (a release of claims can make room for the marks held back).
    await new Promise((r) => setTimeout(r, 1500));
    const failedAt = lines.findIndex((l) => /no more messages handed to SMTP/.test(l));
    expect(failedAt).toBeGreaterThanOrEqual(0);
    const resumedAt = lines.findIndex((l, i) => i > failedAt && /can be written again/.test(l));
    const takenWhileFull = (resumedAt >= 0 ? takenAt[resumedAt]! : sink.received.length) - takenAt[failedAt]!;
    expect(takenWhileFull).toBeLessThanOrEqual(POOL + MARKS);

    // While full: every row recorded as sent reached the server, nobody is failed or bounced.
    const delivered = () => new Set(sink.received.map((m) => m.envelopeTo[0]));
    const whileFull = deliveryRows(c, issueId);
    expect(whileFull.filter((r) => r.status === 'sent').every((r) => delivered().has(r.email))).toBe(true);
    expect(whileFull.some((r) => r.status === 'failed' || r.status === 'bounced')).toBe(false);
    expect(whileFull.filter((r) => r.status !== 'sent').length).toBeGreaterThan(0);
    // Space again: everything goes out; a second copy only for what was in flight when a write failed.
    c.sqlite.pragma('max_page_count = 1073741823');
    await until(() => deliveryRows(c, issueId).every((r) => r.status === 'sent'), 30_000, 'every delivery sent');
    expect(delivered().size).toBe(n);
    const copies = new Map<string, number>();
    for (const m of sink.received) copies.set(m.envelopeTo[0]!, (copies.get(m.envelopeTo[0]!) ?? 0) + 1);
    const extra = [...copies.values()].reduce((a, k) => a + k - 1, 0);
    // Copies accepted while the ledger could not be written are kept and marked later, not sent again.
    expect(extra).toBe(0);
    expect(deliveryRows(c, issueId).filter((r) => r.uncertain > 0)).toEqual([]);
  });
});
