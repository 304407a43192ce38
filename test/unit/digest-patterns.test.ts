import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/digest/build.js';
import { findThemes, listNames } from '../../src/digest/patterns.js';
import { dayTerms } from '../../src/digest/rank.js';
import { extractTerms, singular } from '../../src/digest/text.js';
import { FIXTURE_SOURCES } from '../fixtures/digest-day.js';
import { candidates, fixtureTermHistory } from '../fixtures/digest-candidates.js';

const build = (history = fixtureTermHistory()) =>
  buildDigest({
    date: '2026-04-06',
    newsletterName: 'Engineering @ Scale',
    windowStart: 0,
    cutoffAt: 1,
    articles: candidates(),
    history,
    sources: FIXTURE_SOURCES.map((s) => s.name),
  }).digest;

describe('Patterns Across Companies', () => {
  for (const [name, history] of [
    ['with 30 days of history', fixtureTermHistory()],
    ['with no history at all', { docs: 0, df: {} }],
  ] as const) {
    it(`surfaces the day's real themes ${name}, not filler words`, () => {
      const themes = build(history).patterns.themes;
      const keys = themes.map((t) => t.key);
      expect(themes.length).toBeGreaterThanOrEqual(3);
      expect(themes.length).toBeLessThanOrEqual(5);
      expect(themes.map((t) => t.phrase.toLowerCase())).toEqual(expect.arrayContaining(['context engineering', 'agents', 'kubernetes', 'gateway']));
      for (const bad of ['new', 'using', 'use', 'how', 'not', 'ai', 'data', 'engineering', 'cut']) expect(keys).not.toContain(singular(bad));
      for (const t of themes) {
        expect(t.sources.length).toBeGreaterThanOrEqual(2);
        // One sentence that names every source.
        expect(t.sentence.split(/[.!?](\s|$)/).filter((s) => s && s.trim()).length).toBe(1);
        for (const s of t.sources) expect(t.sentence).toContain(s);
      }
      const ctxEng = themes.find((t) => t.key === 'context engineering')!;
      expect(ctxEng.label).toBe('Context engineering');
      expect([...ctxEng.sources].sort()).toEqual(['ByteByteGo', 'InfoQ', 'Meta Engineering']);
      // Companies are named in the order of their best-ranked story on the theme, not alphabetically.
      const d = build(history);
      const order = [d.signal!, ...d.deepDives].map((a) => a.sourceName);
      const firstAt = (name: string) => order.indexOf(name);
      expect(ctxEng.sources.map(firstAt)).toEqual([...ctxEng.sources.map(firstAt)].sort((x, y) => x - y));
      expect(themes.find((t) => t.phrase.toLowerCase() === 'kubernetes')!.label).toBe('Kubernetes');
    });
  }

  it('folds plurals and case into one key, and only counts terms from two or more sources', () => {
    expect(singular('gateways')).toBe(singular('gateway'));
    expect(singular('policies')).toBe(singular('policy'));
    expect(singular('caches')).toBe(singular('cache'));
    expect(singular('batches')).toBe(singular('batch'));
    expect(singular('status')).toBe('status');
    const a = extractTerms('API Gateways at the edge');
    const b = extractTerms('an api gateway for agents');
    expect([...a.keys()]).toContain('api gateway');
    expect([...b.keys()]).toContain('api gateway');
    const arts = [
      { id: 1, sourceName: 'A' },
      { id: 2, sourceName: 'A' },
      { id: 3, sourceName: 'B' },
    ];
    const terms = { 1: ['solo term', 'shared'], 2: ['solo term'], 3: ['shared'] };
    const themes = findThemes(arts, terms, { shared: 'shared' }, { docs: 0, df: {} });
    expect(themes.map((t) => t.key)).toEqual(['shared']);
  });

  it('weights terms against the last 30 days: a term common in history loses to a new one with the same reach', () => {
    const arts = [
      { id: 1, sourceName: 'A' },
      { id: 2, sourceName: 'B' },
    ];
    const terms = { 1: ['caching', 'queue'], 2: ['caching', 'queue'] };
    const themes = findThemes(arts, terms, {}, { docs: 100, df: { caching: 90, queue: 1 } }, 1);
    expect(themes[0]!.key).toBe('queue');
  });

  it('uses the operator note instead of automatic themes when given', () => {
    const d = buildDigest({
      date: '2026-04-06',
      newsletterName: 'N',
      windowStart: 0,
      cutoffAt: 1,
      articles: candidates(),
      history: { docs: 0, df: {} },
      sources: [],
      overrides: { patternsNote: 'Everyone wrote about agents today.' },
    }).digest;
    expect(d.patterns.note).toBe('Everyone wrote about agents today.');
  });

  it('lists names in prose', () => {
    expect(listNames(['A'])).toBe('A');
    expect(listNames(['A', 'B'])).toBe('A and B');
    expect(listNames(['A', 'B', 'C'])).toBe('A, B and C');
  });

  it('is deterministic', () => {
    expect(JSON.stringify(build())).toBe(JSON.stringify(build()));
    expect(Object.keys(dayTerms(candidates()).byArticle)).toHaveLength(25);
  });
});
