// Idle memory: `newsdesk serve` as `npm start` runs it (compiled; `npm run build` first), on a fresh data folder and
// again on the same folder (a restart), 5 s after /healthz first answers; vs a bare `node` process that only waits.
// Prints the medians of RSS over 3 starts each (the service process itself, no npm wrapper).
// Usage: npm run build && npx tsx bench/idle.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/server.js';

const FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=128']; // as package.json's start script and the bin's shebang
const rssOf = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function serveOnce(dir: string): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, [...FLAGS, 'bin/newsdesk.js', 'serve'], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('newsdesk serve did not answer /healthz');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false);
      if (ok) break;
      await sleep(50);
    }
    await sleep(5000);
    return rssOf(child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function bareOnce(): Promise<number> {
  const child = spawn(process.execPath, [...FLAGS, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1500);
  const r = rssOf(child.pid!);
  child.kill('SIGTERM');
  await new Promise((res) => child.once('exit', res));
  return r;
}

const first: number[] = [];
const again: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 3; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'nd-bench-idle-'));
  try {
    first.push(await serveOnce(dir));
    again.push(await serveOnce(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  bare.push(await bareOnce());
}
console.log(`idle RSS of newsdesk serve (all services, SQLite, outbox), median of 3: first start ${median(first)} MB, a restart ${median(again)} MB (goal <= 80 MB); bare node ${median(bare)} MB`);
console.log(`runs: first ${first.join(', ')}; restart ${again.join(', ')}; bare ${bare.join(', ')}`);
