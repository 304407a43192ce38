// The sender as a server service: crash recovery at once, sending resumes by itself, graceful stop.
import type { AppContext } from '../context.js';
import type { Service } from '../server.js';
import { clearTransientPauses } from './repo.js';
import { createSender, type SenderOptions } from './sender.js';

/** Starts the sender: recovery of rows left by a dead process runs at once, then every few seconds. */
export async function startSenderService(ctx: AppContext, opts: SenderOptions = {}): Promise<Service> {
  // A fresh process retries what an earlier one paused for the relay or for credentials.
  await clearTransientPauses(ctx, ctx.clock.now());
  const sender = createSender(ctx, opts);
  ctx.signals.onWakeSender(() => sender.wake());
  sender.start();
  ctx.log.info({ pool: ctx.config.smtpPoolSize, rate: ctx.config.sendRate || 'unlimited' }, 'sender started');
  return {
    name: 'sender',
    stop: async () => {
      ctx.signals.onWakeSender(null);
      // No new claims; messages in flight finish and are marked; unsent claims go back to the queue.
      await sender.stop();
      ctx.log.info({ sent: sender.state().sent }, 'sender stopped');
    },
  };
}
