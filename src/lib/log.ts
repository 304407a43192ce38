import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type prettyType from 'pino-pretty';

// pino-pretty is loaded only for a terminal: a service writing JSON to a pipe never carries it.
const load = createRequire(import.meta.url);

export type { Logger };

/** Structured JSON logs at LOG_LEVEL; token-bearing paths and secrets are redacted. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'newsdesk' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', 'token', 'secretKey', 'adminToken'],
        censor: '[redacted]',
      },
    },
    // People at a terminal get readable lines; services and pipes get JSON.
    destination ?? (process.stdout.isTTY ? (load('pino-pretty') as typeof prettyType)({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' }) : process.stdout),
  );
}

/** Strips tokens from a request path before it is logged (/confirm/abc → /confirm/[redacted]). */
export function redactPath(path: string): string {
  return path.replace(/^\/(confirm|unsubscribe)\/[^/?#]+/, '/$1/[redacted]');
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
