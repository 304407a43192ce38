// Test data for the delivery engine: issue rows and subscribers inserted directly.
import { onTestFinished } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { createSender, type Sender, type SenderOptions } from '../../src/deliveries/sender.js';
import { UNSUBSCRIBE_PLACEHOLDER } from '../../src/issues/personalize.js';
import { makeTestContext, type TestContext } from './context.js';
import { startSmtpSink, type SmtpSink } from './smtp.js';

/** Inserts a rendered draft issue whose parts contain the unsubscribe placeholder; returns its id. */
export function insertIssue(ctx: Pick<TestContext, 'sqlite'>, o: { date?: string; subject?: string; html?: string; text?: string; status?: string } = {}): number {
  const now = Date.now();
  const date = o.date ?? '2026-04-06';
  const html =
    o.html ??
    `<!doctype html><html><body><h1>Signal of the Day</h1><p>Caf\u00e9 &amp; scale.</p>` +
      `<p><a href="${UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a></p><p>1 Test Street</p></body></html>`;
  const text = o.text ?? `Signal of the Day\n\nCaf\u00e9 & scale.\n.leading dot line\n\nUnsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}\n1 Test Street\n`;
  const r = ctx.sqlite
    .prepare(
      `INSERT INTO issues (date, status, window_start, cutoff_at, subject, html, text, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(date, o.status ?? 'draft', now - 86_400_000, now, o.subject ?? `Engineering @ Scale \u2014 ${date}`, html, text, now, now);
  return Number(r.lastInsertRowid);
}

/** Inserts n subscribers with a status (confirmed by default), emails user<i>@example.test; returns their ids. */
export function addSubscribers(ctx: Pick<TestContext, 'sqlite'>, n: number, o: { status?: string; prefix?: string; domain?: string } = {}): number[] {
  const now = Date.now();
  const ins = ctx.sqlite.prepare(
    `INSERT INTO subscribers (email, status, created_at, updated_at, confirmed_at, consent_source) VALUES (?, ?, ?, ?, ?, 'import')`,
  );
  const ids: number[] = [];
  const prefix = o.prefix ?? 'user';
  const domain = o.domain ?? 'example.test';
  ctx.sqlite.transaction(() => {
    for (let i = 0; i < n; i++) ids.push(Number(ins.run(`${prefix}${i}@${domain}`, o.status ?? 'confirmed', now, now, now).lastInsertRowid));
  })();
  return ids;
}

/** Status of each delivery of an issue. */
export function deliveryRows(ctx: Pick<TestContext, 'sqlite'>, issueId: number) {
  return ctx.sqlite
    .prepare(
      `SELECT d.id, d.subscriber_id AS subscriberId, s.email, d.status, d.attempts, d.uncertain, d.resends, d.message_id AS messageId,
              d.smtp_response AS smtpResponse, d.last_error AS lastError, d.next_attempt_at AS nextAttemptAt
       FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.issue_id = ? ORDER BY d.id`,
    )
    .all(issueId) as {
    id: number;
    subscriberId: number;
    email: string;
    status: string;
    attempts: number;
    uncertain: number;
    resends: number;
    messageId: string | null;
    smtpResponse: string | null;
    lastError: string | null;
    nextAttemptAt: number;
  }[];
}

/** Polls until check() is true (or throws after timeoutMs): waits for the sender, asserts nothing about speed. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A test context removed when the current test finishes. */
export async function contextForTest(opts: Parameters<typeof makeTestContext>[0] = {}): Promise<TestContext> {
  const c = await makeTestContext(opts);
  onTestFinished(() => c.cleanup());
  return c;
}

/** An SMTP sink closed when the current test finishes. */
export async function sinkForTest(opts: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(opts);
  onTestFinished(() => s.close());
  return s;
}

/** A running sender, stopped when the current test finishes (before its context and sink go). */
export function senderForTest(c: AppContext, opts: SenderOptions = {}): Sender {
  const s = createSender(c, opts);
  s.start();
  onTestFinished(() => s.stop());
  return s;
}
