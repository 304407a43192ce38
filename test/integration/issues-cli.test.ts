import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { getIssueByDate } from '../../src/issues/repo.js';
import { makeTestContext, testEnv, type TestContext } from '../helpers/context.js';
import { seedArticle } from '../fixtures/digest-seed.js';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'newsdesk.js');

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

async function cli(args: string[]) {
  const env = { ...process.env, ...testEnv(ctx.dir), LOG_LEVEL: 'silent' };
  try {
    const r = await run(process.execPath, [BIN, ...args], { env, cwd: ctx.dir });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('newsdesk assemble / preview', () => {
  it('assembles a date, says so when empty, and writes the preview HTML to a file', async () => {
    ctx = await makeTestContext();
    const empty = await cli(['assemble', '--date', '2026-04-06']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^no issue for 2026-04-06: no new articles/);

    seedArticle(ctx, { source: 'CLI Blog', title: 'Shipping a queue', publishedAt: Date.parse('2026-04-07T03:00:00Z') });
    const made = await cli(['assemble', '--date', '2026-04-07']);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^issue \d+ for 2026-04-07: 1 articles/);
    expect(await getIssueByDate(ctx, '2026-04-07')).not.toBeNull();

    const prev = await cli(['preview', '2026-04-07']);
    expect(prev.code).toBe(0);
    const file = prev.stdout.trim();
    expect(existsSync(file)).toBe(true);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('Shipping a queue');
    expect(html).not.toContain('__NEWSDESK_UNSUBSCRIBE_URL__');

    const missing = await cli(['preview', '2026-01-01']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no issue for "2026-01-01"/);
    const bad = await cli(['assemble', '--date', 'tomorrow']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 180_000); // five CLI starts, each compiling TypeScript through tsx
});
