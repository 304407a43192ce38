#!/usr/bin/env node
// The `newsdesk` command: the compiled JavaScript in dist/ (built by `npm install` / `npm run build`) while it is
// newer than every source file; otherwise the TypeScript sources through tsx, so an edit never runs stale code.
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
let main;
if (stamp && stamp >= Math.max(newest(join(root, 'src')), newest(join(root, 'emails')))) {
  ({ main } = await import('../dist/src/cli/index.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/index.ts'));
}
await main(process.argv);
