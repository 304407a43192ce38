// The optional language model: summaries in the reference issue's shape (problem → approach → result → lesson), the
// signal's "why it matters" and the patterns paragraph, written by any OpenAI-compatible endpoint (LLM_BASE_URL).
// Each text is checked against its articles, cached by input hash + prompt version + model, paid for from a daily
// token budget shared by every instance, and replaced by the extractive text, with the reason logged, whenever
// anything goes wrong. Without LLM_BASE_URL this module is never loaded and nothing leaves the machine.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { llmCacheGet, llmCachePut, llmSpend } from '../issues/repo.js';
import { splitSentences } from '../lib/sentences.js';
import type { ModelTexts, Scored } from './build.js';
import { segmentsText } from './editor.js';
import { ungrounded } from './grounding.js';
import { SUMMARY_LIMITS } from './summary.js';
import type { Digest } from './types.js';

/** Changes whenever a prompt changes, so cached texts of an older prompt are not reused. */
export const PROMPT_VERSION = 'v1';
/** Most characters of an article the model reads. */
const MAX_INPUT_CHARS = 6000;
/** Most tokens the model may answer with. */
const MAX_ANSWER_TOKENS = 400;

type Kind = 'summary' | 'signal' | 'patterns';

/** Why a model text was not used (logged with the article). */
export class Fallback extends Error {
  override name = 'Fallback';
}

const SYSTEM = `You are the editor of a daily digest of engineering blogs. You write plainly, for engineers, in English.
State only facts that are in the material given. Never invent numbers, names or results.
Answer with a JSON object only, no prose around it.`;

function summaryPrompt(title: string, company: string, text: string): string {
  return `Summarise this article for the digest in at most ${SUMMARY_LIMITS.sentences} sentences and ${SUMMARY_LIMITS.chars} characters, in this order:
the problem the team faced, what they built or changed, the measured result (with the article's own numbers), and the lesson for other engineers.
Answer as {"summary": "..."}.

Company: ${company}
Title: ${title}
Article:
${text.slice(0, MAX_INPUT_CHARS)}`;
}

function signalPrompt(title: string, company: string, text: string, context: string): string {
  return `This article is today's Signal of the Day. Write one paragraph of 2 or 3 sentences on why it matters to engineers at other companies.
Answer as {"paragraph": "..."}.

Company: ${company}
Title: ${title}
Article:
${text.slice(0, MAX_INPUT_CHARS)}

Today's other stories:
${context}`;
}

function patternsPrompt(material: string): string {
  return `Write the "Patterns Across Companies" paragraph of today's digest: 2 to 4 sentences, each naming a theme, the companies that wrote about it and their articles' titles.
Answer as {"paragraph": "..."}.

Today's themes and articles:
${material}`;
}

/** The text of a JSON answer's field; Fallback when the answer is not that JSON. */
export function parseAnswer(content: string | null | undefined, field: string): string {
  if (!content) throw new Fallback('the model returned nothing');
  const body = content.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Fallback('the model did not answer with JSON');
  }
  const v = (parsed as Record<string, unknown> | null)?.[field];
  if (typeof v !== 'string' || !v.trim()) throw new Fallback(`the model's JSON has no "${field}" text`);
  return v.replace(/\s+/g, ' ').trim();
}

/** Checks a model text's length and grounding; throws Fallback with the reason. */
export function checkText(kind: Kind, text: string, sources: string): string {
  const sentences = splitSentences(text).length;
  if (kind === 'summary' && (text.length > SUMMARY_LIMITS.chars || sentences > SUMMARY_LIMITS.sentences))
    throw new Fallback(`the summary is too long (${text.length} characters, ${sentences} sentences)`);
  if (kind !== 'summary' && (sentences > 4 || text.length > 1200)) throw new Fallback(`the paragraph is too long (${sentences} sentences)`);
  const bad = ungrounded(text, sources);
  if (bad) throw new Fallback(`grounding check failed: it ${bad}`);
  return text;
}

interface Job {
  kind: Kind;
  /** What the text is about, for the log. */
  label: string;
  prompt: string;
  field: string;
  /** What every number and name must come from. */
  sources: string;
}

/** A counting semaphore: at most n jobs at once. */
function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** Rough token count of a prompt (4 characters a token), for reserving budget before asking. */
const estimateTokens = (s: string) => Math.ceil((SYSTEM.length + s.length) / 4) + MAX_ANSWER_TOKENS;

/**
 * Asks the model for every text of an issue. Each one that passes comes back in ModelTexts; each that fails is
 * logged with its reason and left out, so the extractive text stands.
 */
export async function writeWithModel(ctx: AppContext, digest: Digest, ranked: Scored[]): Promise<{ texts: ModelTexts; used: number; fellBack: number }> {
  const cfg = ctx.config.llm;
  if (!cfg) return { texts: {}, used: 0, fellBack: 0 };
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI({ baseURL: cfg.baseUrl, apiKey: cfg.apiKey, timeout: cfg.timeoutMs, maxRetries: 0 });
  const limit = limiter(cfg.concurrency);
  const byId = new Map(ranked.map((s) => [s.article.id, s.article]));
  const shown = [...(digest.signal ? [digest.signal] : []), ...digest.deepDives];
  const day = new Date(ctx.clock.now()).toISOString().slice(0, 10);
  let used = 0;
  let fellBack = 0;

  const ask = async (job: Job): Promise<string | null> => {
    const key = createHash('sha256').update(`${job.kind}\n${PROMPT_VERSION}\n${cfg.model}\n${job.prompt}`).digest('hex');
    try {
      const cached = await llmCacheGet(ctx, key);
      if (cached) {
        used++;
        return checkText(job.kind, cached.text, job.sources);
      }
      const estimate = estimateTokens(job.prompt);
      if (!(await llmSpend(ctx, day, estimate, cfg.dailyTokenLimit))) throw new Fallback(`the daily token budget (LLM_DAILY_TOKEN_LIMIT=${cfg.dailyTokenLimit}) is spent`);
      const answer = await limit(async () => {
        try {
          return await client.chat.completions.create({
            model: cfg.model,
            messages: [
              { role: 'system', content: SYSTEM },
              { role: 'user', content: job.prompt },
            ],
            max_tokens: MAX_ANSWER_TOKENS,
            temperature: 0.2,
            response_format: { type: 'json_object' },
          });
        } catch (err) {
          await llmSpend(ctx, day, -estimate, cfg.dailyTokenLimit);
          throw describe(err, cfg.timeoutMs);
        }
      });
      const spent = answer.usage?.total_tokens;
      if (spent !== undefined) await llmSpend(ctx, day, spent - estimate, cfg.dailyTokenLimit);
      const text = checkText(job.kind, parseAnswer(answer.choices?.[0]?.message?.content, job.field), job.sources);
      await llmCachePut(ctx, { key, kind: job.kind, model: cfg.model, text, tokens: spent ?? estimate, createdAt: ctx.clock.now() });
      used++;
      return text;
    } catch (err) {
      fellBack++;
      const reason = err instanceof Fallback ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
      ctx.log.warn({ kind: job.kind, about: job.label, reason }, 'language model text not used; the extracted text stands');
      return null;
    }
  };

  const summaries: Record<string, string> = {};
  const jobs: Promise<unknown>[] = shown.map(async (a) => {
    const art = byId.get(a.id);
    if (!art) return;
    const text = art.contentText || art.summary;
    const out = await ask({ kind: 'summary', label: `article ${a.id}`, prompt: summaryPrompt(a.title, a.sourceName, text), field: 'summary', sources: `${a.sourceName} ${a.title} ${text}` });
    if (out) summaries[String(a.id)] = out;
  });
  let signalWhy: string | undefined;
  if (digest.signal) {
    const s = digest.signal;
    const art = byId.get(s.id);
    const text = art ? art.contentText || art.summary : s.summary;
    const context = digest.deepDives
      .slice(0, 8)
      .map((a) => `- ${a.sourceName}: ${a.title}`)
      .join('\n');
    jobs.push(
      ask({ kind: 'signal', label: `signal ${s.id}`, prompt: signalPrompt(s.title, s.sourceName, text, context), field: 'paragraph', sources: `${s.sourceName} ${s.title} ${text}\n${context}` }).then((t) => {
        if (t) signalWhy = t;
      }),
    );
  }
  let patterns: string | undefined;
  if (!digest.patterns.note && digest.patterns.themes.length) {
    const titles = new Map(shown.map((a) => [a.id, a]));
    const material = digest.patterns.themes
      .map((t) => `Theme: ${t.phrase}\n${t.articleIds.map((id) => titles.get(id)).filter(Boolean).map((a) => `- ${a!.sourceName}: ${a!.title}`).join('\n')}`)
      .join('\n\n');
    const sources = `${material}\n${segmentsText(digest.patterns.paragraph)}`;
    jobs.push(
      ask({ kind: 'patterns', label: 'patterns', prompt: patternsPrompt(material), field: 'paragraph', sources }).then((t) => {
        if (t) patterns = t;
      }),
    );
  }
  await Promise.all(jobs);
  return { texts: { summaries, ...(signalWhy ? { signalWhy } : {}), ...(patterns ? { patterns } : {}) }, used, fellBack };
}

/** A client error as a Fallback with a reason an operator can act on. */
function describe(err: unknown, timeoutMs: number): Fallback {
  const e = err as { name?: string; status?: number; message?: string };
  if (e?.name === 'APIConnectionTimeoutError' || /timed? ?out/i.test(e?.message ?? '')) return new Fallback(`the model did not answer within LLM_TIMEOUT_MS (${timeoutMs} ms)`);
  if (e?.status === 429) return new Fallback('the endpoint is rate limiting (HTTP 429)');
  if (typeof e?.status === 'number') return new Fallback(`the endpoint answered HTTP ${e.status}`);
  if (e?.name === 'APIConnectionError') return new Fallback(`cannot reach LLM_BASE_URL (${(e.message ?? '').slice(0, 120)})`);
  return new Fallback(`the request failed: ${(e?.message ?? String(err)).slice(0, 160)}`);
}
