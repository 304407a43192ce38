// Server services: the delivery sender and the schedule, started with `serve` and stopped gracefully.
import type { AppContext } from '../context.js';
import { clearTransientPauses } from '../deliveries/repo.js';
import { setSenderWakeHook } from '../deliveries/send.js';
import { createSender, type Sender } from '../deliveries/sender.js';
import { serviceStarters, type Service } from '../server.js';
import { createScheduler } from './scheduler.js';

let current: Sender | null = null;

/** Starts the sender: sending resumes by itself (crash recovery runs at once, then every few seconds). */
export async function startSenderService(ctx: AppContext): Promise<Service> {
  // A fresh process retries what an earlier one paused for the relay or for credentials.
  await clearTransientPauses(ctx, ctx.clock.now());
  const sender = createSender(ctx);
  current = sender;
  setSenderWakeHook(() => sender.wake());
  sender.start();
  ctx.log.info({ pool: ctx.config.smtpPoolSize, rate: ctx.config.sendRate || 'unlimited' }, 'sender started');
  return {
    name: 'sender',
    stop: async () => {
      setSenderWakeHook(null);
      // No new claims; messages in flight finish and are marked; unsent claims go back to the queue.
      await sender.stop();
      current = null;
    },
  };
}

/** Starts the daily and ingest schedules with catch-up of a missed run. */
export async function startSchedulerService(ctx: AppContext): Promise<Service> {
  const scheduler = createScheduler(ctx, { onDaily: () => current?.wake() });
  await scheduler.start();
  return { name: 'scheduler', stop: () => scheduler.stop() };
}

let registered = false;
/** Adds the sender and the scheduler to the server's services (once). */
export function registerJobServices(): void {
  if (registered) return;
  registered = true;
  serviceStarters.push(startSenderService, startSchedulerService);
}
