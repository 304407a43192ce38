#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install` builds): compiles src/ and emails/ into dist/ and stamps the build.
// bin/newsdesk.js runs dist/ while the stamp is newer than every source file, and the TypeScript sources otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.log('newsdesk: typescript is not installed (a production install); the command runs the sources through tsx');
  process.exit(0);
}
const started = Date.now();
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
if (!existsSync('dist/src/cli/index.js')) {
  console.error('newsdesk: the build wrote no dist/src/cli/index.js');
  process.exit(1);
}
writeFileSync('dist/.build-stamp', `${new Date().toISOString()}\n`);
console.log(`newsdesk: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
