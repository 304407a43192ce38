// Command start-up: medians of `newsdesk --help` and `newsdesk sources list`, run as `node bin/newsdesk.js` (the
// compiled dist/ when it is fresh: run `npm run build` first), beside a bare `node -e ''` in the same run.
//   npm run build && npx tsx bench/cli.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'nd-bench-cli-'));
const env = { PATH: process.env.PATH ?? '', HOME: dir, DATA_DIR: dir, LOG_LEVEL: 'warn' };

function median(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

let built = false;
try {
  built = statSync('dist/.build-stamp').isFile();
} catch {
  // not built: the command runs through tsx
}
console.log(`${RUNS} runs each; dist/ ${built ? 'built' : 'NOT built (run npm run build): timing the tsx fallback'}`);
const bare = median(['-e', '']);
const help = median(['bin/newsdesk.js', '--help']);
const list = median(['bin/newsdesk.js', 'sources', 'list']);
console.log(`node -e ''            : ${bare.toFixed(0)} ms (baseline)`);
console.log(`newsdesk --help       : ${help.toFixed(0)} ms median (${(help / bare).toFixed(1)}× bare node; goal < 300 ms)`);
console.log(`newsdesk sources list : ${list.toFixed(0)} ms median (${(list / bare).toFixed(1)}× bare node; goal < 600 ms)`);
rmSync(dir, { recursive: true, force: true });
