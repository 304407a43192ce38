// Small helpers over PgExec: rows come back with camelCase keys (the shape every store interface uses).
import type { PgExec } from './client.js';

const camelKeys = new Map<string, string>();
function camelKey(k: string): string {
  let c = camelKeys.get(k);
  if (c === undefined) camelKeys.set(k, (c = k.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase())));
  return c;
}

/** A row with snake_case column names turned into camelCase keys. */
export function camel<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) out[camelKey(k)] = row[k];
  return out as T;
}

/** Every row of a query, camelCased. */
export async function all<T>(q: PgExec, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  return (await q.query<Record<string, unknown>>(sql, params)).rows.map((r) => camel<T>(r));
}

/** The first row of a query, camelCased, or undefined. */
export async function one<T>(q: PgExec, sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
  const r = (await q.query<Record<string, unknown>>(sql, params)).rows[0];
  return r ? camel<T>(r) : undefined;
}

/** The first column of the first row, or undefined. */
export async function value<T>(q: PgExec, sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
  const r = (await q.query<Record<string, unknown>>(sql, params)).rows[0];
  return r ? (Object.values(r)[0] as T) : undefined;
}

/** How many rows a statement changed. */
export async function run(q: PgExec, sql: string, params: readonly unknown[] = []): Promise<number> {
  return (await q.query(sql, params)).rowCount;
}
