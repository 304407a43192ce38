/** The source of "now" for everything that depends on time; tests pass a fixed or stepping clock. */
export interface Clock {
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can set and advance. */
export function manualClock(start: number | Date): Clock & { set(t: number | Date): void; advance(ms: number): void } {
  let t = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => t,
    set: (v) => {
      t = typeof v === 'number' ? v : v.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
