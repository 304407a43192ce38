import { afterEach, describe, expect, it } from 'vitest';
import { closeContext, createContext } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { deliveryCounts } from '../../src/deliveries/repo.js';
import { sendIssue } from '../../src/deliveries/send.js';
import { createSender, type Sender } from '../../src/deliveries/sender.js';
import { silentLogger } from '../../src/lib/log.js';
import { makeTestContext, testEnv, type TestContext } from '../helpers/context.js';
import { addSubscribers, insertIssue, until } from '../helpers/deliver-fixtures.js';
import { startRawSmtp, type RawSmtp } from '../helpers/raw-smtp.js';

let ctx: TestContext | undefined;
let other: AppContext | undefined;
let sink: RawSmtp | undefined;
const senders: Sender[] = [];
afterEach(async () => {
  for (const s of senders.splice(0)) await s.stop();
  if (other) await closeContext(other);
  await ctx?.cleanup();
  await sink?.close();
  ctx = other = sink = undefined;
});

describe('two senders on one SQLite file', () => {
  it('share the work through leased claims: every subscriber gets exactly one copy, nobody fails with SQLITE_BUSY', async () => {
    sink = await startRawSmtp();
    ctx = await makeTestContext({ env: { SMTP_URL: sink.url, SMTP_POOL_SIZE: '3' } });
    other = await createContext(loadConfig(testEnv(ctx.dir, { SMTP_URL: sink.url, SMTP_POOL_SIZE: '3' }), ctx.dir), { log: silentLogger() });
    addSubscribers(ctx, 200);
    const issueId = insertIssue(ctx);
    // Both processes are asked to send: the second call queues nobody twice.
    await sendIssue(ctx, issueId);
    expect((await sendIssue(other, issueId)).queued).toBe(0);
    for (const c of [ctx, other]) {
      const s = createSender(c, { maintenanceMs: 50, idlePollMs: 10, batchSize: 4 });
      senders.push(s);
      s.start();
    }
    await until(async () => (await deliveryCounts(ctx!, issueId)).sent === 200, 30_000, 'all sent');
    const per = new Map<string, number>();
    for (const m of sink.messages) per.set(m.to[0]!, (per.get(m.to[0]!) ?? 0) + 1);
    expect(per.size).toBe(200);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    // Both did part of the work.
    expect(senders.every((s) => s.state().sent > 0)).toBe(true);
    expect(senders[0]!.state().sent + senders[1]!.state().sent).toBe(200);
  });
});
