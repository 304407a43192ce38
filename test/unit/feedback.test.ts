import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machineReason } from '../../src/feedback/machine.js';
import { linkToken, parseTrackedToken, recipientToken } from '../../src/feedback/tokens.js';
import type { WeekArticleRow } from '../../src/issues/store.js';
import { chooseWeekly, readerScores } from '../../src/issues/weekly.js';
import { variantKey, normalizeCompanies, companiesOf } from '../../src/subscribers/companies.js';

const SECRET = 'unit-secret-0123456789abcdefghijklmnop';

describe('tracked-link tokens', () => {
  it('round-trip any link, issue, time and reader; any changed character fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 4e12 }), fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: null }), (link, issue, at, sub) => {
        const t = `${linkToken(SECRET, link)}.${recipientToken(SECRET, { issueId: issue, sentAt: at, subscriberId: sub })}`;
        expect(parseTrackedToken(SECRET, t)).toEqual({ linkId: link, recipient: { issueId: issue, sentAt: Math.floor(at / 1000) * 1000, subscriberId: sub } });
        const i = t.length - 1 - (at % t.length);
        const changed = t.slice(0, i) + (t[i] === 'a' ? 'b' : 'a') + t.slice(i + 1);
        const p = parseTrackedToken(SECRET, changed);
        // Either the whole token is refused (the link part) or the reader part no longer counts.
        expect(p === null || p.recipient === null).toBe(true);
      }),
    );
  });

  it('refuses another secret, a missing MAC and garbage', () => {
    expect(parseTrackedToken(SECRET, linkToken('other-secret-0123456789abcdefghijklmn', 5))).toBeNull();
    expect(parseTrackedToken(SECRET, '5')).toBeNull();
    expect(parseTrackedToken(SECRET, '')).toBeNull();
    expect(parseTrackedToken(SECRET, 'x'.repeat(500))).toBeNull();
    expect(parseTrackedToken(SECRET, `${linkToken(SECRET, 5)}.__NEWSDESK_RECIPIENT__`)).toEqual({ linkId: 5, recipient: null });
  });
});

describe('machine clicks', () => {
  const base = { method: 'GET', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15', purpose: undefined, sentAt: 0, now: 60_000 };
  it.each([
    [{}, null],
    [{ method: 'HEAD' }, 'head'],
    [{ purpose: 'prefetch' }, 'prefetch'],
    [{ purpose: 'preview' }, 'prefetch'],
    [{ userAgent: '' }, 'scanner'],
    [{ userAgent: 'Mozilla/5.0 (compatible; proofpoint-url-defense)' }, 'scanner'],
    [{ userAgent: 'python-requests/2.32' }, 'scanner'],
    [{ userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36' }, 'scanner'],
    [{ now: 4_000 }, 'too-soon'],
    [{ sentAt: null, now: 1 }, null],
  ])('%j → %s', (change, want) => {
    expect(machineReason({ ...base, ...change })).toBe(want);
  });
});

describe('companies left out', () => {
  it('compare without case or spacing, and only the ones with a story in the issue make a copy of its own', () => {
    expect(normalizeCompanies([' Netflix ', 'netflix', 'AWS', 'Meta  Engineering'])).toEqual(['AWS', 'Meta Engineering', 'Netflix']);
    expect(companiesOf('not json')).toEqual([]);
    expect(companiesOf('["b","A",3]')).toEqual(['A', 'b']);
    const inIssue = new Set(['netflix', 'aws']);
    expect(variantKey(['Netflix', 'Nobody'], inIssue)).toBe('netflix');
    expect(variantKey(['AWS', 'netflix'], inIssue)).toBe(variantKey(['Netflix', 'aws'], inIssue));
    expect(variantKey(['Nobody'], inIssue)).toBe('');
  });
});

describe('choosing the weekly stories', () => {
  const row = (id: number, score: number, source: string, o: Partial<WeekArticleRow> = {}): WeekArticleRow => ({
    id,
    sourceId: id,
    sourceName: source,
    sourceWeight: 1,
    title: `Story ${id} about ${source} ${id * 17} things`,
    canonicalUrl: `https://e.example/${id}`,
    summary: `Unique words ${id} ${'abcdefghij'[id % 10]} ${id * 3}`,
    contentText: `Unique words ${id} zq${id} ${id * 7} ms.`,
    textSource: 'feed',
    publishedAt: id,
    firstSeenAt: id,
    rank: 1,
    score,
    parts: { depth: 0.5, specifics: 0.5, novelty: 0.5, coverage: 0, thinFormat: null, thinPenalty: 0, sourceWeight: 1, words: 500, textKnown: true },
    excluded: false,
    issueId: 1,
    issueDate: '2026-04-06',
    ...o,
  });

  it('ranks by stored score, at most ten, at most two of the first five per company, copies kept with their story', () => {
    const rows = [row(1, 0.9, 'A'), row(2, 0.85, 'A'), row(3, 0.8, 'A'), row(4, 0.3, 'B'), ...Array.from({ length: 12 }, (_, i) => row(10 + i, 0.2 - i * 0.01, `C${i}`))];
    rows.push(row(99, 0.95, 'D', { parts: { ...rows[0]!.parts, duplicateOf: 1 } }));
    const chosen = chooseWeekly(rows, new Map());
    const entries = chosen.filter((s) => s.parts.duplicateOf == null);
    expect(entries).toHaveLength(10);
    expect(entries.slice(0, 5).filter((s) => s.article.sourceName === 'A')).toHaveLength(2);
    expect(entries[0]!.article.id).toBe(1);
    expect(chosen.find((s) => s.article.id === 99)!.parts.duplicateOf).toBe(1);
  });

  it('a source’s repost of the same title later in the week is shown once, its best copy', () => {
    const rows = [row(1, 0.9, 'A', { title: 'How we scaled Kafka' }), row(2, 0.95, 'A', { title: 'How we scaled  kafka!' }), row(3, 0.5, 'B')];
    expect(chooseWeekly(rows, new Map()).map((s) => s.article.id)).toEqual([2, 3]);
  });

  it('readers’ clicks and votes lift a story; with no feedback nothing moves', () => {
    const rows = [row(1, 0.6, 'A'), row(2, 0.5, 'B'), row(3, 0.4, 'C')];
    expect(readerScores(new Map([[1, { clicks: 0, machine: 50, more: 0, less: 0 }]])).size).toBe(0);
    const readers = readerScores(
      new Map([
        [1, { clicks: 0, machine: 9, more: 0, less: 3 }],
        [3, { clicks: 40, machine: 0, more: 5, less: 0 }],
      ]),
    );
    expect(readers.get(3)).toBe(1);
    expect(readers.get(1)).toBeLessThan(0);
    const chosen = chooseWeekly(rows, readers);
    expect(chosen.map((s) => s.article.id)).toEqual([3, 1, 2]);
    expect(chosen[0]!.parts.readers).toBe(1);
    // "Less like this" lowered story 1 (0.6 before).
    expect(chosen[1]!.score).toBeLessThan(0.6);
    expect(chosen[1]!.parts.readers).toBeLessThan(0);
    expect(chooseWeekly(rows, new Map()).map((s) => s.article.id)).toEqual([1, 2, 3]);
  });
});
