import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

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
    destination ?? (process.stdout.isTTY ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' }) : process.stdout),
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
