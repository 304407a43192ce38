#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=128
// The `newsdesk` command: the compiled JavaScript in dist/ (built by `npm install` / `npm run build`) while it is
// newer than every source file; otherwise the TypeScript sources through tsx, so an edit never runs stale code.
// The shebang sizes V8's heap for a small machine: a young generation of 2 MB (V8 would grow it to 16 MB, a fifth of
// an idle service) and 128 MB for the rest (without a limit V8 lets garbage pile up to 200 MB under a burst of
// unsubscribes before it collects). Neither costs speed that the benchmarks can see; raise the second for a process
// that needs more: `node --max-old-space-size=512 bin/newsdesk.js …`.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time under a folder of sources (0 when it is absent). */
function newest(dir) {
  let max = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) max = Math.max(max, newest(p));
    else if (/\.tsx?$/.test(e.name)) max = Math.max(max, statSync(p).mtimeMs);
  }
  return max;
}

function builtAt() {
  try {
    return statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return 0;
  }
}

const stamp = builtAt();
// A bare `serve` (the default) skips the rest of the command line: a long-running service carries less.
const args = process.argv.slice(2);
const entry = args.length === 0 || (args.length === 1 && args[0] === 'serve') ? 'serve' : 'index';
let main;
if (stamp && stamp >= Math.max(newest(join(root, 'src')), newest(join(root, 'emails')))) {
  ({ main } = await import(`../dist/src/cli/${entry}.js`));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(`../src/cli/${entry}.ts`));
}
await main(process.argv);
