// Server services: the delivery sender and the schedule, started with `serve` and stopped gracefully.
import type { AppContext } from '../context.js';
import type { Service } from '../server.js';
import { createScheduler } from './scheduler.js';

/** Starts the daily and ingest schedules with catch-up of a missed run. */
export async function startSchedulerService(ctx: AppContext): Promise<Service> {
  const scheduler = createScheduler(ctx, { onDaily: () => ctx.signals.wakeSender() });
  await scheduler.start();
  return { name: 'scheduler', stop: () => scheduler.stop() };
}
