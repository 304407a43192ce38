// `npm run build` compiles src/ and emails/ to JavaScript that runs without a transpiler.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the build', () => {
  it('compiles with tsconfig.build.json, and the compiled command answers --version and lists the bundled sources', () => {
    const out = mkdtempSync(join(tmpdir(), 'newsdesk-build-'));
    try {
      // Built into a copy of the package layout (package.json, sources.opml, migrations beside dist/).
      const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', join(out, 'dist')], { encoding: 'utf8' });
      expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
      for (const f of ['package.json', 'sources.opml', 'migrations']) cpSync(f, join(out, f), { recursive: true });
      symlinkSync(join(process.cwd(), 'node_modules'), join(out, 'node_modules'));
      const env = { PATH: process.env.PATH ?? '', DATA_DIR: join(out, 'data'), LOG_LEVEL: 'warn' };
      const version = spawnSync(process.execPath, [join(out, 'dist/src/main.js'), '--version'], { encoding: 'utf8', env, cwd: out });
      expect(version.status, version.stderr).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const list = spawnSync(process.execPath, [join(out, 'dist/src/main.js'), 'sources', 'list', '--json'], { encoding: 'utf8', env, cwd: out });
      expect(list.status, list.stderr).toBe(0);
      expect((JSON.parse(list.stdout) as unknown[]).length).toBe(31);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
