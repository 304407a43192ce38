import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { freePort } from '../helpers/server.js';

const env = (dir: string, extra: Record<string, string> = {}) => ({ DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, LOG_LEVEL: 'warn', ...extra });

describe('the newsdesk command', { timeout: 180_000 }, () => {
  it('prints help for the program and each command, exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    const top = runCli(['--help'], env(dir));
    expect(top.status).toBe(0);
    for (const cmd of ['serve', 'migrate', 'subscribers']) expect(top.stdout).toContain(cmd);
    const sub = runCli(['subscribers', 'import', '--help'], env(dir));
    expect(sub.status).toBe(0);
    expect(sub.stdout).toContain('--confirmed');
  });

  it('fails with one clear line on a bad variable or an unknown command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    const bad = runCli(['migrate'], env(dir, { DIGEST_TIMEZONE: 'Mars/Olympus' }));
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('newsdesk: DIGEST_TIMEZONE is not a known IANA time zone');
    const unknown = runCli(['frobnicate'], env(dir));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe("newsdesk: unknown command 'frobnicate' (see newsdesk --help)");
    const typo = runCli(['ingset'], env(dir));
    expect(typo.status).toBe(1);
    expect(typo.stderr.trim()).toBe("newsdesk: unknown command 'ingset' (did you mean 'ingest'?) (see newsdesk --help)");
    expect(runCli(['subscriber'], env(dir)).stderr).toContain("did you mean 'subscribers'?");
    const version = runCli(['--version'], env(dir));
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('migrates, imports a CSV and exports it again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    expect(runCli(['migrate'], env(dir)).stdout).toMatch(/applied 1 migration|applied \d+ migration/);
    expect(runCli(['migrate'], env(dir)).stdout).toMatch(/up to date/);
    const csv = join(dir, 'in.csv');
    writeFileSync(csv, 'email,name\nann@example.com,Ann\nbad@,X\nbo@example.com,Bo\n');
    const imp = runCli(['subscribers', 'import', csv, '--confirmed'], env(dir));
    expect(imp.status).toBe(0);
    expect(imp.stdout).toContain('imported 2; skipped 0; refused 1 unreadable row');
    expect(imp.stderr).toContain('line 3:');
    const exp = runCli(['subscribers', 'export'], env(dir));
    expect(exp.status).toBe(0);
    const lines = exp.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^email,name,status/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['ann@example.com,Ann,confirmed', 'bo@example.com,Bo,confirmed']);
    const missing = runCli(['subscribers', 'import', join(dir, 'nope.csv')], env(dir));
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`newsdesk: no such file: ${join(dir, 'nope.csv')}`);
  });

  it('refuses to open a corrupt database file, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    writeFileSync(join(dir, 'db.sqlite'), 'this is not a database, just text that is long enough to look like a header'.repeat(20));
    const r = runCli(['migrate'], env(dir));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot open database ${join(dir, 'db.sqlite')}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // The file is left as it was: nothing recreated over the subscribers.
    expect(readFileSync(join(dir, 'db.sqlite'), 'utf8')).toMatch(/^this is not a database/);
  });

  it('serve: prints the generated admin token once, answers /healthz, stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-cli-'));
    const port = await freePort();
    const child = spawnCli(['serve'], env(dir, { PORT: String(port), LOG_LEVEL: 'info' }));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const deadline = Date.now() + 30_000;
    let health: unknown;
    while (Date.now() < deadline) {
      try {
        health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(health).toEqual({ ok: true, db: 'sqlite' });
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    expect(out).toContain(token);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toMatch(/stopped/);
    // A second start does not print the token again.
    const again = spawnCli(['serve'], env(dir, { PORT: String(port), LOG_LEVEL: 'info' }));
    let out2 = '';
    again.stdout.on('data', (d) => (out2 += d));
    while (!/listening/.test(out2) && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 100));
    again.kill('SIGTERM');
    await new Promise((r) => again.once('exit', r));
    expect(out2).not.toContain(token);
  }, 180_000);
});
