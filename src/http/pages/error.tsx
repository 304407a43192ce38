/** @jsxImportSource hono/jsx */
import { Layout } from './layout.js';

const TITLES: Record<number, string> = {
  400: 'That did not work',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Not possible right now',
  413: 'Too much data',
  415: 'Unsupported request',
  429: 'Slow down',
  500: 'Something went wrong',
  503: 'Busy right now',
};

/** The HTML error page: a title, the safe message, a way home. */
export function errorPage(status: number, message: string): string {
  const title = TITLES[status] ?? 'Error';
  return (
    '<!doctype html>' +
    (
      <Layout title={title}>
        <section class="card narrow">
          <p class="eyebrow">Error {status}</p>
          <h1>{title}</h1>
          <p>{message}</p>
          <p>
            <a class="button secondary" href="/">
              Go to the front page
            </a>
          </p>
        </section>
      </Layout>
    ).toString()
  );
}
