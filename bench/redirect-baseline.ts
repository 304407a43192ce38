// The baseline of bench/redirect.ts: a bare Hono server answering GET /r/:token with a 302 to one fixed URL.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/r/:token', (c) => c.redirect('https://blog.example/an-article', 302));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
