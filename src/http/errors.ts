import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { StoreErrorKind } from '../db/errors.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { redactPath } from '../lib/log.js';
import { errorPage } from './pages/error.js';

/** Whether a request wants a JSON error (API routes and JSON bodies) rather than an HTML page. */
export function wantsJson(c: Context): boolean {
  return c.req.path.startsWith('/api/') || (c.req.header('content-type') ?? '').includes('application/json') ||
    ((c.req.header('accept') ?? '').includes('application/json') && !(c.req.header('accept') ?? '').includes('text/html'));
}

/** The single onError: AppError as given, body-limit and other HTTP exceptions mapped, anything else a generic 500. */
export function errorHandler(log: Logger, store?: { errorKind(err: unknown): StoreErrorKind | null; noteWriteError(err: unknown): void }) {
  return (err: Error, c: Context) => {
    let appErr: AppError;
    if (err instanceof AppError) appErr = err;
    else if (err instanceof HTTPException && err.status === 413) appErr = new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    else if (err instanceof HTTPException && err.status < 500) appErr = new AppError(err.status as 400, 'BAD_REQUEST', 'The request could not be processed.');
    else if (store?.errorKind(err)) {
      log.error({ err, path: redactPath(c.req.path) }, 'database unavailable');
      store.noteWriteError(err);
      appErr = new AppError(503, 'UNAVAILABLE', 'The service is busy. Please try again in a moment.');
      c.header('Retry-After', '5');
    } else {
      log.error({ err, method: c.req.method, path: redactPath(c.req.path) }, 'unhandled error');
      appErr = new AppError(500, 'INTERNAL', 'Something went wrong on our side. Please try again later.');
    }
    if (appErr.status === 429) c.header('Retry-After', '60');
    if (wantsJson(c)) {
      return c.json({ error: { code: appErr.code, message: appErr.message, ...(appErr.fields ? { fields: appErr.fields } : {}) } }, appErr.status);
    }
    return c.html(errorPage(appErr.status, appErr.message), appErr.status);
  };
}
