import http from 'node:http';
import { LocalHost } from './server.js';
import { REFERENCE_DAY, REFERENCE_SOURCES, REFERENCE_CUTOFF, teaserOf, type ReferenceArticle } from '../fixtures/reference-day.js';

// A local web host for the reference day: one RSS feed per source carrying teasers only, and each article's page
// with the clutter of a real blog (cookie banner, navigation, related posts, footer). Plus pages that misbehave.

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A blog page around an article's paragraphs. */
export function articlePage(title: string, paragraphs: string[], extra = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>
<div id="cookie-consent" class="banner">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<header><nav><a href="/">Home</a> · <a href="/blog">Blog</a> · <a href="/careers">Careers</a></nav></header>
<main><article><h1>${esc(title)}</h1><p class="byline">By the engineering team</p>
${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}${extra}
</article></main>
<aside><h3>Related posts</h3><ul><li><a href="/older">An older post</a></li><li><a href="/oldest">The oldest post</a></li></ul></aside>
<footer><p>Subscribe to our newsletter.</p><p>© 2026 Example</p></footer></body></html>`;
}

export interface ExtraItem {
  source: string;
  slug: string;
  title: string;
  /** The feed's text for the item (a teaser unless long). */
  feedText: string;
}

/** The misbehaving pages, by path under /bad/. */
export type BadPage = 'hang' | 'huge' | 'pdf' | 'login' | 'cookies' | 'empty' | 'hostile' | 'slow';

export class ReferenceHost extends LocalHost {
  hits: Record<string, number> = {};
  /** Most page requests in progress at once, per source prefix. */
  maxConcurrent: Record<string, number> = {};
  private active: Record<string, number> = {};
  extra: ExtraItem[] = [];


  url(source: string, slug: string) {
    return `${this.base}/${source}/${slug}`;
  }

  /** The sources file: each feed with its company, and any extra attributes per source slug. */
  opml(attrs: Record<string, string> = {}, sources = REFERENCE_SOURCES.map((s) => s.slug)) {
    const lines = sources.map((slug) => {
      const s = REFERENCE_SOURCES.find((x) => x.slug === slug) ?? { feedTitle: slug, company: slug, slug };
      return `<outline type="rss" text="${esc(s.feedTitle)}" xmlUrl="${this.base}/feeds/${slug}.xml" company="${esc(s.company)}" ${attrs[slug] ?? ''}/>`;
    });
    return `<?xml version="1.0"?><opml version="2.0"><head><title>Reference day</title></head><body>${lines.join('\n')}</body></opml>`;
  }

  private feed(slug: string): string {
    const s = REFERENCE_SOURCES.find((x) => x.slug === slug);
    const items = [
      ...REFERENCE_DAY.filter((a) => a.source === slug).map((a: ReferenceArticle) => ({ title: a.title, link: this.url(slug, a.slug), text: teaserOf(a), at: REFERENCE_CUTOFF - a.hoursBefore * 3_600_000 })),
      ...this.extra.filter((x) => x.source === slug).map((x, i) => ({ title: x.title, link: this.url(slug, x.slug), text: x.feedText, at: REFERENCE_CUTOFF - (i + 1) * 600_000 })),
    ];
    return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${esc(s?.feedTitle ?? slug)}</title><link>${this.base}/${slug}/</link><description>Fixture</description>
${items.map((i) => `<item><title>${esc(i.title)}</title><link>${i.link}</link><guid>${i.link}</guid><pubDate>${new Date(i.at).toUTCString()}</pubDate><description>${esc(i.text)}</description></item>`).join('\n')}
</channel></rss>`;
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = (req.url ?? '/').split('?')[0]!;
    this.hits[path] = (this.hits[path] ?? 0) + 1;
    const feed = /^\/feeds\/([\w-]+)\.xml$/.exec(path);
    if (feed) {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      return res.end(this.feed(feed[1]!));
    }
    const prefix = path.split('/')[1] ?? '';
    this.active[prefix] = (this.active[prefix] ?? 0) + 1;
    this.maxConcurrent[prefix] = Math.max(this.maxConcurrent[prefix] ?? 0, this.active[prefix]!);
    res.on('close', () => this.active[prefix]!--);
    if (prefix === 'bad') return this.bad(path.slice(5) as BadPage, res);
    if (prefix === 'slow') await new Promise((r) => setTimeout(r, 150));
    const a = REFERENCE_DAY.find((x) => path === `/${x.source}/${x.slug}`);
    const x = this.extra.find((e) => path === `/${e.source}/${e.slug}`);
    if (!a && !x) {
      res.writeHead(404, { 'content-type': 'text/html' });
      return res.end('<h1>Not found</h1>');
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(a ? articlePage(a.title, a.body) : articlePage(x!.title, longBody(x!.title)));
  }

  private bad(kind: BadPage, res: http.ServerResponse) {
    const html = (body: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    switch (kind) {
      case 'hang':
        return; // never answers
      case 'huge': {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
          if (sent < 64 * 1024 * 1024) res.once('drain', pump);
          else res.end();
        };
        res.on('close', () => (sent = Infinity));
        return pump();
      }
      case 'pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' });
        return res.end('%PDF-1.7 ...');
      case 'login':
        return html('<!doctype html><html><body><header><nav><a href="/">Home</a></nav></header><main><h1>Members only</h1><p>Please sign in to continue reading this article.</p><form><input name="user"><input name="password" type="password"><button>Sign in</button></form></main></body></html>');
      case 'cookies':
        return html('<!doctype html><html><body><div class="consent"><h2>Your privacy</h2><p>We use cookies to personalise content and ads. Accept all cookies to continue to the site, or manage your choices.</p><button>Accept all cookies</button></div></body></html>');
      case 'empty':
        return html('<!doctype html><html><body><div id="app"></div><script src="/bundle.js"></script></body></html>');
      case 'hostile':
        return html(
          articlePage('Hostile', longBody('Hostile'), '<script>document.title="pwned"</script><img src="x" onerror="alert(1)"><a href="javascript:alert(1)">click</a><iframe src="https://evil.example/"></iframe>'),
        );
      case 'slow':
        setTimeout(() => html(articlePage('Slow', longBody('Slow'))), 150);
        return;
    }
  }
}

/** A body of about 200 words for pages made up in a test. */
export function longBody(topic: string): string[] {
  return Array.from(
    { length: 6 },
    (_, i) =>
      `Part ${i + 1} of the ${topic} write-up explains how the team measured the queue, which took ${i * 7 + 12} ms at the 99th percentile before the change and far less after it, and why the old design could not keep up with the traffic of a busy evening.`,
  );
}
