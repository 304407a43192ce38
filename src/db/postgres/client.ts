// The PostgreSQL connection: a pool (or, for the contract suite on a laptop, PGlite), transactions with optional
// advisory locks, and `?` placeholders written once and numbered here, so each statement reads like its SQLite twin.
import pg from 'pg';

/** Rows and the count of rows a statement changed. */
export interface PgResult<T> {
  rows: T[];
  rowCount: number;
}

/** Runs one statement; inside a transaction, on that transaction's connection. */
export interface PgExec {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<PgResult<T>>;
}

/** An open PostgreSQL database. */
export interface PgHandle extends PgExec {
  /** What the handle talks to: a server through a pool, or PGlite in this process. */
  driver: 'pg' | 'pglite';
  /** host:port/database, for log lines and errors (never the password). */
  label: string;
  /** Where this process appends suppressions (see README: restore safety); null for none. */
  suppressionLog: string | null;
  /**
   * Runs fn in one transaction on one connection. `lock` names a transaction-scoped advisory lock taken first:
   * writers of the same kind run one at a time across every process, as SQLite's BEGIN IMMEDIATE makes them.
   * Serialization failures and deadlocks are retried a few times.
   */
  tx<T>(fn: (q: PgExec) => Promise<T>, opts?: { lock?: string }): Promise<T>;
  close(): Promise<void>;
}

/** Raised when the server cannot be reached or refuses us; the message is one line naming where and why. */
export class PgConnectError extends Error {
  override name = 'DatabaseOpenError';
}

// int8 (counts, sums, bigint times) and numeric (sums of bigints) come back as strings by default: all ours fit a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const numbered = new Map<string, string>();
/** `?` → `$1, $2, …` (no statement of ours has a literal question mark). */
export function numberParams(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    numbered.set(sql, out);
  }
  return out;
}

const RETRY_CODES = new Set(['40001', '40P01']);

/** Where a connection string points, without its password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'the configured server';
  }
}

/** One line for why a connection failed: unreachable, wrong password, missing database. */
export function connectReason(err: unknown, label: string): string {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'ETIMEDOUT' || e?.code === 'EHOSTUNREACH')
    return `cannot reach PostgreSQL at ${label}: ${e.code} (is the server running, and is DATABASE_URL right?)`;
  if (e?.code === '28P01' || e?.code === '28000') return `PostgreSQL at ${label} refused the login: ${msg}`;
  if (e?.code === '3D000') return `PostgreSQL at ${label}: ${msg} (create it, e.g. createdb, or fix DATABASE_URL)`;
  return `cannot use PostgreSQL at ${label}: ${msg}`;
}

/** Opens a pool of `poolSize` connections and checks one, so a wrong URL fails at start with one clear line. */
export async function openPg(url: string, o: { poolSize: number; suppressionLog: string | null; waitMs?: number; onIdleError?: (err: Error) => void }): Promise<PgHandle> {
  const label = describeUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: o.poolSize,
    // A request waits this long for a free connection, then fails with a busy error (503), never forever.
    connectionTimeoutMillis: o.waitMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'newsdesk',
  });
  // An idle connection the server dropped (a restart) must not crash the process; the next query reconnects.
  pool.on('error', (err) => o.onIdleError?.(err));
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new PgConnectError(connectReason(err, label));
  }
  const exec = (c: pg.Pool | pg.PoolClient): PgExec => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const r = await c.query(numberParams(sql), params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
  });
  return {
    driver: 'pg',
    label,
    suppressionLog: o.suppressionLog,
    ...exec(pool),
    async tx(fn, opts) {
      for (let attempt = 0; ; attempt++) {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          if (opts?.lock) await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [opts.lock]);
          const out = await fn(exec(c));
          await c.query('COMMIT');
          return out;
        } catch (err) {
          await c.query('ROLLBACK').catch(() => {});
          if (attempt < 4 && RETRY_CODES.has((err as { code?: string }).code ?? '')) continue;
          throw err;
        } finally {
          c.release();
        }
      }
    },
    close: () => pool.end(),
  };
}

/** The part of PGlite this adapter uses (the package is a dev dependency: only the contract suite opens one). */
export interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  transaction<T>(fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Wraps a PGlite database (real PostgreSQL in WASM, one connection) in the same handle. */
export function pgliteHandle(db: PgliteLike, suppressionLog: string | null = null): PgHandle {
  const wrap = (c: Pick<PgliteLike, 'query'>): PgExec => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const r = await c.query<T>(numberParams(sql), [...params]);
      return { rows: r.rows, rowCount: r.affectedRows ?? 0 };
    },
  });
  // One connection: transactions must not interleave, so they run one after another.
  let chain: Promise<unknown> = Promise.resolve();
  return {
    driver: 'pglite',
    label: 'pglite',
    suppressionLog,
    ...wrap(db),
    tx(fn, opts) {
      const run = chain.then(() =>
        db.transaction(async (t) => {
          if (opts?.lock) await t.query('SELECT pg_advisory_xact_lock(hashtext($1))', [opts.lock]);
          return fn(wrap(t));
        }),
      );
      chain = run.catch(() => {});
      return run;
    },
    close: () => db.close(),
  };
}
