import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { stream } from 'hono/streaming';
import type { AppContext } from '../context.js';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../domain-types.js';
import { AppError, badRequest } from '../lib/errors.js';
import { exportSubscribersCsv, importSubscribersCsv } from '../subscribers/csv.js';
import { listSubscribers, type Subscriber } from '../subscribers/repo.js';

const iso = (t: number | null) => (t ? new Date(t).toISOString() : null);

/** The JSON shape of a subscriber in the admin API. */
export function subscriberJson(s: Subscriber) {
  return {
    id: s.id,
    email: s.email,
    name: s.name,
    status: s.status,
    createdAt: iso(s.createdAt),
    confirmedAt: iso(s.confirmedAt),
    unsubscribedAt: iso(s.unsubscribedAt),
    bouncedAt: iso(s.bouncedAt),
    consentSource: s.consentSource,
  };
}

/** GET list, POST import (CSV body or multipart `file`), GET export. */
export function registerAdminSubscriberApi(app: Hono, ctx: AppContext): void {
  app.get('/api/admin/subscribers', async (c) => {
    const status = c.req.query('status') || undefined;
    if (status && !SUBSCRIBER_STATUSES.includes(status as SubscriberStatus))
      throw badRequest(`status must be one of ${SUBSCRIBER_STATUSES.join(', ')}`, { status: 'unknown status' });
    const cursorText = c.req.query('cursor');
    const cursor = cursorText ? Number(cursorText) : undefined;
    if (cursorText && (!Number.isSafeInteger(cursor) || cursor! < 0)) throw badRequest('cursor must be a value from nextCursor', { cursor: 'invalid' });
    const limitText = c.req.query('limit');
    const limit = limitText ? Number(limitText) : 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest('limit must be between 1 and 500', { limit: 'invalid' });
    const q = (c.req.query('q') ?? '').slice(0, 200) || undefined;
    const page = await listSubscribers(ctx, { status: status as SubscriberStatus | undefined, search: q, cursor, limit });
    return c.json({ subscribers: page.subscribers.map(subscriberJson), nextCursor: page.nextCursor });
  });

  app.post('/api/admin/subscribers/import', async (c) => {
    const confirmed = ['1', 'true', 'yes'].includes(c.req.query('confirmed') ?? '');
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    let input: Readable;
    if (type.startsWith('multipart/form-data')) {
      const form = await c.req.parseBody().catch(() => {
        throw badRequest('The form data could not be read.');
      });
      const file = form.file;
      if (!(file instanceof File)) throw badRequest('Send the CSV as the multipart field "file".', { file: 'missing' });
      input = Readable.fromWeb(file.stream() as import('node:stream/web').ReadableStream);
    } else if (type.startsWith('text/csv') || type.startsWith('text/plain') || type.startsWith('application/csv')) {
      const body = c.req.raw.body;
      if (!body) throw badRequest('The CSV body is empty.');
      input = Readable.fromWeb(body as import('node:stream/web').ReadableStream);
    } else {
      throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as text/csv or as multipart/form-data field "file".');
    }
    const result = await importSubscribersCsv(ctx, input, { confirmed });
    return c.json(result);
  });

  app.get('/api/admin/subscribers/export', (c) => {
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="subscribers-${new Date(ctx.clock.now()).toISOString().slice(0, 10)}.csv"`);
    return stream(c, async (s) => {
      for await (const chunk of exportSubscribersCsv(ctx)) await s.write(chunk);
    });
  });
}
