import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'bin', 'newsdesk.js');

/** Runs the real `newsdesk` command with an env of its own (no inherited newsdesk variables). */
export function runCli(args: string[], env: Record<string, string>, input?: string) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Starts `newsdesk serve` as a child process. */
export function spawnCli(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
