/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { brandInitials } from '../pages/brand.js';

/** Which console section a page belongs to (highlighted in the navigation). */
export type Section = 'today' | 'issues' | 'subscribers' | 'readers' | 'sources' | 'outbox' | 'deliverability';

/** What every signed-in page knows about the request. */
export interface PageCtx {
  siteName: string;
  csrf: string;
  showOutbox: boolean;
  tz: string;
  now: number;
}

/** A one-line message shown at the top of a page after an action. */
export interface Flash {
  kind: 'ok' | 'error' | 'warn';
  text: string;
}

function Head(p: { title: string; siteName: string }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="robots" content="noindex, nofollow" />
      <title>{`${p.title} · ${p.siteName} console`}</title>
      <link rel="stylesheet" href="/admin/assets/console.css" />
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      <script src="/admin/assets/console.js" defer></script>
    </head>
  );
}

const NAV: { key: Section; href: string; label: string }[] = [
  { key: 'today', href: '/admin', label: 'Today' },
  { key: 'issues', href: '/admin/issues', label: 'Issues' },
  { key: 'subscribers', href: '/admin/subscribers', label: 'Subscribers' },
  { key: 'readers', href: '/admin/readers', label: 'Readers' },
  { key: 'sources', href: '/admin/sources', label: 'Sources' },
  { key: 'deliverability', href: '/admin/deliverability', label: 'Deliverability' },
  { key: 'outbox', href: '/admin/outbox', label: 'Outbox' },
];

/** A hidden CSRF field for every state-changing form. */
export function Csrf(p: { token: string }) {
  return <input type="hidden" name="_csrf" value={p.token} />;
}

/** The shell of every signed-in console page: navigation, sign-out, flash message. */
export function ConsoleLayout(p: { title: string; section: Section; page: PageCtx; flash?: Flash | null; children?: Child }) {
  return (
    <html lang="en">
      <Head title={p.title} siteName={p.page.siteName} />
      <body>
        <header class="top">
          <div class="wrap">
            <a class="brand" href="/admin">
              <span class="brand-mark" aria-hidden="true">
                {brandInitials(p.page.siteName)}
              </span>
              <span>
                {p.page.siteName} <small>console</small>
              </span>
            </a>
            <nav class="nav" aria-label="Console">
              {NAV.filter((n) => n.key !== 'outbox' || p.page.showOutbox).map((n) => (
                <a href={n.href} aria-current={n.key === p.section ? 'page' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
            <form class="signout" method="post" action="/admin/logout">
              <Csrf token={p.page.csrf} />
              <button type="submit">Sign out</button>
            </form>
          </div>
        </header>
        <main class="wrap">
          {p.flash ? (
            <div class={`notice ${p.flash.kind}`} role="status">
              {p.flash.text}
            </div>
          ) : null}
          {p.children}
        </main>
      </body>
    </html>
  );
}

/** The sign-in page: one field, no navigation. */
export function SignInPage(p: { siteName: string; next: string; error?: string; status?: string }) {
  return (
    <html lang="en">
      <Head title="Sign in" siteName={p.siteName} />
      <body>
        <main class="wrap">
          <div class="signin">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">
                {brandInitials(p.siteName)}
              </span>
              <span>
                {p.siteName} <small>console</small>
              </span>
            </a>
            <section class="card">
              <h1>Sign in</h1>
              <p class="muted small">
                Use the admin token: the <span class="mono">ADMIN_TOKEN</span> variable, or the file{' '}
                <span class="mono">data/admin.token</span> printed at first start.
              </p>
              {p.status ? (
                <div class="notice ok" role="status">
                  {p.status}
                </div>
              ) : null}
              {p.error ? (
                <div class="notice error" role="alert">
                  {p.error}
                </div>
              ) : null}
              <form method="post" action="/admin/login">
                <input type="hidden" name="next" value={p.next} />
                <div class="field">
                  <label for="token">Admin token</label>
                  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
                </div>
                <button type="submit">Sign in</button>
              </form>
            </section>
          </div>
        </main>
      </body>
    </html>
  );
}

/** A console error page in the console's look (signed-in or not, it shows no navigation). */
export function ConsoleErrorPage(p: { siteName: string; status: number; title: string; message: string }) {
  return (
    <html lang="en">
      <Head title={p.title} siteName={p.siteName} />
      <body>
        <main class="wrap">
          <div class="signin">
            <section class="card">
              <p class="kicker">Error {p.status}</p>
              <h1>{p.title}</h1>
              <p>{p.message}</p>
              <div class="actions">
                <a class="button secondary" href="/admin">
                  Back to the console
                </a>
              </div>
            </section>
          </div>
        </main>
      </body>
    </html>
  );
}

/** An empty state that says what to do next. */
export function Empty(p: { title: string; children?: Child; next?: { href: string; label: string } }) {
  return (
    <div class="empty">
      <h3>{p.title}</h3>
      {p.children}
      {p.next ? (
        <div class="actions">
          <a class="button secondary" href={p.next.href}>
            {p.next.label}
          </a>
        </div>
      ) : null}
    </div>
  );
}

/** Renders a JSX page to a complete HTML document string. */
export function doc(node: unknown): string {
  return '<!doctype html>' + String(node);
}
