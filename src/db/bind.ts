// Binds a backend module's functions (each taking its handle first) to one open handle: the domain store object.

type Bound<M, H> = {
  [K in keyof M as M[K] extends (h: H, ...a: never[]) => unknown ? K : never]: M[K] extends (h: H, ...a: infer A) => infer R ? (...a: A) => R : never;
};

/** Every exported function of `mod` with `handle` as its first argument. */
export function bindStore<H, M extends object>(handle: H, mod: M): Bound<M, H> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(mod)) {
    if (typeof fn === 'function') out[name] = (...a: unknown[]) => (fn as (h: H, ...a: unknown[]) => unknown)(handle, ...a);
  }
  return out as Bound<M, H>;
}
