import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/sqlite/client.js';
import { migrate, SchemaTooNewError } from '../../src/db/sqlite/migrate.js';

describe('production migrator', () => {
  it('creates every table, is idempotent, and refuses a database migrated by newer code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-mig-'));
    const h = openDb(join(dir, 'x.sqlite'));
    expect(migrate(h).applied).toBeGreaterThanOrEqual(1);
    expect(migrate(h).applied).toBe(0);
    const tables = (h.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of ['sources', 'articles', 'issues', 'issue_articles', 'subscribers', 'consent_events', 'deliveries', 'test_sends']) expect(tables).toContain(t);
    expect(h.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    h.sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 99999999999999)").run();
    expect(() => migrate(h)).toThrow(SchemaTooNewError);
    h.close();
  });

  it('the database enforces uniqueness and states', () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-mig-'));
    const h = openDb(join(dir, 'x.sqlite'));
    migrate(h);
    const ins = h.sqlite.prepare("INSERT INTO subscribers (email, status, created_at, updated_at) VALUES (?, ?, 0, 0)");
    ins.run('a@b.com', 'pending');
    expect(() => ins.run('a@b.com', 'pending')).toThrow(/UNIQUE/);
    expect(() => ins.run('c@b.com', 'weird')).toThrow(/CHECK/);
    h.sqlite.prepare("INSERT INTO issues (date, window_start, cutoff_at, subject, created_at, updated_at) VALUES ('2026-01-01', 0, 1, 's', 0, 0)").run();
    expect(() => h.sqlite.prepare("INSERT INTO issues (date, window_start, cutoff_at, subject, created_at, updated_at) VALUES ('2026-01-01', 0, 1, 's', 0, 0)").run()).toThrow(/UNIQUE/);
    h.sqlite.prepare('INSERT INTO deliveries (issue_id, subscriber_id, queued_at, updated_at) VALUES (1, 1, 0, 0)').run();
    expect(() => h.sqlite.prepare('INSERT INTO deliveries (issue_id, subscriber_id, queued_at, updated_at) VALUES (1, 1, 0, 0)').run()).toThrow(/UNIQUE/);
    h.close();
  });
});
