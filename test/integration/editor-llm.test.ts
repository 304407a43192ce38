import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkText, Fallback, parseAnswer, writeWithModel } from '../../src/digest/llm.js';
import { ungrounded } from '../../src/digest/grounding.js';
import { assembleIssue } from '../../src/issues/assemble.js';
import { editIssue } from '../../src/issues/edit.js';
import { getIssue, getIssueArticles } from '../../src/issues/repo.js';
import { loadIssueDigest, storedData, toScored } from '../../src/issues/stored.js';
import { manualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/log.js';
import { REFERENCE_CUTOFF, REFERENCE_DAY, REFERENCE_SOURCES } from '../fixtures/reference-day.js';
import { seedArticle } from '../fixtures/digest-seed.js';
import { makeTestContext, type TestContext } from '../helpers/context.js';
import { FakeLlm, marker, type Behaviour } from '../helpers/fake-llm.js';

// The optional language model against a local OpenAI-compatible server the test starts: what it writes is used
// when it passes the checks, and every failure falls back to the extracted text with its reason logged.

const llm = new FakeLlm();
let ctx: TestContext | undefined;
beforeAll(() => llm.start());
afterAll(() => llm.stop());
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
  llm.requests = [];
});

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (b: Buffer) => {
    for (const l of b.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  return { log: createLogger('info', stream), lines };
}

/** The reference day's articles stored with full text; titles of the first few carry a behaviour marker. */
async function seeded(env: Record<string, string>, behaviours: Behaviour[] = []) {
  const { log, lines } = capture();
  const c = await makeTestContext({ clock: manualClock(REFERENCE_CUTOFF + 60_000), log, env: { DIGEST_CRON: '0 8 * * *', ...env } });
  const company = new Map(REFERENCE_SOURCES.map((s) => [s.slug, s.company]));
  // The substantive stories get the markers, in ranking order, so each marked one is shown.
  REFERENCE_DAY.forEach((a, i) => {
    const b = behaviours[i];
    seedArticle(c, {
      source: company.get(a.source)!,
      title: b && b !== 'ok' ? `${a.title} ${marker(b)}` : a.title,
      contentText: a.body.join('\n\n'),
      summary: a.body[0]!,
      publishedAt: REFERENCE_CUTOFF - a.hoursBefore * 3_600_000,
      url: `https://${a.source}.example/${a.slug}`,
    });
  });
  return { c, lines };
}

const LLM_ENV = (extra: Record<string, string> = {}) => ({ LLM_BASE_URL: llm.base, LLM_MODEL: 'fake-7b', LLM_API_KEY: 'sk-test-key', LLM_TIMEOUT_MS: '400', ...extra });

async function assembled(c: TestContext) {
  const r = await assembleIssue(c, '2026-04-06');
  const row = (await getIssue(c, r.issue!.id))!;
  return { row, digest: (await loadIssueDigest(c, row)).digest };
}

describe('the optional language model', () => {
  it('sends nothing anywhere when LLM_BASE_URL is unset', async () => {
    ({ c: ctx } = await seeded({}));
    const { digest } = await assembled(ctx);
    expect(llm.requests).toHaveLength(0);
    expect([digest.signal!, ...digest.deepDives].every((a) => a.summaryBy === 'extract')).toBe(true);
    expect(digest.signalWhy?.by).toBe('extract');
  });

  it('writes summaries, the signal paragraph and the patterns paragraph; marks them; reuses them from the cache', async () => {
    let lines: Record<string, unknown>[];
    ({ c: ctx, lines } = await seeded(LLM_ENV()));
    const { row, digest } = await assembled(ctx);
    const shown = [digest.signal!, ...digest.deepDives];
    expect(llm.requests.length).toBe(shown.length + 2);
    expect(llm.requests[0]).toMatchObject({ model: 'fake-7b', auth: 'Bearer sk-test-key' });
    expect(shown.every((a) => a.summaryBy === 'model')).toBe(true);
    expect(shown[0]!.summary).toMatch(/^Problem and fix, in short: /);
    expect(digest.signalWhy).toMatchObject({ by: 'model', text: expect.stringMatching(/^Model view: /) });
    expect(digest.patterns.paragraphBy).toBe('model');
    expect(digest.patterns.paragraph.map((s) => s.text).join('')).toMatch(/^Model patterns: /);
    expect(row.html).toContain('Problem and fix, in short:');
    expect(storedData(row).model?.summaries?.[String(shown[0]!.id)]).toBe(shown[0]!.summary);
    expect(lines.find((l) => l.msg === 'language model texts')).toMatchObject({ modelTexts: shown.length + 2, fellBack: 0 });
    // The operator still has the last word over a model-written summary.
    const edited = await editIssue(ctx, row.id, { summaries: { [String(shown[1]!.id)]: 'The operator wrote this.' } });
    const after = (await loadIssueDigest(ctx, edited)).digest;
    expect(after.deepDives.find((a) => a.id === shown[1]!.id)).toMatchObject({ summary: 'The operator wrote this.', summaryBy: 'operator' });
    expect(after.deepDives.find((a) => a.id === shown[2]!.id)!.summaryBy).toBe('model');

    // Cached by content, prompt version and model: asking again for the same issue sends nothing.
    const spent = llm.requests.length;
    const again = await writeWithModel(ctx, digest, toScored(await getIssueArticles(ctx, row.id)));
    expect(llm.requests.length).toBe(spent);
    expect(again.used).toBe(shown.length + 2);
    expect(again.texts.summaries?.[String(shown[0]!.id)]).toBe(shown[0]!.summary);
    const cached = ctx.sqlite.prepare('SELECT count(*) AS n FROM llm_cache').get() as { n: number };
    expect(cached.n).toBe(shown.length + 2);
    const usage = ctx.sqlite.prepare('SELECT tokens FROM llm_usage').pluck().get() as number;
    expect(usage).toBeGreaterThan(0);
  });

  it('falls back to the extracted text, with the reason logged, on every kind of failure', async () => {
    const behaviours: Behaviour[] = ['ok', 'invent', 'hang', '429', '500', 'badjson', 'toolong'];
    let lines: Record<string, unknown>[];
    ({ c: ctx, lines } = await seeded(LLM_ENV(), behaviours));
    const started = Date.now();
    const { digest } = await assembled(ctx);
    // The hung request costs one LLM_TIMEOUT_MS, not the whole assembly.
    expect(Date.now() - started).toBeLessThan(400 + 3000);
    const byMarker = (b: Behaviour) => [digest.signal!, ...digest.deepDives].find((a) => a.title.includes(marker(b)))!;
    for (const b of ['invent', 'hang', '429', '500', 'badjson', 'toolong'] as const) {
      const a = byMarker(b);
      expect(a, b).toBeDefined();
      expect(a.summaryBy, b).toBe('extract');
    }
    expect(digest.signal!.summaryBy).toBe('model');
    const reasons = lines.filter((l) => l.msg === 'language model text not used; the extracted text stands').map((l) => String(l.reason));
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/grounding check failed: it states the number 97/),
        expect.stringMatching(/did not answer within LLM_TIMEOUT_MS \(400 ms\)/),
        'the endpoint is rate limiting (HTTP 429)',
        'the endpoint answered HTTP 500',
        'the model did not answer with JSON',
        expect.stringMatching(/^the summary is too long/),
      ]),
    );
  });

  it('stops asking once the day’s token budget is spent, and says so', async () => {
    let lines: Record<string, unknown>[];
    ({ c: ctx, lines } = await seeded(LLM_ENV({ LLM_DAILY_TOKEN_LIMIT: '3000', LLM_CONCURRENCY: '1' })));
    const { digest } = await assembled(ctx);
    const shown = [digest.signal!, ...digest.deepDives];
    const byModel = shown.filter((a) => a.summaryBy === 'model').length;
    expect(byModel).toBeGreaterThan(0);
    expect(byModel).toBeLessThan(shown.length);
    expect(llm.requests.length).toBeLessThan(shown.length);
    expect(lines.some((l) => String(l.reason).includes('the daily token budget (LLM_DAILY_TOKEN_LIMIT=3000) is spent'))).toBe(true);
    expect(ctx.sqlite.prepare('SELECT tokens FROM llm_usage').pluck().get() as number).toBeLessThanOrEqual(3000 + 1000);
  });
});

describe('the grounding check', () => {
  const source = 'Netflix cut the query load on Apache Druid by 33% and P90 latency by 66%, across 4,100 files.';
  it('accepts numbers and names the article states, in any separators', () => {
    expect(ungrounded('Netflix reduced Druid load by 33% and latency by 66% over 4100 files.', source)).toBeNull();
  });
  it('refuses an invented number or name', () => {
    expect(ungrounded('Netflix cut load by 35%.', source)).toBe('states the number 35, which the articles do not');
    expect(ungrounded('Netflix moved from Druid to ClickHouse.', source)).toBe('names "ClickHouse", which the articles do not');
  });
  it('reads only a JSON answer with the field asked for', () => {
    expect(parseAnswer('```json\n{"summary": "A text."}\n```', 'summary')).toBe('A text.');
    expect(() => parseAnswer('{"text": "A text."}', 'summary')).toThrow(Fallback);
    expect(() => parseAnswer('', 'summary')).toThrow(/returned nothing/);
    expect(() => checkText('summary', 'x. '.repeat(300), 'x')).toThrow(/too long/);
  });
});
