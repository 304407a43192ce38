import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// A local OpenAI-compatible endpoint (POST /v1/chat/completions) that answers like a small model would, and
// misbehaves on request: a marker in the article's title picks the answer. It cannot run a model; it writes
// summaries from the prompt's own sentences, so a well-formed answer is grounded by construction.

export type Behaviour = 'ok' | 'invent' | 'hang' | '429' | '500' | 'badjson' | 'toolong';

/** The marker that makes the fake answer that way, to put in an article title: "[llm:invent]". */
export const marker = (b: Behaviour) => `[llm:${b}]`;

export class FakeLlm {
  server!: http.Server;
  base = '';
  requests: { model: string; prompt: string; auth: string | undefined }[] = [];
  private sockets = new Set<Socket>();

  async start() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"not found"}}');
    }
    const json = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
    const prompt = json.messages.find((m) => m.role === 'user')?.content ?? '';
    this.requests.push({ model: json.model, prompt, auth: req.headers.authorization });
    const title = /^Title: (.*)$/m.exec(prompt)?.[1] ?? '';
    const behaviour = (/\[llm:(\w+)\]/.exec(title)?.[1] ?? 'ok') as Behaviour;
    if (behaviour === 'hang') return; // never answers
    if (behaviour === '429') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
      return res.end('{"error":{"message":"rate limited","type":"rate_limit"}}');
    }
    if (behaviour === '500') {
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"model crashed"}}');
    }
    const article = prompt.split(/\nArticle:\n/)[1]?.split(/\n\nToday's other stories:/)[0] ?? '';
    const sentences = article.split(/(?<=[.!?])\s+/).filter((s) => s.length > 20);
    let content: string;
    if (behaviour === 'badjson') content = 'Sure! Here is a summary of the article you sent.';
    else if (prompt.includes('"summary"')) {
      let summary = `Problem and fix, in short: ${sentences.slice(0, 2).join(' ')}`.trim();
      if (behaviour === 'invent') summary += ' It cut costs by 97% across 12,345 servers.';
      if (behaviour === 'toolong') summary = sentences.concat(sentences, sentences).join(' ');
      content = JSON.stringify({ summary });
    } else if (prompt.includes('Signal of the Day')) {
      content = JSON.stringify({ paragraph: `Model view: ${sentences[0] ?? 'it matters.'}` });
    } else {
      // Patterns: name each theme with the companies listed under it.
      const themes = [...prompt.matchAll(/Theme: (.+)\n((?:- .+\n?)+)/g)].slice(0, 3).map((m) => {
        const companies = [...new Set([...m[2]!.matchAll(/^- ([^:]+):/gm)].map((x) => x[1]!))];
        return `Model patterns: ${companies.join(' and ')} wrote about ${m[1]}.`;
      });
      content = JSON.stringify({ paragraph: themes.join(' ') });
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: json.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: Math.ceil((prompt.length + content.length) / 4) },
      }),
    );
  }
}
