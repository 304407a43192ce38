import { render } from '@react-email/render';
import type { ReactElement } from 'react';

/** Renders a React Email element to the HTML and text parts of a mail (render is async). */
export async function renderEmail(element: ReactElement): Promise<{ html: string; text: string }> {
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { html, text };
}
