// The storage port: everything the application keeps, as the interfaces its domains declare. One backend implements
// all of them (src/db/sqlite, src/db/postgres); src/db/index.ts picks it from DATABASE_URL.
import type { StoreErrorKind } from './db/errors.js';
import type { DeliveriesStore } from './deliveries/store.js';
import type { FeedbackStore } from './feedback/store.js';
import type { FeedsStore } from './feeds/store.js';
import type { ConsoleStore } from './http/console/store.js';
import type { IssuesStore } from './issues/store.js';
import type { JobsStore } from './jobs/store.js';
import type { SubscribersStore } from './subscribers/store.js';

/** How the store is doing right now, for /healthz. */
export type StoreHealth = { ok: true } | { ok: false; reason: string };

/** One open database behind the port. */
export interface Store {
  backend: 'sqlite' | 'postgres';
  deliveries: DeliveriesStore;
  subscribers: SubscribersStore;
  issues: IssuesStore;
  feeds: FeedsStore;
  jobs: JobsStore;
  console: ConsoleStore;
  feedback: FeedbackStore;
  /** Where unsubscribes, bounces and erasures are also appended, to survive a restore of an older backup; null for none. */
  suppressionLog: string | null;
  /** The database answers and can take writes (a full disk is not ok). */
  health(): Promise<StoreHealth>;
  /** What a database error means to callers above the port: busy, full, read-only, unavailable, or nothing known. */
  errorKind(err: unknown): StoreErrorKind | null;
  /** Notes a failed write (a full disk makes health() degraded until a write succeeds). */
  noteWriteError(err: unknown): void;
  close(): Promise<void>;
}

type Method = (...a: never[]) => unknown;
/** A domain's store methods as functions of a context, so callers keep calling `claimBatch(ctx, …)`. */
export type Facade<S> = { [K in keyof S]: S[K] extends (...a: infer A) => infer R ? (ctx: { store: Store }, ...a: A) => R : never };

/** The functions of one domain's store, each taking the context first and calling that context's store. */
export function facade<D extends 'deliveries' | 'subscribers' | 'issues' | 'feeds' | 'jobs' | 'console' | 'feedback'>(domain: D): Facade<Store[D]> {
  return new Proxy({} as Facade<Store[D]>, {
    get: (_, name: string) => (ctx: { store: Store }, ...a: unknown[]) => (ctx.store[domain] as unknown as Record<string, Method>)[name]!(...(a as never[])),
  });
}
