import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestContext, testEnv, type TestContext } from '../helpers/context.js';
import { addSubscribers, insertIssue } from '../helpers/deliver-fixtures.js';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'newsdesk.js');

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const full = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...testEnv(ctx!.dir, env), LOG_LEVEL: 'silent' };
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: full, cwd: ctx!.dir });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const outbox = () => readdirSync(join(ctx!.dir, 'outbox')).filter((f) => f.endsWith('.eml'));

describe('newsdesk send / resend / daily', () => {
  it('each command has --help; failures are one line with a non-zero exit', async () => {
    ctx = await makeTestContext();
    for (const [cmd, word] of [
      ['send', 'issue id or date'],
      ['resend', '--missing'],
      ['daily', '--date'],
    ] as const) {
      const r = await cli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toContain(word);
    }
    const missing = await cli(['send', '999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual(['newsdesk: No issue with id 999.']);
    const noKind = await cli(['resend', '1']);
    expect(noKind.code).toBe(1);
    expect(noKind.stderr.trim()).toBe('newsdesk: choose whom to resend to: exactly one of --email ADDRESS, --failed or --missing');
    const twoKinds = await cli(['resend', '1', '--failed', '--missing']);
    expect(twoKinds.stderr).toMatch(/exactly one of --email ADDRESS, --failed or --missing/);
    const notADate = await cli(['send', '2026-13-01']);
    expect(notADate.code).toBe(1);
    expect(notADate.stderr.trim()).toBe('newsdesk: "2026-13-01" is not a calendar date (YYYY-MM-DD).');
    const badDate = await cli(['daily', '--date', '2026-02-30']);
    expect(badDate.code).toBe(1);
  }, 180_000);

  it('send delivers (here to the outbox), is idempotent, and resend adds one copy for one address', async () => {
    ctx = await makeTestContext();
    addSubscribers(ctx, 4);
    addSubscribers(ctx, 1, { prefix: 'gone', status: 'unsubscribed' });
    insertIssue(ctx, { date: '2026-04-06' });
    const first = await cli(['send', '2026-04-06']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/4 deliveries queued now/);
    expect(first.stdout).toMatch(/4 sent, 0 failed, 0 bounced, 0 skipped, 0 waiting/);
    expect(outbox()).toHaveLength(4);
    const again = await cli(['send', '2026-04-06']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already sent/);
    expect(outbox()).toHaveLength(4);

    const one = await cli(['resend', '2026-04-06', '--email', 'USER2@example.test']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/resend \(email\) queued 1/);
    expect(outbox()).toHaveLength(5);
    const refused = await cli(['resend', '2026-04-06', '--email', 'gone0@example.test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not confirmed/);
    expect(outbox()).toHaveLength(5);
    const by = ctx.sqlite.prepare('SELECT requested_by AS by FROM resend_requests').all() as { by: string }[];
    expect(by).toHaveLength(1);
    expect(by[0]!.by).toMatch(/^cli/);
  }, 180_000);

  it('daily by hand runs a date that found nothing again (articles may have come since); a date with its issue runs once', async () => {
    ctx = await makeTestContext();
    const opml = join(ctx.dir, 'none.opml');
    writeFileSync(opml, '<?xml version="1.0"?><opml version="2.0"><head><title>none</title></head><body></body></opml>');
    const first = await cli(['daily', '--date', '2026-04-06'], { SOURCES_FILE: opml });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^no issue for 2026-04-06: /);
    const second = await cli(['daily', '--date', '2026-04-06'], { SOURCES_FILE: opml });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^no issue for 2026-04-06: /);
    // An article of that day arrives late; running the date by hand now makes and sends its issue.
    const { seedArticle } = await import('../fixtures/digest-seed.js');
    seedArticle(ctx, { source: 'Late Blog', title: 'A late article', publishedAt: Date.parse('2026-04-06T03:00:00Z') });
    const third = await cli(['daily', '--date', '2026-04-06'], { SOURCES_FILE: opml });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/assembled \(1 articles\) and queued/);
    const fourth = await cli(['daily', '--date', '2026-04-06'], { SOURCES_FILE: opml });
    expect(fourth.stdout).toMatch(/already ran for 2026-04-06 \(queued\)/);
  }, 120_000);
});
