// The baseline of bench/http.ts: a bare Hono server answering each route with the bytes newsdesk sent for it, and
// a one-click POST with a short text, with nothing else between the socket and the response.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const bodies = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, { body: string; type: string; headers: Record<string, string> }>;
const app = new Hono();
for (const [path, { body, type, headers }] of Object.entries(bodies)) app.get(path, (c) => c.body(body, 200, { ...headers, 'Content-Type': type }));
app.post('/unsubscribe', (c) => c.text('Unsubscribed.', 200));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
