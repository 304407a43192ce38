/** Marks where the per-recipient unsubscribe URL goes in a rendered issue; replaced at send time. */
export const UNSUBSCRIBE_PLACEHOLDER = '__NEWSDESK_UNSUBSCRIBE_URL__';

export interface RenderedParts {
  html: string;
  text: string;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Prepares a rendered issue for many recipients: splits once, then each call joins the pieces
 * with that recipient's unsubscribe URL. No template engine runs per recipient.
 */
export function createPersonalizer(parts: RenderedParts): (vars: { unsubscribeUrl: string }) => RenderedParts {
  const htmlPieces = parts.html.split(UNSUBSCRIBE_PLACEHOLDER);
  const textPieces = parts.text.split(UNSUBSCRIBE_PLACEHOLDER);
  return ({ unsubscribeUrl }) => ({
    html: htmlPieces.join(escapeAttr(unsubscribeUrl)),
    text: textPieces.join(unsubscribeUrl),
  });
}

/** One-off form of createPersonalizer. */
export function personalize(parts: RenderedParts, vars: { unsubscribeUrl: string }): RenderedParts {
  return createPersonalizer(parts)(vars);
}
