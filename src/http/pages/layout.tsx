/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { brandInitials } from './brand.js';

export interface LayoutProps {
  title: string;
  siteName?: string;
  description?: string;
  /** Extra tags for <head>: Open Graph, feed autodiscovery. */
  head?: Child;
  children?: Child;
  /** Admin pages get their own stylesheet and navigation. */
  variant?: 'public' | 'admin';
}

/** The page shell every public page uses: one stylesheet, no scripts, no third-party resources. */
export function Layout(p: LayoutProps) {
  const site = p.siteName ?? 'Engineering @ Scale';
  const fullTitle = p.title === site ? site : `${p.title} · ${site}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{fullTitle}</title>
        {p.description ? <meta name="description" content={p.description} /> : null}
        <link rel="stylesheet" href="/assets/site.css" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        {p.head}
      </head>
      <body class={p.variant === 'admin' ? 'admin' : 'public'}>
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">
                {brandInitials(site)}
              </span>
              <span>{site}</span>
            </a>
            <nav aria-label="Main">
              <a href="/issues">Archive</a>
              <a href="/#subscribe">Subscribe</a>
            </nav>
          </div>
        </header>
        <main class="wrap">{p.children}</main>
        <footer class="site-footer">
          <div class="wrap">
            <p>
              {site} · a daily digest of engineering writing · <a href="/issues">Archive</a> ·{' '}
              <a href="/issues/feed.xml">Feed</a>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}
