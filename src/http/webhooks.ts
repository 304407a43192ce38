import type { Hono } from 'hono';
import type { AppContext } from '../context.js';

// POST /webhooks/ses, /webhooks/postmark, /webhooks/mailgun, /webhooks/sendgrid: bounce and complaint events from
// a sending provider. The handlers (and their crypto) load on the first call; a refused call answers JSON.

export function registerWebhooks(app: Hono, ctx: AppContext): void {
  const handlers = () => import('../bounces/webhooks.js');
  const run = (name: string, fn: (h: Awaited<ReturnType<typeof handlers>>, body: string, header: (n: string) => string | undefined) => Promise<object>) =>
    app.post(`/webhooks/${name}`, async (c) => {
      const h = await handlers();
      const body = await c.req.text();
      try {
        return c.json({ ok: true, ...(await fn(h, body, (n) => c.req.header(n))) });
      } catch (err) {
        if (err instanceof h.WebhookRefused) {
          ctx.log.warn({ webhook: name, status: err.status, reason: err.message }, 'webhook call refused: nothing changed');
          return c.json({ error: { code: err.status === 401 ? 'UNVERIFIED' : err.status === 404 ? 'NOT_CONFIGURED' : 'BAD_REQUEST', message: err.message } }, err.status);
        }
        throw err;
      }
    });
  run('ses', (h, body) => h.sesWebhook(ctx, body));
  run('postmark', (h, body, header) => h.postmarkWebhook(ctx, body, header('authorization')));
  run('mailgun', (h, body) => h.mailgunWebhook(ctx, body));
  run('sendgrid', (h, body, header) => h.sendgridWebhook(ctx, body, header('x-twilio-email-event-webhook-signature'), header('x-twilio-email-event-webhook-timestamp')));
}
