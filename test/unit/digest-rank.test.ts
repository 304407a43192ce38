import { describe, expect, it } from 'vitest';
import { buildDigest, composeDigest, makeSubject, MAX_SUBJECT } from '../../src/digest/build.js';
import { dayTerms, DIVERSITY, limitPerCompany, rankArticles, RANK_WEIGHTS } from '../../src/digest/rank.js';
import { safeHttpUrl } from '../../src/feeds/canonical.js';
import { clampSentences, cleanTitle } from '../../src/digest/text.js';
import { candidates, fixtureTermHistory } from '../fixtures/digest-candidates.js';

const history = fixtureTermHistory();
const input = (over: Partial<Parameters<typeof buildDigest>[0]> = {}) => ({
  date: '2026-04-06',
  newsletterName: 'Engineering @ Scale',
  windowStart: 0,
  cutoffAt: 1,
  articles: candidates(),
  history,
  sources: ['A', 'B'],
  ...over,
});

describe('ranking', () => {
  it('is deterministic, whatever order the articles arrive in', () => {
    const arts = candidates();
    const a = rankArticles(arts, dayTerms(arts).byArticle, history).map((r) => r.article.id);
    const rev = [...arts].reverse();
    const b = rankArticles(rev, dayTerms(rev).byArticle, history).map((r) => r.article.id);
    expect(b).toEqual(a);
  });

  it('explains every score by its stored parts', () => {
    const arts = candidates();
    for (const r of rankArticles(arts, dayTerms(arts).byArticle, history)) {
      const { depth, specifics, novelty, coverage, thinPenalty, sourceWeight } = r.parts;
      for (const v of [depth, specifics, novelty, coverage]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(depth).toBeGreaterThan(0);
      expect(thinPenalty).toBe(r.parts.thinFormat ? RANK_WEIGHTS.thinPenalty : 0);
      const w = RANK_WEIGHTS;
      expect(r.score).toBeCloseTo(sourceWeight * (w.depth * depth + w.specifics * specifics + w.novelty * novelty + w.coverage * coverage) - thinPenalty, 3);
    }
  });

  it('puts articles on the day’s shared themes above one-off topics of the same length', () => {
    const arts = candidates();
    const order = rankArticles(arts, dayTerms(arts).byArticle, history).map((r) => r.article.title);
    const agents = order.indexOf('Teaching coding agents our undocumented pipeline conventions');
    const flags = order.indexOf('Using feature flags to ship lessons faster');
    expect(agents).toBeLessThan(flags);
    expect(agents).toBeLessThan(3);
  });

  it('gives one company at most 2 of the first 5 places; the story over the cap keeps its order after them', () => {
    const arts = candidates();
    const plain = rankArticles(arts, dayTerms(arts).byArticle, history);
    // Every article of the three best becomes the same company's, and that company's weight makes them lead.
    const lead = new Set(plain.slice(0, 3).map((r) => r.article.sourceName));
    const one = arts.map((a) => (lead.has(a.sourceName) ? { ...a, sourceName: 'AWS', sourceWeight: 3 } : a));
    const ranked = rankArticles(one, dayTerms(one).byArticle, history);
    const top = ranked.slice(0, DIVERSITY.top);
    expect(top.filter((r) => r.article.sourceName === 'AWS')).toHaveLength(DIVERSITY.perCompany);
    const aws = ranked.filter((r) => r.article.sourceName === 'AWS');
    expect(aws.length).toBeGreaterThan(DIVERSITY.perCompany);
    // The third AWS story comes right after the first five, and the AWS stories keep their own order.
    expect(ranked.indexOf(aws[2]!)).toBe(DIVERSITY.top);
    expect(aws.map((r) => r.score)).toEqual([...aws.map((r) => r.score)].sort((x, y) => y - x));
    expect(new Set(ranked.map((r) => r.article.id)).size).toBe(one.length);
  });

  it('fills the first places from the waiting stories when too few companies wrote that day', () => {
    const r = (id: number, sourceName: string) => ({ article: { id, sourceName } });
    const list = [r(1, 'A'), r(2, 'A'), r(3, 'A'), r(4, 'B'), r(5, 'A'), r(6, 'A'), r(7, 'C')];
    expect(limitPerCompany(list, 5, 2).map((x) => x.article.id)).toEqual([1, 2, 4, 7, 3, 5, 6]);
    expect(limitPerCompany([r(1, 'A'), r(2, 'A'), r(3, 'A')], 5, 2).map((x) => x.article.id)).toEqual([1, 2, 3]);
  });

  it('lets the source weight from the OPML move an article', () => {
    const arts = candidates();
    const top = rankArticles(arts, dayTerms(arts).byArticle, history)[0]!.article;
    const demoted = arts.map((a) => (a.sourceName === top.sourceName ? { ...a, sourceWeight: 0.2 } : a));
    expect(rankArticles(demoted, dayTerms(demoted).byArticle, history)[0]!.article.id).not.toBe(top.id);
  });
});

describe('signal, subject and preheader', () => {
  it('takes the top-ranked article as the signal and ranks the rest as deep dives', () => {
    const { digest, ranked } = buildDigest(input());
    expect(digest.signal!.id).toBe(ranked[0]!.article.id);
    expect(digest.deepDives.map((d) => d.id)).toEqual(ranked.slice(1).map((r) => r.article.id));
    expect(digest.deepDives.map((d) => d.rank)).toEqual(digest.deepDives.map((_, i) => i + 1));
  });

  it('takes the operator’s pin over the ranking, and drops excluded articles', () => {
    const { ranked } = buildDigest(input());
    const pin = ranked[7]!.article.id;
    const out = ranked[1]!.article.id;
    const { digest } = composeDigest({ ...input(), ranked, overrides: { pinnedSignalId: pin, excludedIds: [out] } });
    expect(digest.signal!.id).toBe(pin);
    expect(digest.deepDives.map((d) => d.id)).not.toContain(out);
    expect(digest.deepDives.map((d) => d.id)).not.toContain(pin);
    expect(digest.deepDives).toHaveLength(ranked.length - 2);
    expect(digest.subject).toContain(cleanTitle(ranked[7]!.article.title).slice(0, 20));
  });

  it('writes a subject that leads with the signal’s title (not the name the From shows), then the date; under 100 characters and header-safe', () => {
    const { digest } = buildDigest(input());
    expect(digest.subject.startsWith(digest.signal!.title.slice(0, 30))).toBe(true);
    expect(digest.subject).toMatch(/ · 6 Apr$/);
    expect(digest.subject).not.toContain('Engineering @ Scale');
    expect(digest.subject.length).toBeLessThan(100);
    const long = makeSubject('Engineering @ Scale', '2026-04-06', 'A\r\nBcc: x@evil.test ' + 'very long words '.repeat(20) + '\u202e');
    expect(long.length).toBeLessThanOrEqual(MAX_SUBJECT);
    expect(long).not.toMatch(/[\r\n\u202e]/);
    expect(long).toMatch(/… · 6 Apr$/);
    expect(makeSubject('Engineering @ Scale', '2026-04-06', null)).toBe('Engineering @ Scale — 6 Apr 2026');
  });

  it('summarises the issue in the preheader', () => {
    const { digest } = buildDigest(input());
    expect(digest.preheader).toMatch(/^24 deep dives from /);
    expect(digest.preheader).toContain('Patterns: ');
    expect(digest.preheader.length).toBeLessThanOrEqual(140);
  });

  it('keeps summaries to five sentences, without markup, and only http(s) links', () => {
    expect(clampSentences('We built a cache. It was fast! Was it cheap? Yes it was. Then we left. Six sentences now. Seven here.')).toBe(
      'We built a cache. It was fast! Was it cheap? Yes it was. Then we left.',
    );
    // Text from the feed layer stays text: nothing that looks like markup is stripped (the renderer escapes it).
    expect(clampSentences('Why <dialog> beats modals. Second.\r\nThird.', 2)).toBe('Why <dialog> beats modals. Second.');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,hi')).toBeNull();
    expect(safeHttpUrl('/relative')).toBeNull();
    expect(safeHttpUrl('https://ok.example/a')).toBe('https://ok.example/a');
    expect(cleanTitle('Hi\u202e there\u200b <b>bold</b>\r\nline')).toBe('Hi there <b>bold</b> line');
  });

  it('makes no digest signal from an empty list', () => {
    const { digest } = buildDigest(input({ articles: [] }));
    expect(digest.signal).toBeNull();
    expect(digest.deepDives).toEqual([]);
  });
});
