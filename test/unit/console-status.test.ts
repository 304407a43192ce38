import { describe, expect, it } from 'vitest';
import type { SendProgress } from '../../src/deliveries/repo.js';
import { progressView } from '../../src/http/console/issues.js';
import { describeLastRun } from '../../src/http/console/today.js';

const run = (status: string, detail: string | null = null) => ({ job: 'daily', date: '2026-04-06', status, detail, startedAt: 0, finishedAt: 0 });
const prog = (o: Partial<SendProgress>): SendProgress => ({
  queued: 0, sending: 0, sent: 0, failed: 0, bounced: 0, skipped: 0, unconfirmed: 0, uncertain: 0, total: 0, rate: 0, etaMs: null, etaAt: null, issueStatus: 'sending', pausedReason: null,
  ...o,
});

describe('console status words', () => {
  it('the last daily run is told by its issue when one went out after an empty run', () => {
    expect(describeLastRun(run('empty'), undefined)).toMatch(/, no new articles$/);
    expect(describeLastRun(run('empty'), { status: 'sent' })).toMatch(/, issue sent$/);
    expect(describeLastRun(run('empty'), { status: 'sending' })).toMatch(/, issue sending$/);
    expect(describeLastRun(run('empty'), { status: 'draft' })).toMatch(/, no new articles$/);
    expect(describeLastRun(run('failed', 'disk full'), undefined)).toMatch(/, failed \(disk full\)$/);
  });

  it('delivery is "finished" only once the issue is marked sent (or paused with nothing left), so the badge agrees', () => {
    expect(progressView(prog({ sent: 4, total: 4, issueStatus: 'sending' })).done).toBe(false);
    expect(progressView(prog({ sent: 4, total: 4, issueStatus: 'sent' })).done).toBe(true);
    expect(progressView(prog({ failed: 4, total: 4, issueStatus: 'sending', pausedReason: 'refused: …' })).done).toBe(true);
    expect(progressView(prog({ sent: 3, unconfirmed: 1, total: 4, issueStatus: 'sent' })).finishedText).toMatch(/^4 of 4/);
  });
});
