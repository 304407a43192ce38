// The storage contract: every repository behaviour the rest of newsdesk relies on, run against each backend. A new
// backend is done when this suite passes on it.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { CleanArticle } from '../../src/feeds/normalize.js';
import type { Store } from '../../src/store.js';
import { readSuppressions } from '../../src/subscribers/suppressions.js';
import { addConfirmed } from '../helpers/context.js';
import { BACKENDS, type OpenedStore } from './backends.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 10, 2, 6, 0);

async function confirmed(s: Store, emails: string[], now = T0): Promise<number[]> {
  return (await addConfirmed({ store: s }, emails.map((email) => ({ email })), now)).map((c) => c.id);
}

async function source(s: Store, name: string, feedUrl = `https://${name.toLowerCase().replace(/\W+/g, '')}.example/feed.xml`) {
  await s.feeds.syncSourceEntries([...(await s.feeds.listAllSources()).filter((x) => x.active).map((x) => ({ feedUrl: x.feedUrl, name: x.name, siteUrl: x.siteUrl, weight: x.weight, company: x.company, fulltext: x.fulltext })), { feedUrl, name, siteUrl: null, weight: 1, company: null, fulltext: null }], T0);
  return (await s.feeds.listAllSources()).find((x) => x.feedUrl === feedUrl)!;
}

let seq = 0;
function article(over: Partial<CleanArticle> = {}): CleanArticle {
  const n = ++seq;
  const url = over.canonicalUrl ?? `https://blog.example/post-${n}`;
  return {
    guid: `g-${n}`,
    url,
    canonicalUrl: url,
    title: `Post ${n}`,
    author: null,
    publishedAt: T0 - 3600_000,
    dateSource: 'feed',
    firstSeenAt: T0 - 1800_000,
    contentHtml: '<p>x</p>',
    contentText: 'Scaling queues with care.',
    summary: 'Scaling queues with care.',
    contentHash: `h-${n}`,
    ...over,
  };
}

async function draftIssue(s: Store, date: string, articleIds: number[] = []) {
  const r = await s.issues.insertIssue({
    date,
    windowStart: T0 - DAY,
    cutoffAt: T0,
    subject: `Issue ${date}`,
    preheader: 'p',
    html: '<p>h</p>',
    text: 't',
    signalArticleId: articleIds[0] ?? null,
    patternsJson: '[]',
    digestJson: '{}',
    now: T0,
    articles: articleIds.map((articleId, i) => ({ articleId, rank: i + 1, score: 10 - i, scoreParts: JSON.stringify({ depth: i }) })),
  });
  if (!('created' in r)) throw new Error(`no issue: ${JSON.stringify(r)}`);
  return r.created;
}

for (const backend of BACKENDS) {
  describe(`the storage contract on ${backend.name}`, () => {
    let opened: OpenedStore;
    let s: Store;
    beforeAll(() => backend.setup(), 60_000);
    afterAll(() => backend.teardown());
    beforeEach(async () => {
      opened = await backend.open();
      s = opened.store;
    });
    afterEach(() => opened.close());

    describe('subscribers', () => {
      it('signup, throttle, confirm, a stale token, unsubscribe: each once, each with its consent event', async () => {
        const a = await s.subscribers.recordSignup('ann@example.com', 'Ann', T0, { ip: '192.0.2.1', userAgent: 'UA' });
        expect(a.action).toBe('send_confirmation');
        expect(a.subscriber).toMatchObject({ email: 'ann@example.com', name: 'Ann', status: 'pending', createdAt: T0, lastConfirmationSentAt: T0 });
        expect((await s.subscribers.recordSignup('ann@example.com', null, T0 + 1000, {})).action).toBe('throttled');
        const id = a.subscriber.id;
        expect((await s.subscribers.confirmSubscriber(id, T0, T0 + 2000, {})).outcome).toBe('confirmed');
        expect((await s.subscribers.confirmSubscriber(id, T0, T0 + 3000, {})).outcome).toBe('already_confirmed');
        expect((await s.subscribers.recordSignup('ann@example.com', null, T0 + 4000, {})).action).toBe('already_confirmed');
        expect((await s.subscribers.unsubscribeSubscriber(id, T0 + 5000, {})).changed).toBe(true);
        expect((await s.subscribers.unsubscribeSubscriber(id, T0 + 6000, {})).changed).toBe(false);
        // A confirmation link issued before the unsubscribe never brings them back.
        expect((await s.subscribers.confirmSubscriber(id, T0, T0 + 7000, {})).outcome).toBe('invalid');
        const events = await s.subscribers.listConsentEvents(id);
        expect(events.map((e) => e.type)).toEqual(['signup', 'confirm', 'unsubscribe']);
        expect(events[0]).toMatchObject({ ip: '192.0.2.1', userAgent: 'UA', subscriberId: id, at: T0 });
        expect([...readSuppressions(s.suppressionLog).values()]).toEqual([{ at: T0 + 5000, event: 'unsubscribe' }]);
        expect(await s.subscribers.findSubscriberByEmail('ann@example.com')).toMatchObject({ status: 'unsubscribed', unsubscribedAt: T0 + 5000 });
      });

      it('forty unsubscribes at once (one subscriber twice): each is committed and answered once, each on the log once', async () => {
        const emails = Array.from({ length: 40 }, (_, i) => `burst${i}@example.com`);
        const ids = await confirmed(s, emails);
        const outs = await Promise.all([...ids.map((id, i) => s.subscribers.unsubscribeSubscriber(id, T0 + i, { detail: 'one-click' })), s.subscribers.unsubscribeSubscriber(ids[0]!, T0 + 99, {})]);
        expect(outs.slice(0, 40).every((o) => o.changed)).toBe(true);
        expect(outs[40]!.changed).toBe(false);
        for (const [i, id] of ids.entries()) {
          expect(await s.subscribers.findSubscriberById(id)).toMatchObject({ status: 'unsubscribed', unsubscribedAt: T0 + i });
          expect((await s.subscribers.listConsentEvents(id)).filter((e) => e.type === 'unsubscribe')).toHaveLength(1);
        }
        const log = readSuppressions(s.suppressionLog);
        expect(log.size).toBe(40);
        expect([...log.values()].every((e) => e.event === 'unsubscribe')).toBe(true);
      });

      it('two signups of one new address at once make one subscriber', async () => {
        const out = await Promise.all([1, 2, 3].map((i) => s.subscribers.recordSignup('race@example.com', null, T0 + i, {})));
        expect(new Set(out.map((o) => o.subscriber.id)).size).toBe(1);
        expect(out.filter((o) => o.action === 'send_confirmation')).toHaveLength(1);
      });

      it('lists by id with a cursor, a status filter and a case-insensitive search that treats % and _ literally', async () => {
        const ids = await confirmed(s, ['a1@example.com', 'b_2@example.com', 'c3@Example.org', 'd4@example.com', 'e%5@example.com']);
        await s.subscribers.recordSignup('pending@example.com', null, T0, {});
        const p1 = await s.subscribers.listSubscribers({ limit: 2 });
        expect(p1.subscribers.map((x) => x.id)).toEqual(ids.slice(0, 2));
        const p2 = await s.subscribers.listSubscribers({ limit: 2, cursor: Number(p1.nextCursor) });
        expect(p2.subscribers.map((x) => x.id)).toEqual(ids.slice(2, 4));
        const p3 = await s.subscribers.listSubscribers({ limit: 2, cursor: Number(p2.nextCursor) });
        expect(p3.subscribers).toHaveLength(2);
        expect(p3.nextCursor).toBeNull();
        expect((await s.subscribers.listSubscribers({ status: 'pending' })).subscribers.map((x) => x.email)).toEqual(['pending@example.com']);
        expect((await s.subscribers.listSubscribers({ search: 'EXAMPLE.ORG' })).subscribers.map((x) => x.email)).toEqual(['c3@Example.org']);
        expect((await s.subscribers.listSubscribers({ search: '_' })).subscribers.map((x) => x.email)).toEqual(['b_2@example.com']);
        expect((await s.subscribers.listSubscribers({ search: '%' })).subscribers.map((x) => x.email)).toEqual(['e%5@example.com']);
        expect(await s.subscribers.countSubscribersByStatus()).toEqual({ pending: 1, confirmed: 5, unsubscribed: 0, bounced: 0 });
      });

      it('import skips an address already there (unchanged) and one the suppression log says left', async () => {
        await confirmed(s, ['keep@example.com']);
        const gone = new Map((await import('../../src/subscribers/suppressions.js')).readSuppressions(null));
        const { addressKey } = await import('../../src/subscribers/suppressions.js');
        gone.set(addressKey('left@example.com'), { at: T0 - DAY, event: 'unsubscribe' });
        const rows = ['keep@example.com', 'left@example.com', 'new@example.com', 'gone@example.com'].map((email, i) => ({
          line: i + 2,
          email,
          name: null,
          status: (email === 'gone@example.com' ? 'unsubscribed' : 'pending') as 'pending' | 'unsubscribed',
          createdAt: T0,
          confirmedAt: null,
          unsubscribedAt: email === 'gone@example.com' ? T0 - 5 : null,
          bouncedAt: null,
          consentSource: null,
          statedConsentAt: null,
        }));
        const out = await s.subscribers.importSubscriberBatch(rows, gone, T0);
        expect(out.created.map((c) => [c.email, c.status])).toEqual([
          ['new@example.com', 'pending'],
          ['gone@example.com', 'unsubscribed'],
        ]);
        expect(out.skipped).toEqual([
          { line: 2, email: 'keep@example.com', reason: 'already on the list as confirmed' },
          { line: 3, email: 'left@example.com', reason: expect.stringMatching(/^unsubscribed on .* \(suppression log\)$/) },
        ]);
        expect(readSuppressions(s.suppressionLog).get(addressKey('gone@example.com'))).toEqual({ at: T0 - 5, event: 'unsubscribe' });
      });

      it('import: an address twice in one batch is stored once, from its first line; the second is reported', async () => {
        const row = (line: number, name: string) => ({
          line,
          email: 'twice@example.com',
          name,
          status: 'pending' as const,
          createdAt: T0,
          confirmedAt: null,
          unsubscribedAt: null,
          bouncedAt: null,
          consentSource: null,
          statedConsentAt: null,
        });
        const out = await s.subscribers.importSubscriberBatch([row(2, 'First'), row(3, 'Second')], new Map(), T0);
        expect(out.created.map((c) => c.email)).toEqual(['twice@example.com']);
        expect(out.skipped).toEqual([{ line: 3, email: 'twice@example.com', reason: 'already on the list as pending' }]);
        expect((await s.subscribers.findSubscriberByEmail('twice@example.com'))?.name).toBe('First');
        expect((await s.subscribers.listConsentEvents(out.created[0]!.id)).map((e) => [e.type, e.detail])).toEqual([['import', 'imported as pending by the operator']]);
      });

      it('erasure removes the address, keeps the row anonymous, and is logged; iterate pages through everyone', async () => {
        const [a, b, c] = await confirmed(s, ['x@example.com', 'y@example.com', 'z@example.com']);
        expect(await s.subscribers.eraseSubscriber(b!, T0 + 1)).toBe(true);
        expect(await s.subscribers.eraseSubscriber(b!, T0 + 2)).toBe(false);
        expect(await s.subscribers.findSubscriberById(b!)).toMatchObject({ email: null, name: null, status: 'unsubscribed', erasedAt: T0 + 1 });
        const seen: number[] = [];
        for await (const row of s.subscribers.iterateSubscribers(2)) seen.push(row.id);
        expect(seen).toEqual([a, b, c]);
        expect([...readSuppressions(s.suppressionLog).values()].map((e) => e.event)).toEqual(['erase']);
      });

      it('replaying the suppression log brings back the state of those who left after their consent, nobody else', async () => {
        const { addressKey } = await import('../../src/subscribers/suppressions.js');
        const [a, b, c] = await confirmed(s, ['a@example.com', 'b@example.com', 'c@example.com']);
        const log = new Map([
          [addressKey('a@example.com'), { at: T0 + 10, event: 'unsubscribe' as const }],
          [addressKey('b@example.com'), { at: T0 + 10, event: 'bounce' as const }],
          [addressKey('c@example.com'), { at: T0 - 10, event: 'unsubscribe' as const }],
        ]);
        expect(await s.subscribers.replaySuppressions(log, T0 + 20)).toBe(2);
        expect((await s.subscribers.findSubscriberById(a!))?.status).toBe('unsubscribed');
        expect((await s.subscribers.findSubscriberById(b!))?.status).toBe('bounced');
        expect((await s.subscribers.findSubscriberById(c!))?.status).toBe('confirmed');
        expect(await s.subscribers.replaySuppressions(log, T0 + 30)).toBe(0);
      });
    });

    describe('the delivery ledger', () => {
      it('queues each confirmed subscriber once, however often it is called, and reports the issue sending', async () => {
        await confirmed(s, ['a@example.com', 'b@example.com']);
        await s.subscribers.recordSignup('p@example.com', null, T0, {});
        const issue = await draftIssue(s, '2026-11-02');
        expect(await s.deliveries.queueIssue(issue.id, T0)).toEqual({ queued: 2, status: 'sending' });
        expect(await s.deliveries.queueIssue(issue.id, T0)).toEqual({ queued: 0, status: 'sending' });
        await confirmed(s, ['c@example.com']);
        const again = await Promise.all([s.deliveries.queueIssue(issue.id, T0), s.deliveries.queueIssue(issue.id, T0)]);
        expect(again.map((x) => x.queued).sort()).toEqual([0, 1]);
        expect(await s.deliveries.queueIssue(9999, T0)).toEqual({ queued: 0, status: 'missing' });
        expect((await s.deliveries.deliveryCounts(issue.id)).queued).toBe(3);
        expect(await s.deliveries.activeIssueIds()).toEqual([issue.id]);
        expect(await s.deliveries.findIssueIdByDate('2026-11-02')).toBe(issue.id);
        expect(await s.deliveries.getSendableIssue(issue.id)).toMatchObject({ id: issue.id, status: 'sending', subject: 'Issue 2026-11-02', sendStartedAt: T0, subjectOverride: null });
      });

      it('claims: concurrent claimers never share a row; a subscriber who left is skipped, not claimed', async () => {
        const ids = await confirmed(
          s,
          Array.from({ length: 40 }, (_, i) => `r${i}@example.com`),
        );
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        await s.subscribers.unsubscribeSubscriber(ids[0]!, T0, {});
        const batches = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((o) => s.deliveries.claimBatch(issue.id, o, 15, T0 + 1, T0 + 60_000)));
        const claimed = batches.flat();
        expect(new Set(claimed.map((c) => c.id)).size).toBe(claimed.length);
        expect(claimed.length).toBe(39);
        expect(claimed.map((c) => c.subscriberId)).not.toContain(ids[0]);
        expect(claimed[0]).toMatchObject({ issueId: issue.id, attempts: 0, resends: 0, uncertain: 0, email: expect.stringMatching(/@example\.com$/) });
        const counts = await s.deliveries.deliveryCounts(issue.id);
        expect(counts).toMatchObject({ sending: 39, skipped: 1, queued: 0 });
        expect((await s.deliveries.claimOwners()).sort()).toEqual(['p1', 'p2', 'p3', 'p4'].filter((o) => batches[['p1', 'p2', 'p3', 'p4'].indexOf(o)]!.length));
      });

      it('claims walk due rows only, in (next attempt, id) order', async () => {
        await confirmed(s, ['a@example.com', 'b@example.com', 'c@example.com']);
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        const [first] = await s.deliveries.claimBatch(issue.id, 'o', 1, T0, T0 + 1000);
        await s.deliveries.markRetry(first!.id, 'o', { error: '451 later', nextAttemptAt: T0 + 5000, countAttempt: true, uncertain: false }, T0);
        const next = await s.deliveries.claimBatch(issue.id, 'o', 10, T0 + 1, T0 + 1000);
        expect(next.map((c) => c.id)).not.toContain(first!.id);
        expect(await s.deliveries.nextDueAt([issue.id])).toBe(T0 + 5000);
        const later = await s.deliveries.claimBatch(issue.id, 'o', 10, T0 + 5000, T0 + 9000);
        expect(later.map((c) => [c.id, c.attempts])).toEqual([[first!.id, 1]]);
      });

      it('a batch of marks in one call: each row gets its own answer and time; rows not held by the caller stay as they are', async () => {
        const subs = await confirmed(s, ['m1@example.com', 'm2@example.com', 'm3@example.com', 'm4@example.com']);
        const issue = await draftIssue(s, '2026-11-04');
        await s.deliveries.queueIssue(issue.id, T0);
        const mine = await s.deliveries.claimBatch(issue.id, 'me', 3, T0, T0 + 1000);
        const theirs = await s.deliveries.claimBatch(issue.id, 'them', 10, T0, T0 + 1000);
        expect(mine).toHaveLength(3);
        expect(theirs).toHaveLength(1);
        // A row already marked once is not marked again (a repeated flush after a lost answer changes nothing).
        await s.deliveries.markSent('me', [{ id: mine[0]!.id, messageId: '<first>', response: '250 first', at: T0 + 1 }]);
        await s.deliveries.markSent('me', [
          ...mine.map((r, i) => ({ id: r.id, messageId: `<m${i}>`, response: `250 ok ${i}`, at: T0 + 10 + i })),
          { id: theirs[0]!.id, messageId: '<stolen>', response: '250', at: T0 + 20 },
        ]);
        const list = await s.deliveries.listDeliveries(issue.id);
        const byId = new Map(list.map((d) => [d.id, d]));
        expect(byId.get(mine[0]!.id)).toMatchObject({ status: 'sent', messageId: '<first>', smtpResponse: '250 first', sentAt: T0 + 1, attempts: 1 });
        expect(byId.get(mine[1]!.id)).toMatchObject({ status: 'sent', messageId: '<m1>', smtpResponse: '250 ok 1', sentAt: T0 + 11, attempts: 1 });
        expect(byId.get(mine[2]!.id)).toMatchObject({ status: 'sent', messageId: '<m2>', smtpResponse: '250 ok 2', sentAt: T0 + 12, attempts: 1 });
        expect(byId.get(theirs[0]!.id)).toMatchObject({ status: 'sending', messageId: null });
        expect(subs).toHaveLength(4);
        await s.deliveries.markSent('me', []);
      });

      it('marks change only a row its owner still holds; a bounce bounces the subscriber and skips their other rows', async () => {
        const [a, b] = await confirmed(s, ['a@example.com', 'b@example.com']);
        const i1 = await draftIssue(s, '2026-11-02');
        const i2 = await draftIssue(s, '2026-11-03');
        await s.deliveries.queueIssue(i1.id, T0);
        await s.deliveries.queueIssue(i2.id, T0);
        const rows = await s.deliveries.claimBatch(i1.id, 'me', 10, T0, T0 + 1000);
        const ra = rows.find((r) => r.subscriberId === a)!;
        const rb = rows.find((r) => r.subscriberId === b)!;
        await s.deliveries.markSent('someone-else', [{ id: ra.id, messageId: '<m1>', response: '250 ok', at: T0 }]);
        expect((await s.deliveries.deliveryCounts(i1.id)).sent).toBe(0);
        await s.deliveries.markSent('me', [{ id: ra.id, messageId: '<m1>', response: '250 ok', at: T0 + 5 }]);
        await s.deliveries.markBounced(rb.id, 'me', b!, '550 no such user', T0 + 6);
        const list = await s.deliveries.listDeliveries(i1.id);
        expect(list.map((d) => [d.subscriberId, d.status, d.attempts, d.messageId])).toEqual([
          [a, 'sent', 1, '<m1>'],
          [b, 'bounced', 1, null],
        ]);
        expect(list[0]).toMatchObject({ smtpResponse: '250 ok', sentAt: T0 + 5 });
        expect((await s.subscribers.findSubscriberById(b!))?.status).toBe('bounced');
        expect(await s.deliveries.deliveryCounts(i2.id)).toMatchObject({ queued: 1, skipped: 1 });
        expect(await s.deliveries.subscriberStatuses([b!, a!, 987654])).toEqual(new Map([[a!, 'confirmed'], [b!, 'bounced']]));
        expect(await s.deliveries.subscriberStatuses([])).toEqual(new Map());
        expect([...readSuppressions(s.suppressionLog).values()]).toEqual([{ at: T0 + 6, event: 'bounce' }]);
        expect(await s.deliveries.recentSends(i1.id, T0)).toEqual({ n: 1, first: T0 + 5 });
      });

      it('released claims go back untouched; renewed leases outlive expiry; expired ones come back uncertain, then final', async () => {
        await confirmed(s, ['a@example.com', 'b@example.com', 'c@example.com']);
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        const [x, y, z] = await s.deliveries.claimBatch(issue.id, 'me', 3, T0, T0 + 1000);
        await s.deliveries.releaseClaims([x!.id], 'me', T0, T0 + 50);
        expect(await s.deliveries.renewLeases('me', T0 + 10_000)).toBe(2);
        expect(await s.deliveries.recoverExpiredLeases(T0 + 5000)).toBe(0);
        expect(await s.deliveries.recoverExpiredLeases(T0 + 20_000)).toBe(2);
        let list = await s.deliveries.listDeliveries(issue.id);
        expect(list.map((d) => [d.status, d.uncertain, d.attempts])).toEqual([
          ['queued', 0, 0],
          ['queued', 1, 0],
          ['queued', 1, 0],
        ]);
        expect(list[0]!.nextAttemptAt).toBe(T0 + 50);
        // A row already uncertain once is never sent a third time: its next loss is final.
        const again = await s.deliveries.claimBatch(issue.id, 'dead-owner', 3, T0 + 20_000, T0 + 30_000);
        expect(again.map((r) => r.id).sort()).toEqual([x!.id, y!.id, z!.id].sort());
        expect(await s.deliveries.recoverOwners(['dead-owner'], T0 + 21_000)).toBe(3);
        list = await s.deliveries.listDeliveries(issue.id);
        expect(list.map((d) => [d.status, d.uncertain])).toEqual([
          ['queued', 1],
          ['uncertain', 2],
          ['uncertain', 2],
        ]);
        const counts = await s.deliveries.deliveryCounts(issue.id);
        expect(counts).toMatchObject({ queued: 1, unconfirmed: 2, uncertain: 5 });
      });

      it('orphan claims (ours in the ledger, unknown to the sender) go back untouched; the ones it holds stay', async () => {
        await confirmed(s, ['a@example.com', 'b@example.com', 'c@example.com']);
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        const [x, y, z] = await s.deliveries.claimBatch(issue.id, 'me', 3, T0, T0 + 1000);
        await s.deliveries.claimBatch(issue.id, 'other', 3, T0, T0 + 1000);
        expect(await s.deliveries.releaseOrphanClaims('me', [y!.id], T0 + 1)).toBe(2);
        const list = await s.deliveries.listDeliveries(issue.id);
        expect(list.map((d) => [d.id, d.status, d.uncertain, d.attempts])).toEqual([
          [x!.id, 'queued', 0, 0],
          [y!.id, 'sending', 0, 0],
          [z!.id, 'queued', 0, 0],
        ]);
        expect(await s.deliveries.releaseOrphanClaims('me', [], T0 + 2)).toBe(1);
      });

      it('an issue is finished once every delivery is final; one nobody accepted is paused, not published', async () => {
        const [a] = await confirmed(s, ['a@example.com']);
        const ok = await draftIssue(s, '2026-11-02');
        const refused = await draftIssue(s, '2026-11-03');
        for (const i of [ok, refused]) await s.deliveries.queueIssue(i.id, T0);
        expect(await s.deliveries.finishCompletedIssues(T0)).toEqual([]);
        const [r1] = await s.deliveries.claimBatch(ok.id, 'me', 1, T0, T0 + 1000);
        await s.deliveries.markSent('me', [{ id: r1!.id, messageId: '<m>', response: '250', at: T0 }]);
        const [r2] = await s.deliveries.claimBatch(refused.id, 'me', 1, T0, T0 + 1000);
        await s.deliveries.markFailed(r2!.id, 'me', '554 content refused', T0);
        expect(await s.deliveries.hasPendingDeliveries(ok.id)).toBe(false);
        expect(await s.deliveries.finishCompletedIssues(T0 + 1)).toEqual([ok.id]);
        expect(await s.deliveries.issueState(ok.id)).toEqual({ status: 'sent', pausedReason: null });
        expect(await s.deliveries.issueState(refused.id)).toMatchObject({ status: 'sending', pausedReason: expect.stringMatching(/^refused: /) });
        expect(a).toBeGreaterThan(0);
      });

      it('pauses: a prefix-guarded pause never overwrites another reason; transient pauses clear', async () => {
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        await s.deliveries.setPausedReason(issue.id, 'operator: held', T0);
        await s.deliveries.setPausedReason(issue.id, 'relay: 421', T0, 'relay:');
        expect((await s.deliveries.issueState(issue.id))?.pausedReason).toBe('operator: held');
        expect(await s.deliveries.activeIssueIds()).toEqual([]);
        await s.deliveries.setPausedReason(issue.id, 'relay: 421', T0);
        expect(await s.deliveries.activeIssueIds()).toEqual([issue.id]);
        await s.deliveries.clearTransientPauses(T0);
        expect((await s.deliveries.issueState(issue.id))?.pausedReason).toBeNull();
      });

      it('resends: by address, failed, missing; an idempotency key records one request even when sent twice at once', async () => {
        const [a, b] = await confirmed(s, ['a@example.com', 'b@example.com']);
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        const rows = await s.deliveries.claimBatch(issue.id, 'me', 2, T0, T0 + 1000);
        await s.deliveries.markSent('me', [{ id: rows.find((r) => r.subscriberId === a)!.id, messageId: '<m>', response: '250', at: T0 }]);
        await s.deliveries.markFailed(rows.find((r) => r.subscriberId === b)!.id, 'me', '554', T0);
        await s.deliveries.finishCompletedIssues(T0);
        expect(await s.deliveries.queueResend(issue.id, { kind: 'email', email: 'nobody@example.com' }, 'op', T0)).toEqual({ queued: 0, reason: 'not_found' });
        const both = await Promise.all([
          s.deliveries.queueResend(issue.id, { kind: 'email', email: 'a@example.com' }, 'op', T0 + 1, 'key-1'),
          s.deliveries.queueResend(issue.id, { kind: 'email', email: 'a@example.com' }, 'op', T0 + 1, 'key-1'),
        ]);
        expect(both.map((o) => o.queued)).toEqual([1, 1]);
        expect(both.filter((o) => o.prior)).toHaveLength(1);
        expect(await s.deliveries.findResendByKey('key-1')).toEqual({ issueId: issue.id, kind: 'email', email: 'a@example.com', queued: 1 });
        expect(await s.deliveries.queueResend(issue.id, { kind: 'email', email: 'a@example.com' }, 'op', T0 + 2)).toEqual({ queued: 0, reason: 'pending' });
        expect(await s.deliveries.queueResend(issue.id, { kind: 'failed' }, 'op', T0 + 3)).toEqual({ queued: 1 });
        await confirmed(s, ['late@example.com']);
        expect(await s.console.resendReach(issue.id, { kind: 'missing' })).toBe(1);
        expect(await s.deliveries.queueResend(issue.id, { kind: 'missing' }, 'op', T0 + 4)).toEqual({ queued: 1 });
        expect((await s.deliveries.issueState(issue.id))?.status).toBe('sending');
        expect((await s.deliveries.listResendRequests(issue.id)).map((r) => [r.kind, r.queued, r.requestedBy])).toEqual([
          ['email', 1, 'op'],
          ['email', 0, 'op'],
          ['failed', 1, 'op'],
          ['missing', 1, 'op'],
        ]);
        const list = await s.deliveries.listDeliveries(issue.id);
        expect(list.find((d) => d.subscriberId === a)).toMatchObject({ status: 'queued', resends: 1, attempts: 0 });
        expect(await s.deliveries.listDeliveries(issue.id, list[0]!.id, 1)).toHaveLength(1);
      });

      it('test sends are recorded apart; the shared send budget hands out slots that never overlap', async () => {
        const issue = await draftIssue(s, '2026-11-02');
        const id = await s.deliveries.recordTestSend({ issueId: issue.id, email: 't@example.com', at: T0, status: 'sent', messageId: '<t>' });
        expect(id).toBeGreaterThan(0);
        expect(await s.console.testSendsOf(issue.id)).toEqual([{ email: 't@example.com', at: T0, status: 'sent', error: null }]);
        const starts = await Promise.all(Array.from({ length: 10 }, () => s.deliveries.reserveSendSlots(4, 5, T0)));
        // Ten reservations of 4 slots 5 ms apart cover 200 ms with no two overlapping, starting at T0.
        expect([...starts].sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 20));
        // An idle budget starts again from now, not from the past.
        expect(await s.deliveries.reserveSendSlots(1, 5, T0 + 10_000)).toBe(T0 + 10_000);
      });
    });

    describe('issues', () => {
      it('one issue per date, an article in at most one issue; edits only while a draft and only from the latest version', async () => {
        const src = await source(s, 'Example Eng');
        await s.feeds.saveFetchSuccess(src.id, [article(), article(), article()], { etag: null, lastModified: null, at: T0 });
        const cands = await s.issues.unassignedArticles(T0 - DAY, T0);
        expect(cands).toHaveLength(3);
        expect(cands[0]).toMatchObject({ sourceName: 'Example Eng', sourceWeight: 1, summary: 'Scaling queues with care.' });
        const issue = await draftIssue(s, '2026-11-02', [cands[0]!.id, cands[1]!.id]);
        expect(await s.issues.insertIssue({ ...issueInput('2026-11-02'), articles: [] })).toMatchObject({ exists: { id: issue.id } });
        expect(await s.issues.insertIssue({ ...issueInput('2026-11-03'), articles: [{ articleId: cands[0]!.id, rank: 1, score: 1, scoreParts: '{}' }] })).toEqual({ taken: true });
        expect((await s.issues.unassignedArticles(T0 - DAY, T0)).map((a) => a.id)).toEqual([cands[2]!.id]);
        const arts = await s.issues.getIssueArticles(issue.id);
        expect(arts.map((a) => [a.id, a.rank, a.excluded, a.parts])).toEqual([
          [cands[0]!.id, 1, false, { depth: 0 }],
          [cands[1]!.id, 2, false, { depth: 1 }],
        ]);
        const edit = { ...issueEdit(), excludedIds: [cands[1]!.id], expectedUpdatedAt: T0 + 1 };
        expect(await s.issues.updateDraftIssue(issue.id, edit)).toBe('stale');
        expect(await s.issues.updateDraftIssue(issue.id, { ...edit, expectedUpdatedAt: issue.updatedAt })).toBe('ok');
        expect(await s.issues.countIssueArticles(issue.id)).toBe(1);
        expect(await s.issues.getIssue(issue.id)).toMatchObject({ subject: 'Edited', subjectOverride: 'Edited', patternsNote: 'note', updatedAt: T0 + 1 });
        expect(await s.issues.updateDraftIssue(9999, edit)).toBe('missing');
        await s.deliveries.queueIssue(issue.id, T0);
        expect(await s.issues.updateDraftIssue(issue.id, { ...edit, expectedUpdatedAt: T0 + 1 })).toBe('frozen');
      });

      it('the archive lists published issues newest first, leaves out drafts and refused sends, and pages between them', async () => {
        const dates = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04'];
        const made = [];
        for (const d of dates) made.push(await draftIssue(s, d));
        for (const i of [made[0]!, made[1]!, made[3]!]) await s.deliveries.queueIssue(i.id, T0);
        await s.deliveries.setPausedReason(made[1]!.id, 'refused: none accepted', T0);
        expect((await s.issues.listArchiveIssues({ limit: 10, offset: 0 })).map((i) => i.date)).toEqual(['2026-11-04', '2026-11-01']);
        expect(await s.issues.countArchiveIssues()).toBe(2);
        expect((await s.issues.listAllIssues({ limit: 2, offset: 1 })).map((i) => i.date)).toEqual(['2026-11-03', '2026-11-02']);
        expect(await s.issues.adjacentArchiveDates('2026-11-02')).toEqual({ prev: '2026-11-01', next: '2026-11-04' });
        expect(await s.issues.getIssueByDate('2026-11-03')).toMatchObject({ status: 'draft', id: made[2]!.id });
        expect(await s.issues.previousCutoff('2026-11-03')).toBe(T0);
        expect(await s.issues.previousCutoff('2026-11-01')).toBeNull();
        const counts = await s.issues.deliveryCounts([made[0]!.id]);
        expect(counts.get(made[0]!.id)).toEqual({ queued: 0, sent: 0, failed: 0, bounced: 0, skipped: 0, unconfirmed: 0 });
      });
    });

    describe('feeds', () => {
      it('sync adds, renames, removes and restores sources; names list case-insensitively', async () => {
        const e = (name: string, url: string, company: string | null = null, fulltext: boolean | null = null) => ({ feedUrl: url, name, siteUrl: null, weight: 1, company, fulltext });
        expect(await s.feeds.syncSourceEntries([e('beta', 'https://b/f'), e('Alpha', 'https://a/f')], T0)).toMatchObject({ added: 2 });
        expect(await s.feeds.syncSourceEntries([e('Beta Eng', 'https://b/f')], T0 + 1)).toMatchObject({ renamed: 1, removed: 1 });
        expect((await s.feeds.listActiveSources()).map((x) => x.name)).toEqual(['Beta Eng']);
        expect(await s.feeds.syncSourceEntries([e('Beta Eng', 'https://b/f'), e('Alpha', 'https://a/f'), e('gamma', 'https://g/f')], T0 + 2)).toMatchObject({ restored: 1, added: 1 });
        expect(await s.feeds.activeSourceNames()).toEqual(['Alpha', 'Beta Eng', 'gamma']);
        expect((await s.feeds.listAllSources()).map((x) => x.name)).toEqual(['Alpha', 'Beta Eng', 'gamma']);
      });

      it('a source carries its company and full-text choice; the digest and the landing page name the company, once', async () => {
        const e = (name: string, url: string, company: string | null = null, fulltext: boolean | null = null) => ({ feedUrl: url, name, siteUrl: null, weight: 1, company, fulltext });
        await s.feeds.syncSourceEntries(
          [e('AWS Architecture Blog', 'https://aws/arch', 'AWS', true), e('AWS Open Source Blog', 'https://aws/oss', 'AWS', false), e('Netflix TechBlog - Medium', 'https://nflx/f', 'Netflix'), e('Plain Blog', 'https://plain/f')],
          T0,
        );
        const byUrl = new Map((await s.feeds.listActiveSources()).map((x) => [x.feedUrl, x]));
        expect(byUrl.get('https://aws/arch')).toMatchObject({ company: 'AWS', fulltext: true });
        expect(byUrl.get('https://aws/oss')).toMatchObject({ company: 'AWS', fulltext: false });
        expect(byUrl.get('https://plain/f')).toMatchObject({ company: null, fulltext: null });
        expect(await s.feeds.activeSourceNames()).toEqual(['AWS', 'Netflix', 'Plain Blog']);
        // A changed company alone is an update (the next issue names the new one).
        expect(await s.feeds.syncSourceEntries([e('AWS Architecture Blog', 'https://aws/arch', 'Amazon Web Services', null), e('AWS Open Source Blog', 'https://aws/oss', 'AWS', false), e('Netflix TechBlog - Medium', 'https://nflx/f', 'Netflix'), e('Plain Blog', 'https://plain/f')], T0 + 1)).toMatchObject({ added: 0, renamed: 0, removed: 0 });
        expect((await s.feeds.listActiveSources()).find((x) => x.feedUrl === 'https://aws/arch')).toMatchObject({ company: 'Amazon Web Services', fulltext: null });
        const health = await s.feeds.listSourcesWithHealth(T0);
        expect(health.find((x) => x.feedUrl === 'https://nflx/f')).toMatchObject({ name: 'Netflix TechBlog - Medium', company: 'Netflix', fulltext: null });
        await s.feeds.saveFetchSuccess(byUrl.get('https://nflx/f')!.id, [article()], { etag: null, lastModified: null, at: T0 });
        await s.feeds.saveFetchSuccess(byUrl.get('https://plain/f')!.id, [article()], { etag: null, lastModified: null, at: T0 });
        expect((await s.issues.unassignedArticles(T0 - DAY, T0)).map((a) => a.sourceName).sort()).toEqual(['Netflix', 'Plain Blog']);
      });

      it('a sync records the digest of the file it read, in its own transaction; a sync without one leaves it', async () => {
        const e = (name: string, url: string, company: string | null = null, fulltext: boolean | null = null) => ({ feedUrl: url, name, siteUrl: null, weight: 1, company, fulltext });
        expect(await s.feeds.sourcesFileDigest()).toBeNull();
        await s.feeds.syncSourceEntries([e('One', 'https://one/f')], T0, 'digest-1');
        expect(await s.feeds.sourcesFileDigest()).toBe('digest-1');
        await s.feeds.syncSourceEntries([e('One', 'https://one/f'), e('Two', 'https://two/f')], T0 + 1, 'digest-2');
        expect(await s.feeds.sourcesFileDigest()).toBe('digest-2');
        await s.feeds.syncSourceEntries([e('One', 'https://one/f')], T0 + 2);
        expect(await s.feeds.sourcesFileDigest()).toBe('digest-2');
      });

      it('a fetch stores new articles once, credits a story found in two feeds to its own site, and tracks health', async () => {
        const own = await source(s, 'Own', 'https://own.example/feed.xml');
        const agg = await source(s, 'Aggregator', 'https://agg.example/feed.xml');
        const shared = 'https://own.example/posts/one';
        expect(await s.feeds.saveFetchSuccess(agg.id, [article({ canonicalUrl: shared, url: shared, guid: 'agg-1' }), article()], { etag: '"e1"', lastModified: null, at: T0 })).toBe(2);
        expect(await s.feeds.saveFetchSuccess(own.id, [article({ canonicalUrl: shared, url: shared, guid: 'own-1' })], { etag: null, lastModified: 'Mon', at: T0 + 1 })).toBe(0);
        expect((await s.feeds.listArticlesOfSource(own.id)).map((a) => [a.canonicalUrl, a.guid])).toEqual([[shared, 'own-1']]);
        expect(await s.feeds.listArticlesOfSource(agg.id)).toHaveLength(1);
        expect(await s.feeds.saveFetchSuccess(agg.id, [article({ canonicalUrl: shared, url: shared, guid: 'agg-1' })], { etag: null, lastModified: null, at: T0 + 2 })).toBe(0);
        expect((await s.feeds.listArticlesOfSource(own.id)).map((a) => a.guid)).toEqual(['own-1']);
        const known = await s.feeds.findKnownKeys(own.id, ['own-1', 'nope'], [shared, 'https://x/none']);
        expect([...known.guids]).toEqual(['own-1']);
        expect([...known.urls]).toEqual([shared]);
        await s.feeds.saveFetchFailure(own.id, 'HTTP 500', T0 + 3, T0 + 60_000);
        await s.feeds.saveFetchFailure(own.id, 'HTTP 500', T0 + 4, T0 + 60_000);
        const health = await s.feeds.listSourcesWithHealth(T0 + 5);
        expect(health.find((h) => h.id === own.id)).toMatchObject({ consecutiveFailures: 2, lastError: 'HTTP 500', articleCount: 1, articlesLast7Days: 1, active: true, retryAfter: T0 + 60_000 });
        expect(health.find((h) => h.id === agg.id)).toMatchObject({ consecutiveFailures: 0, articleCount: 1, lastSuccessAt: T0 + 2 });
        expect((await s.feeds.listDueSources(T0 + 10)).map((x) => x.id)).toEqual([agg.id]);
        expect((await s.feeds.listDueSources(T0 + 60_001)).map((x) => x.id).sort()).toEqual([own.id, agg.id].sort());
        await s.feeds.saveNotModified(own.id, T0 + 6);
        expect((await s.feeds.listAllSources()).find((x) => x.id === own.id)).toMatchObject({ consecutiveFailures: 0, lastError: null, retryAfter: null });
        expect((await s.feeds.listAllSources()).find((x) => x.id === agg.id)).toMatchObject({ etag: null, siteUrl: null });
      });

      it('an article page is tried once: pending until recorded, then the candidates read its full text', async () => {
        const e = (name: string, url: string, fulltext: boolean | null) => ({ feedUrl: url, name, siteUrl: null, weight: 1, company: null, fulltext });
        await s.feeds.syncSourceEntries([e('Teasers', 'https://t/f', null), e('Never', 'https://n/f', false)], T0);
        const byUrl = new Map((await s.feeds.listActiveSources()).map((x) => [x.feedUrl, x]));
        await s.feeds.saveFetchSuccess(byUrl.get('https://t/f')!.id, [article({ contentText: 'a teaser…' }), article({ contentText: 'another teaser…' })], { etag: null, lastModified: null, at: T0 });
        await s.feeds.saveFetchSuccess(byUrl.get('https://n/f')!.id, [article()], { etag: null, lastModified: null, at: T0 });
        const pending = await s.feeds.pendingFullText(T0 - DAY, 10);
        expect(pending).toHaveLength(3);
        expect(pending.find((p) => p.sourceFeedUrl === 'https://n/f')!.sourceFulltext).toBe(false);
        expect(pending.find((p) => p.sourceFeedUrl === 'https://t/f')!).toMatchObject({ sourceFulltext: null, contentText: expect.stringContaining('teaser') });
        expect(await s.feeds.pendingFullText(T0, 10)).toEqual([]);
        const [a, b, c] = [...pending].sort((x, y) => x.id - y.id);
        await s.feeds.saveFullText([
          { id: a!.id, status: 'ok', reason: null, text: 'The whole article text.', at: T0 },
          { id: b!.id, status: 'failed', reason: 'timed out after 15000 ms', text: null, at: T0 },
          { id: c!.id, status: 'skipped', reason: 'the source has fulltext="false"', text: null, at: T0 },
        ]);
        expect(await s.feeds.pendingFullText(T0 - DAY, 10)).toEqual([]);
        // Recorded once: a later result for the same article changes nothing.
        await s.feeds.saveFullText([{ id: b!.id, status: 'ok', reason: null, text: 'late', at: T0 + 1 }]);
        const cands = new Map((await s.issues.unassignedArticles(T0 - DAY, T0)).map((x) => [x.id, x]));
        expect(cands.get(a!.id)).toMatchObject({ contentText: 'The whole article text.', textSource: 'page' });
        expect(cands.get(b!.id)).toMatchObject({ contentText: expect.stringContaining('teaser'), textSource: 'feed' });
      });
    });

    describe('reader preferences', () => {
      it('a pause keeps a reader out of the queue until it ends; text-only comes with the claim; each change is on the history', async () => {
        const [ann, bob] = await confirmed(s, ['ann@example.com', 'bob@example.com']);
        const saved = await s.subscribers.setPreferences(ann!, { pausedUntil: T0 + 7 * DAY, textOnly: true, frequency: 'daily', excludedCompanies: [] }, T0, 'paused for 1 week; text-only mail', { page: '/preferences' });
        expect(saved).toMatchObject({ id: ann, pausedUntil: T0 + 7 * DAY, textOnly: true });
        expect((await s.subscribers.findSubscriberById(bob!))).toMatchObject({ pausedUntil: null, textOnly: false });
        expect((await s.subscribers.listConsentEvents(ann!)).at(-1)).toMatchObject({ type: 'preferences', detail: 'paused for 1 week; text-only mail', page: '/preferences' });
        const one = await draftIssue(s, '2026-11-02');
        expect((await s.deliveries.queueIssue(one.id, T0 + DAY)).queued).toBe(1);
        const two = await draftIssue(s, '2026-11-10');
        expect((await s.deliveries.queueIssue(two.id, T0 + 8 * DAY)).queued).toBe(2);
        const claimed = await s.deliveries.claimBatch(two.id, 'o', 10, T0 + 8 * DAY, T0 + 9 * DAY);
        expect(claimed.find((c) => c.subscriberId === ann)!.textOnly).toBe(true);
        expect(claimed.find((c) => c.subscriberId === bob)!.textOnly).toBeUndefined();
        // An unsubscribed reader has no preferences to save.
        await s.subscribers.unsubscribeSubscriber(bob!, T0, {});
        expect(await s.subscribers.setPreferences(bob!, { pausedUntil: null, textOnly: true, frequency: 'daily', excludedCompanies: [] }, T0, 'x', {})).toBeUndefined();
      });
    });

    describe('editions, reader choices and feedback', () => {
      async function weekOf(n: number) {
        const src = await source(s, 'Weekly Eng');
        await s.feeds.saveFetchSuccess(src.id, Array.from({ length: n }, () => article()), { etag: null, lastModified: null, at: T0 });
        return (await s.issues.unassignedArticles(T0 - DAY, T0)).map((a) => a.id);
      }

      it('a daily and a weekly issue share a date; the weekly takes the dailies’ articles once, never the dailies’ window', async () => {
        const ids = await weekOf(4);
        const mon = await draftIssue(s, '2026-11-02', [ids[0]!, ids[1]!]);
        const tue = await draftIssue(s, '2026-11-03', [ids[2]!, ids[3]!]);
        await s.issues.updateDraftIssue(tue.id, { ...issueEdit(), excludedIds: [ids[3]!], expectedUpdatedAt: tue.updatedAt });
        const week = await s.issues.weekArticles('2026-11-02', '2026-11-08');
        expect(week.map((a) => [a.id, a.issueId, a.issueDate])).toEqual([
          [ids[0], mon.id, '2026-11-02'],
          [ids[1], mon.id, '2026-11-02'],
          [ids[2], tue.id, '2026-11-03'],
        ]);
        expect(week[0]).toMatchObject({ score: 10, parts: { depth: 0 }, sourceName: 'Weekly Eng' });
        const weekly = await s.issues.insertIssue({ ...issueInput('2026-11-09'), edition: 'weekly', articles: week.map((a, i) => ({ articleId: a.id, rank: i + 1, score: a.score, scoreParts: '{}' })) });
        expect('created' in weekly && weekly.created).toMatchObject({ date: '2026-11-09', edition: 'weekly' });
        const w = (weekly as { created: { id: number } }).created;
        // The same date's daily is its own issue; a second weekly cannot take the same articles.
        const daily = await draftIssue(s, '2026-11-09');
        expect(daily.id).not.toBe(w.id);
        expect(await s.issues.getIssueByDate('2026-11-09')).toMatchObject({ id: daily.id, edition: 'daily' });
        expect(await s.issues.getIssueByDate('2026-11-09', 'weekly')).toMatchObject({ id: w.id });
        expect(await s.issues.insertIssue({ ...issueInput('2026-11-09'), edition: 'weekly', articles: [] })).toMatchObject({ exists: { id: w.id } });
        expect(await s.issues.insertIssue({ ...issueInput('2026-11-10'), edition: 'weekly', articles: [{ articleId: ids[0]!, rank: 1, score: 1, scoreParts: '{}' }] })).toEqual({ taken: true });
        // Articles a weekly holds are not offered to the next one; the daily window ignores weeklies.
        expect(await s.issues.weekArticles('2026-11-02', '2026-11-08')).toEqual([]);
        expect(await s.issues.previousCutoff('2026-11-10')).toBe(T0);
        expect((await s.issues.listAllIssues({ limit: 10, offset: 0, edition: 'weekly' })).map((i) => [i.id, i.edition])).toEqual([[w.id, 'weekly']]);
        expect(await s.deliveries.findIssueIdByDate('2026-11-09', 'weekly')).toBe(w.id);
        expect(await s.deliveries.findIssueIdByDate('2026-11-09')).toBe(daily.id);
      });

      it('an issue is queued for the readers of its edition; left-out companies come with the claim', async () => {
        const [ann, bob, cat] = await confirmed(s, ['ann@example.com', 'bob@example.com', 'cat@example.com']);
        await s.subscribers.setPreferences(ann!, { pausedUntil: null, textOnly: false, frequency: 'weekly', excludedCompanies: [] }, T0, 'weekly edition only', {});
        const saved = await s.subscribers.setPreferences(bob!, { pausedUntil: null, textOnly: false, frequency: 'daily', excludedCompanies: ['Netflix', 'AWS'] }, T0, 'leaves out', {});
        expect(saved).toMatchObject({ frequency: 'daily', excludedCompanies: '["Netflix","AWS"]' });
        const daily = await draftIssue(s, '2026-11-02');
        expect((await s.deliveries.queueIssue(daily.id, T0)).queued).toBe(2);
        const weekly = await s.issues.insertIssue({ ...issueInput('2026-11-09'), edition: 'weekly', articles: [] });
        const wid = (weekly as { created: { id: number } }).created.id;
        expect((await s.deliveries.queueIssue(wid, T0)).queued).toBe(1);
        // Cat switches to weekly before her daily copy is claimed: skipped, with the reason.
        await s.subscribers.setPreferences(cat!, { pausedUntil: null, textOnly: false, frequency: 'weekly', excludedCompanies: [] }, T0, 'weekly edition only', {});
        const claimed = await s.deliveries.claimBatch(daily.id, 'o', 10, T0, T0 + 60_000);
        expect(claimed.map((c) => [c.subscriberId, c.excludedCompanies])).toEqual([[bob, ['AWS', 'Netflix']]]);
        const w = await s.deliveries.claimBatch(wid, 'o', 10, T0, T0 + 60_000);
        expect(w.map((c) => c.subscriberId)).toEqual([ann]);
        expect((await s.subscribers.findSubscriberById(cat!))).toMatchObject({ frequency: 'weekly' });
      });

      it('links once per article, one click per reader and kind, votes replaced, feedback summed per article and issue', async () => {
        const ids = await weekOf(2);
        const issue = await draftIssue(s, '2026-11-02', ids);
        const links = await s.feedback.ensureLinks(issue.id, ids.map((id) => ({ articleId: id, url: `https://blog.example/${id}` })));
        const again = await s.feedback.ensureLinks(issue.id, ids.map((id) => ({ articleId: id, url: 'https://elsewhere.example/' })));
        expect([...again.values()]).toEqual([...links.values()]);
        const l = links.get(ids[0]!)!;
        expect(await s.feedback.getLink(l.id)).toEqual({ id: l.id, issueId: issue.id, articleId: ids[0], url: `https://blog.example/${ids[0]}` });
        expect(await s.feedback.getLink(999_999)).toBeNull();
        const click = { linkId: l.id, issueId: issue.id, articleId: ids[0]!, subscriberId: 7, at: T0, machine: false, reason: null };
        expect(await s.feedback.recordClick(click)).toBe(true);
        expect(await s.feedback.recordClick(click)).toBe(false);
        await s.feedback.recordClicks([click, { ...click, subscriberId: 8 }, { ...click, machine: true, reason: 'scanner' }, { ...click, subscriberId: null }, { ...click, subscriberId: null }]);
        await s.feedback.recordVote({ issueId: issue.id, articleId: ids[0]!, subscriberId: 7, value: -1, at: T0 });
        await s.feedback.recordVote({ issueId: issue.id, articleId: ids[0]!, subscriberId: 7, value: 1, at: T0 + 1 });
        await s.feedback.recordVote({ issueId: issue.id, articleId: ids[0]!, subscriberId: null, value: -1, at: T0 });
        const want = { clicks: 4, machine: 1, more: 1, less: 1 };
        expect((await s.feedback.articleFeedback([ids[0]!, ids[1]!])).get(ids[0]!)).toEqual(want);
        expect((await s.feedback.articleFeedback([ids[1]!])).get(ids[1]!)).toEqual({ clicks: 0, machine: 0, more: 0, less: 0 });
        expect((await s.feedback.issueFeedback(issue.id)).get(ids[0]!)).toEqual(want);
        await s.deliveries.queueIssue(issue.id, T0);
        const rows = await s.feedback.feedbackRows(T0 - DAY);
        expect(rows.map((r) => [r.articleId, r.clicks, r.machine, r.more, r.less, r.edition])).toEqual([
          [ids[0], 4, 1, 1, 1, 'daily'],
          [ids[1], 0, 0, 0, 0, 'daily'],
        ]);
      });

      it('a learned weight is set and cleared by the operator, and replaced by a new OPML weight', async () => {
        const src = await source(s, 'Learned Eng');
        expect(await s.feedback.setFeedbackWeight(src.id, 1.3)).toBe(true);
        expect(await s.feedback.setFeedbackWeight(999_999, 1.3)).toBe(false);
        expect((await s.feedback.sourceWeights()).find((x) => x.id === src.id)).toEqual({ id: src.id, name: 'Learned Eng', weight: 1, feedbackWeight: 1.3 });
        await s.feeds.saveFetchSuccess(src.id, [article()], { etag: null, lastModified: null, at: T0 });
        expect((await s.issues.unassignedArticles(T0 - DAY, T0))[0]).toMatchObject({ sourceWeight: 1, feedbackWeight: 1.3 });
        // The same OPML weight keeps it; another one replaces it.
        const entry = { feedUrl: src.feedUrl, name: src.name, siteUrl: null, weight: 1, company: null, fulltext: null };
        await s.feeds.syncSourceEntries([{ ...entry, name: 'Learned Engineering' }], T0);
        expect((await s.feedback.sourceWeights()).find((x) => x.id === src.id)!.feedbackWeight).toBe(1.3);
        await s.feeds.syncSourceEntries([{ ...entry, weight: 0.8 }], T0);
        expect((await s.feedback.sourceWeights()).find((x) => x.id === src.id)).toMatchObject({ weight: 0.8, feedbackWeight: null });
        expect(await s.feedback.setFeedbackWeight(src.id, null)).toBe(true);
        const [a] = await confirmed(s, ['span@example.com']);
        await s.subscribers.unsubscribeSubscriber(a!, T0 + 5, {});
        expect(await s.feedback.subscriberSpans()).toEqual([{ confirmedAt: T0, leftAt: T0 + 5, frequency: 'daily', status: 'unsubscribed' }]);
      });
    });

    describe('bounce and complaint reports', () => {
      /** Queues an issue to everyone confirmed and marks every copy accepted by the relay. */
      async function sentIssue(date: string) {
        const issue = await draftIssue(s, date);
        await s.deliveries.queueIssue(issue.id, T0);
        const rows = await s.deliveries.claimBatch(issue.id, 'o', 10_000, T0 + 1, T0 + 60_000);
        await s.deliveries.markSent('o', rows.map((r) => ({ id: r.id, messageId: `m${r.id}`, response: '250 ok', at: T0 + 2 })));
        return { issue, rows };
      }
      const input = (over: Partial<Parameters<Store['deliveries']['applyReport']>[0]>) => ({
        channel: 'smtp' as const,
        kind: 'hard' as const,
        delivery: null,
        recipient: null,
        status: '5.1.1',
        detail: 'user unknown',
        dedupeKey: `k${Math.random()}`,
        at: T0 + 10,
        softBounceLimit: 2,
        complaintRate: 0.003,
        complaintMinSent: 1000,
        ...over,
      });

      it('a hard bounce bounces at once; the same report twice changes nothing more', async () => {
        const [ann] = await confirmed(s, ['ann@example.com', 'bob@example.com']);
        const { issue, rows } = await sentIssue('2026-11-02');
        const d = (await s.deliveries.findReportedDelivery({ deliveryId: rows.find((r) => r.subscriberId === ann)!.id }))!;
        expect(d).toMatchObject({ issueId: issue.id, subscriberId: ann, email: 'ann@example.com', status: 'sent' });
        expect(await s.deliveries.findReportedDelivery({ issueId: issue.id, subscriberId: ann })).toEqual(d);
        expect(await s.deliveries.latestDeliveryTo('ANN@example.com')).toEqual(d);
        expect(await s.deliveries.applyReport(input({ delivery: d, dedupeKey: 'dsn-1' }))).toEqual({ applied: true, action: 'bounced' });
        expect(await s.deliveries.applyReport(input({ delivery: d, dedupeKey: 'dsn-1' }))).toEqual({ applied: false, action: 'nothing: this report was applied before' });
        expect((await s.subscribers.findSubscriberById(ann!))!.status).toBe('bounced');
        expect((await s.subscribers.listConsentEvents(ann!)).filter((e) => e.type === 'bounce')).toHaveLength(1);
        expect((await s.deliveries.findReportedDelivery({ deliveryId: d.deliveryId }))!.status).toBe('bounced');
        expect((await s.deliveries.reportCounts([issue.id])).get(issue.id)).toEqual({ hard: 1, soft: 0, complaints: 0 });
        expect(await s.deliveries.listReports({ subscriberId: ann })).toEqual([expect.objectContaining({ kind: 'hard', action: 'bounced', status: '5.1.1', issueId: issue.id, channel: 'smtp' })]);
      });

      it('soft bounces count once per issue, bounce after SOFT_BOUNCE_LIMIT issues in a row, and an accepted issue between starts again', async () => {
        const [ann, bob] = await confirmed(s, ['ann@example.com', 'bob@example.com']);
        const one = await sentIssue('2026-11-02');
        const two = await sentIssue('2026-11-03');
        const three = await sentIssue('2026-11-04');
        const of = async (i: { issue: { id: number } }, sub: number) => (await s.deliveries.findReportedDelivery({ issueId: i.issue.id, subscriberId: sub }))!;
        const soft = (d: Awaited<ReturnType<typeof of>>) => input({ kind: 'soft', status: '4.2.2', delivery: d });
        // Bob: issues 1 and 2 soft-bounce in a row (limit 2): bounced.
        expect((await s.deliveries.applyReport(soft(await of(one, bob!)))).action).toBe('counted: 1 of 2 issues in a row');
        expect((await s.deliveries.applyReport(soft(await of(one, bob!)))).action).toBe('nothing: a soft bounce of this issue was counted already');
        expect((await s.deliveries.applyReport(soft(await of(two, bob!)))).action).toBe('bounced: 2 of 2 issues in a row');
        expect((await s.subscribers.findSubscriberById(bob!))!.status).toBe('bounced');
        // Ann: issue 1 soft, issue 2 accepted (no report), issue 3 soft: not in a row.
        await s.deliveries.applyReport(soft(await of(one, ann!)));
        expect((await s.deliveries.applyReport(soft(await of(three, ann!)))).action).toBe('counted: 1 of 2 issues in a row');
        expect((await s.subscribers.findSubscriberById(ann!))!.status).toBe('confirmed');
        expect((await s.subscribers.listConsentEvents(ann!)).filter((e) => e.type === 'soft_bounce')).toHaveLength(2);
      });

      it('a complaint unsubscribes with the reason; past 0.3% of at least 1,000 sent copies the issue pauses', async () => {
        const ids = await confirmed(s, Array.from({ length: 1000 }, (_, i) => `r${i}@example.com`));
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        const rows = await s.deliveries.claimBatch(issue.id, 'o', 10_000, T0 + 1, T0 + 60_000);
        await s.deliveries.markSent('o', rows.map((r) => ({ id: r.id, messageId: `m${r.id}`, response: '250 ok', at: T0 + 2 })));
        for (let i = 0; i < 4; i++) {
          const d = (await s.deliveries.findReportedDelivery({ issueId: issue.id, subscriberId: ids[i]! }))!;
          const out = await s.deliveries.applyReport(input({ kind: 'complaint', status: 'abuse', delivery: d, detail: null }));
          expect(out.action).toBe('unsubscribed: complaint');
          // 3 of 1,000 is 0.3%, not over it: the fourth pauses the issue.
          expect(out.pausedIssue).toBe(i === 3 ? issue.id : undefined);
        }
        expect((await s.subscribers.findSubscriberById(ids[0]!))!.status).toBe('unsubscribed');
        expect((await s.subscribers.listConsentEvents(ids[0]!)).at(-1)).toMatchObject({ type: 'complaint', detail: expect.stringContaining('spam complaint') });
        expect((await s.deliveries.issueState(issue.id))!.pausedReason).toMatch(/^complaints: 4 of 1000 sent copies/);
      });

      it('an unmatched report is kept with its reason and changes nobody; an unsubscribe by mail names its subscriber', async () => {
        const [ann] = await confirmed(s, ['ann@example.com']);
        expect(await s.deliveries.applyReport(input({ kind: 'unmatched', detail: 'a VERP token that does not verify' }))).toEqual({ applied: true, action: 'nothing: names no delivery' });
        expect((await s.subscribers.findSubscriberById(ann!))!.status).toBe('confirmed');
        expect((await s.deliveries.applyReport(input({ kind: 'unsubscribe', subscriberId: ann, status: null }))).action).toBe('unsubscribed: by mail');
        expect((await s.subscribers.findSubscriberById(ann!))!.status).toBe('unsubscribed');
        expect((await s.deliveries.listReports({})).map((r) => r.kind)).toEqual(['unsubscribe', 'unmatched']);
      });
    });

    describe('the language model cache and budget', () => {
      it('keeps the first text per key, and spends a day’s budget atomically, never past its limit', async () => {
        expect(await s.issues.llmCacheGet('k1')).toBeNull();
        await s.issues.llmCachePut({ key: 'k1', kind: 'summary', model: 'm', text: 'first', tokens: 10, createdAt: T0 });
        await s.issues.llmCachePut({ key: 'k1', kind: 'summary', model: 'm', text: 'second', tokens: 10, createdAt: T0 + 1 });
        expect(await s.issues.llmCacheGet('k1')).toEqual({ key: 'k1', kind: 'summary', model: 'm', text: 'first', tokens: 10, createdAt: T0 });
        expect(await s.issues.llmSpend('2026-04-06', 150, 100)).toBe(false);
        expect(await s.issues.llmSpent('2026-04-06')).toBe(0);
        // Ten callers at once asking 30 each of a budget of 100: exactly three get theirs.
        const got = await Promise.all(Array.from({ length: 10 }, () => s.issues.llmSpend('2026-04-06', 30, 100)));
        expect(got.filter(Boolean)).toHaveLength(3);
        expect(await s.issues.llmSpent('2026-04-06')).toBe(90);
        expect(await s.issues.llmSpend('2026-04-06', -40, 100)).toBe(true);
        expect(await s.issues.llmSpent('2026-04-06')).toBe(50);
        expect(await s.issues.llmSpend('2026-04-06', 50, 100)).toBe(true);
        expect(await s.issues.llmSpend('2026-04-06', 1, 100)).toBe(false);
        expect(await s.issues.llmSpent('2026-04-07')).toBe(0);
      });
    });

    describe('jobs and shared counters', () => {
      it('a lease has one holder until it expires or is given up', async () => {
        expect(await s.jobs.acquireLease('daily', 'a', 1000, T0)).toBe(true);
        expect(await s.jobs.acquireLease('daily', 'b', 1000, T0 + 10)).toBe(false);
        expect(await s.jobs.acquireLease('daily', 'a', 1000, T0 + 500)).toBe(true);
        expect(await s.jobs.acquireLease('daily', 'b', 1000, T0 + 1400)).toBe(false);
        expect(await s.jobs.acquireLease('daily', 'b', 1000, T0 + 1501)).toBe(true);
        await s.jobs.releaseLease('daily', 'a');
        expect(await s.jobs.acquireLease('daily', 'c', 1000, T0 + 1600)).toBe(false);
        await s.jobs.releaseLease('daily', 'b');
        const race = await Promise.all(['x', 'y', 'z'].map((o) => s.jobs.acquireLease('daily', o, 1000, T0 + 1700)));
        expect(race.filter(Boolean)).toHaveLength(1);
      });

      it('a date runs once: started once at a time, never again after a final state; skips are recorded once', async () => {
        const starts = await Promise.all([1, 2, 3].map(() => s.jobs.beginJobRun('daily', '2026-11-02', T0)));
        expect(starts.filter((x) => x.started)).toHaveLength(3 - starts.filter((x) => !x.started).length);
        await s.jobs.finishJobRun('daily', '2026-11-02', 'sent', 'queued 3', T0 + 5);
        expect(await s.jobs.beginJobRun('daily', '2026-11-02', T0 + 6)).toMatchObject({ started: false, existing: { status: 'sent', detail: 'queued 3' } });
        expect(await s.jobs.recordSkippedRun('daily', '2026-11-02', 'missed', T0)).toBe(false);
        expect(await s.jobs.recordSkippedRun('daily', '2026-11-01', 'missed', T0)).toBe(true);
        expect((await s.jobs.listJobRuns('daily')).map((r) => [r.date, r.status])).toEqual([
          ['2026-11-02', 'sent'],
          ['2026-11-01', 'skipped'],
        ]);
        expect(await s.jobs.getJobRun('daily', '2026-11-01')).toMatchObject({ status: 'skipped', startedAt: T0, finishedAt: T0 });
        expect(await s.jobs.scheduleStartedAt(T0 + 100)).toBe(T0);
        expect(await s.jobs.scheduleStartedAt(T0 + 200)).toBe(T0);
        expect(await s.jobs.latestIssueDate()).toBeNull();
      });

      it('rate-limit counters count every hit in a window and start again in the next', async () => {
        const hits = await Promise.all(Array.from({ length: 5 }, () => s.jobs.hitRateLimit('signup:192.0.2.1', 60_000, T0)));
        expect([...hits].sort()).toEqual([1, 2, 3, 4, 5]);
        expect(await s.jobs.hitRateLimit('signup:192.0.2.2', 60_000, T0)).toBe(1);
        expect(await s.jobs.hitRateLimit('signup:192.0.2.1', 60_000, T0 + 60_000)).toBe(1);
        expect(await s.jobs.pruneRateLimits(T0 + 60_000 - (T0 % 60_000))).toBe(1);
      });
    });

    describe('the console', () => {
      it('signed-out sessions stay out until they expire; trends and problem deliveries read the ledger', async () => {
        await s.console.revokeSession('sess-1', T0 + 1000, T0);
        await s.console.revokeSession('sess-1', T0 + 1000, T0);
        expect(await s.console.isSessionRevoked('sess-1')).toBe(true);
        await s.console.revokeSession('sess-2', T0 + 5000, T0 + 2000);
        expect(await s.console.isSessionRevoked('sess-1')).toBe(false);
        const [a, b] = await confirmed(s, ['a@example.com', 'b@example.com'], T0 - 2 * DAY);
        await s.subscribers.unsubscribeSubscriber(b!, T0 - DAY / 2, {});
        const trend = await s.console.subscriberTrend(T0, 3);
        expect(trend.points.map((p) => p.confirmed)).toEqual([2, 2, 1]);
        expect(trend).toMatchObject({ joined: 2, left: 1 });
        const issue = await draftIssue(s, '2026-11-02');
        await s.deliveries.queueIssue(issue.id, T0);
        const [row] = await s.deliveries.claimBatch(issue.id, 'me', 1, T0, T0 + 1000);
        await s.deliveries.markFailed(row!.id, 'me', '554 refused', T0 + 1);
        expect(await s.console.problemDeliveries(issue.id)).toEqual([
          { subscriberId: a, email: 'a@example.com', status: 'failed', attempts: 1, uncertain: 0, smtpResponse: null, lastError: '554 refused', updatedAt: T0 + 1 },
        ]);
        expect(await s.console.resendReach(issue.id, { kind: 'failed' })).toBe(1);
        expect(await s.console.resendReach(issue.id, { kind: 'email', email: 'b@example.com' })).toBe(0);
        expect(await s.console.subscriberStateByEmail('b@example.com')).toEqual({ id: b, status: 'unsubscribed' });
        expect((await s.console.subscriberDeliveries(a!)).map((d) => [d.issueId, d.status, d.subject])).toEqual([[issue.id, 'failed', 'Issue 2026-11-02']]);
      });
    });

    it('reports its backend and its health', async () => {
      expect(s.backend).toBe(backend.name === 'sqlite' ? 'sqlite' : 'postgres');
      expect(await s.health()).toEqual({ ok: true });
      expect(s.errorKind(Object.assign(new Error('x'), { code: backend.name === 'sqlite' ? 'SQLITE_BUSY' : '40001' }))).toBe('busy');
    });
  });
}

function issueInput(date: string) {
  return { date, windowStart: T0 - DAY, cutoffAt: T0, subject: 's', preheader: '', html: '', text: '', signalArticleId: null, patternsJson: '[]', digestJson: '{}', now: T0 };
}

function issueEdit() {
  return {
    subject: 'Edited',
    subjectOverride: 'Edited',
    preheader: 'p',
    html: '<p>e</p>',
    text: 'e',
    signalArticleId: null,
    pinnedSignalArticleId: null,
    patternsNote: 'note',
    patternsJson: '[]',
    now: T0 + 1,
  };
}
