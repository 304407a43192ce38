#!/usr/bin/env node
// `npm test`: typecheck, lint, every test suite; ends with the line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args) => {
  process.stdout.write(`\n> ${cmd} ${args.join(' ')}\n`);
  return spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;
};

const bin = (name) => join('node_modules', '.bin', name);
let failedSteps = 0;
if (run(bin('tsc'), ['--noEmit']) !== 0) failedSteps++;
if (run(bin('eslint'), ['.', '--max-warnings', '0']) !== 0) failedSteps++;

const dir = mkdtempSync(join(tmpdir(), 'newsdesk-vitest-'));
const report = join(dir, 'report.json');
const extra = process.argv.slice(2);
const status = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + (r.numFailedTestSuites ?? 0) - (r.numFailedTests > 0 ? 0 : 0);
  failed = r.numFailedTests + (r.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0).length;
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
if (failedSteps) console.log(`\n${failedSteps} check step(s) failed (typecheck or lint)`);
console.log(`\n${passed} passed, ${failed + failedSteps} failed`);
process.exit(status !== 0 || failedSteps || failed ? 1 : 0);
