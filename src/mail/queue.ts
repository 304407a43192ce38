// Mail that a request asked for but need not wait for (signup confirmations): the answer goes out first, so the
// time to answer says nothing about whether an address was known; the mail follows from this queue.
import type { Mailer } from './mailer.js';

interface Queue {
  running: number;
  waiting: (() => Promise<void>)[];
  idle: (() => void)[];
}

const queues = new WeakMap<Mailer, Queue>();
/** Mails rendered and handed over at once, per mailer. */
const CONCURRENCY = 4;

function queueOf(mailer: Mailer): Queue {
  let q = queues.get(mailer);
  if (!q) queues.set(mailer, (q = { running: 0, waiting: [], idle: [] }));
  return q;
}

function pump(q: Queue): void {
  while (q.running < CONCURRENCY && q.waiting.length) {
    const job = q.waiting.shift()!;
    q.running++;
    void job()
      .catch(() => {})
      .finally(() => {
        q.running--;
        pump(q);
      });
  }
  if (q.running === 0 && !q.waiting.length) for (const r of q.idle.splice(0)) r();
}

/** Runs `job` soon, at most CONCURRENCY at a time per mailer; the job handles its own errors. */
export function enqueueMail(mailer: Mailer, job: () => Promise<void>): void {
  const q = queueOf(mailer);
  q.waiting.push(job);
  pump(q);
}

/** Resolves once every queued mail of this mailer went out (or failed): at shutdown, and in tests. */
export function drainMail(mailer: Mailer): Promise<void> {
  const q = queueOf(mailer);
  if (q.running === 0 && !q.waiting.length) return Promise.resolve();
  return new Promise((r) => q.idle.push(r));
}
