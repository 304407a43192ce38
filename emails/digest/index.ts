import type mjml2htmlType from 'mjml';
import { digestMjml, type DigestEmailProps } from './template.js';
import { digestText } from './text.js';

export type { DigestEmailProps, DigestEmailArticle } from './template.js';
export { esc } from './template.js';

/** Compiles the digest email (async: MJML 5) into its HTML and text parts. Throws on invalid MJML. */
export async function renderDigestEmail(p: DigestEmailProps): Promise<{ html: string; text: string }> {
  // Loaded on the first render: processes that never render (a web process, most commands) never pay for MJML.
  const { default: mjml2html } = await import('mjml');
  const out = await mjml2html(digestMjml(p), {
    validationLevel: 'strict',
    // No web-font imports: system fonts only, nothing fetched from a third party when the mail opens.
    fonts: {},
    keepComments: false,
    minify: true,
    minifyOptions: { minifyCss: false, collapseWhitespace: true },
  } as Parameters<typeof mjml2htmlType>[1]);
  if (out.errors?.length) throw new Error(`digest template: ${out.errors.map((e) => e.formattedMessage).join('; ')}`);
  return { html: out.html, text: digestText(p) };
}

/** Sample props for previewing the template without a database. */
export const PreviewProps: DigestEmailProps = {
  newsletterName: 'Engineering @ Scale',
  dateLabel: 'Monday, 6 April 2026',
  preheader: '3 deep dives from Example Blog and Sample Engineering. Patterns: caching, queues.',
  signal: { title: 'How we cache rolling-window queries', url: 'https://example.com/a', sourceName: 'Example Blog', summary: 'A proxy splits query results into time buckets. Only the missing edge is fetched when the window slides.', readingMinutes: 9 },
  deepDives: [
    { title: 'Queues that survive a region failure', url: 'https://example.com/b', sourceName: 'Sample Engineering', summary: 'Messages are replicated before they are acknowledged.', readingMinutes: 6 },
  ],
  patterns: { note: null, themes: [{ label: 'Caching', sentence: 'Caching came up in 2 articles from Example Blog and Sample Engineering.' }] },
  sources: ['Example Blog', 'Sample Engineering'],
  articleCount: 2,
  sourceCount: 2,
  viewInBrowserUrl: 'http://localhost:3000/issues/2026-04-06',
  archiveUrl: 'http://localhost:3000/issues',
  homeUrl: 'http://localhost:3000/',
  unsubscribeUrl: 'http://localhost:3000/unsubscribe/sample',
  postalAddress: '1 Example Street, Sample Town',
};
