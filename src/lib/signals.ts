// Signals between the services of one process, carried on the context instead of module-global hooks.

/** "Work was queued": the sender of this process (if it runs one) starts at once instead of at its next poll. */
export interface Signals {
  wakeSender(): void;
  /** The sender registers here while it runs (null when it stops). */
  onWakeSender(fn: (() => void) | null): void;
}

/** One process's signals. */
export function createSignals(): Signals {
  let wake: (() => void) | null = null;
  return {
    wakeSender: () => wake?.(),
    onWakeSender: (fn) => {
      wake = fn;
    },
  };
}
