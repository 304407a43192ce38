// Peak-RSS probe for bench/send.ts: a process that only sends (as `newsdesk send` or the server's sender
// does), over a database prepared by the parent; prints its peak RSS. Imports nothing but the send path.
import { createContext, closeContext } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { sendIssue } from '../src/deliveries/send.js';
import { createSender } from '../src/deliveries/sender.js';
import { silentLogger } from '../src/lib/log.js';
import type { SqliteStore } from '../src/db/sqlite/index.js';

/** The SQLite connection behind a bench context, for seeding fast and reading the ledger. */
const rawSqlite = (c: { store: unknown }) => (c.store as SqliteStore).handle.sqlite;

const [dir, port, pool, issueId] = process.argv.slice(2);
const config = loadConfig(
  {
    DATA_DIR: dir,
    DATABASE_URL: `file:${dir}/bench.sqlite`,
    SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    PUBLIC_URL: 'https://news.example.com',
    POSTAL_ADDRESS: '1 Bench Street, Benchville',
    MAIL_FROM: 'Engineering @ Scale <digest@news.example.com>',
    LOG_LEVEL: 'silent',
    SMTP_POOL_SIZE: pool!,
    SMTP_URL: `smtp://127.0.0.1:${port}`,
  },
  dir,
);
const ctx = await createContext(config, { log: silentLogger() });
const id = Number(issueId);
const baseline = process.memoryUsage().rss / 1048576;
const start = performance.now();
const q = await sendIssue(ctx, id);
const sender = createSender(ctx, { maintenanceMs: 500 });
sender.start();
const left = rawSqlite(ctx).prepare(`SELECT count(*) AS n FROM deliveries WHERE issue_id = ? AND status IN ('queued', 'sending')`);
while ((left.get(id) as { n: number }).n > 0) await new Promise((r) => setTimeout(r, 100));
const seconds = (performance.now() - start) / 1000;
await sender.stop();
await closeContext(ctx);
process.stdout.write(JSON.stringify({ queued: q.queued, seconds, baselineMb: baseline, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
