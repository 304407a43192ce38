import type { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { parseResendRequest, resendIssue, sendIssue, sendProgress, sendTestCopy } from '../deliveries/send.js';
import { AppError, notFound } from '../lib/errors.js';
import { readBody } from './request.js';

// Admin API for deliveries: send an issue, resend it, send a test copy, follow the progress.

function issueId(raw: string): number {
  if (!/^\d{1,12}$/.test(raw)) throw notFound('No such issue.');
  return Number(raw);
}

/** Registers POST /api/admin/issues/:id/send, …/resend, …/test and GET …/progress. */
export function registerAdminDeliveriesApi(app: Hono, ctx: AppContext): void {
  app.post('/api/admin/issues/:id/send', async (c) => {
    const out = await sendIssue(ctx, issueId(c.req.param('id')));
    return c.json(out, 202);
  });

  app.post('/api/admin/issues/:id/resend', async (c) => {
    const id = issueId(c.req.param('id'));
    const key = c.req.header('idempotency-key');
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key))
      throw new AppError(400, 'BAD_REQUEST', 'Idempotency-Key must be 1 to 200 visible ASCII characters.');
    const req = parseResendRequest(await readBody(c));
    const out = await resendIssue(ctx, id, req, 'admin-api', key);
    return c.json(out, 202);
  });

  app.post('/api/admin/issues/:id/test', async (c) => {
    const id = issueId(c.req.param('id'));
    const body = await readBody(c);
    const out = await sendTestCopy(ctx, id, body.email);
    return c.json(out, 200);
  });

  app.get('/api/admin/issues/:id/progress', async (c) => {
    const id = issueId(c.req.param('id'));
    const p = await sendProgress(ctx, id, ctx.clock.now());
    if (p.issueStatus === null) throw notFound('No such issue.');
    return c.json(p);
  });
}
