// `newsdesk serve`: the web server and the background services until a signal stops them. bin/newsdesk.js runs a
// bare `newsdesk serve` (or `newsdesk`) through main() here, without loading the rest of the command line.
import { loadConfig } from '../config.js';

/** Starts the services and runs until SIGTERM or SIGINT. */
export async function runServe(): Promise<void> {
  // Signals are handled from the first moment: one that arrives while services start stops them once started.
  let stopRequested: string | null = null;
  let signals = 0;
  const state: { running?: Awaited<ReturnType<typeof import('../server.js').startServer>> } = {};
  const stop = (sig: string) => {
    const running = state.running;
    if (!running) return;
    running.ctx.log.info({ signal: sig }, 'signal received');
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(130);
    stopRequested = sig;
    stop(sig);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  const config = loadConfig();
  // Loaded on demand so `--help` and the other commands start fast.
  const { startServer } = await import('../server.js');
  state.running = await startServer(config);
  if (stopRequested) stop(stopRequested);
  await new Promise(() => {}); // run until a signal stops the process
}

/** `newsdesk serve` on its own, with the command line's one-line errors. */
export async function main(): Promise<void> {
  try {
    await runServe();
  } catch (err) {
    const msg = (err as Error)?.name === 'ConfigError' ? (err as Error).message : `error: ${(err as Error)?.message ?? String(err)}`;
    process.stderr.write(`newsdesk: ${msg}\n`);
    process.exitCode = 1;
  }
}
