import { wrap } from '../../emails/digest/text.js';

/** Marks where the per-recipient unsubscribe URL goes in a rendered issue; replaced at send time. */
export const UNSUBSCRIBE_PLACEHOLDER = '__NEWSDESK_UNSUBSCRIBE_URL__';
/** Marks where the footer's postal address goes: filled from the configuration when the issue is sent or shown. */
export const POSTAL_PLACEHOLDER = '__NEWSDESK_POSTAL_ADDRESS__';

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

/**
 * Fills the footer's postal address from the configuration of the moment (POSTAL_ADDRESS set after an issue was
 * assembled still reaches its copies); with none, its line goes. Once per issue, not per recipient.
 */
export function withPostalAddress(parts: RenderedParts, address: string | null | undefined): RenderedParts {
  const a = (address ?? '').replace(/\s+/g, ' ').trim();
  return {
    html: parts.html.split(POSTAL_PLACEHOLDER).join(escapeAttr(a)),
    text: a ? parts.text.split(POSTAL_PLACEHOLDER).join(wrap(a)) : parts.text.replace(new RegExp(`^${POSTAL_PLACEHOLDER}\\n?`, 'm'), '').split(POSTAL_PLACEHOLDER).join(''),
  };
}

/** One-off form of createPersonalizer, the postal address filled in as well (previews). */
export function personalize(parts: RenderedParts, vars: { unsubscribeUrl: string; postalAddress?: string | null }): RenderedParts {
  return createPersonalizer(withPostalAddress(parts, vars.postalAddress))(vars);
}
