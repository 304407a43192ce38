// `npm run bench`: the benchmarks that need neither a build nor PostgreSQL, one after another. The others (send,
// http, cli, idle need `npm run build` first; instances needs TEST_DATABASE_URL) are run by name, see the README.
import { spawnSync } from 'node:child_process';

const benches = ['bench/editor.ts', 'bench/render.ts', 'bench/variants.ts', 'bench/weekly.ts', 'bench/fulltext.ts', 'bench/bounces.ts', 'bench/bounce-loop.ts', 'bench/feeds.ts', 'bench/import.ts'];
for (const b of benches) {
  console.log(`\n== ${b}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', b], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
