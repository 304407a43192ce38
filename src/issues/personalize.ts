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

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Words wrapped at 72 columns, as the rest of the text part. */
function wrap72(s: string): string {
  const lines: string[] = [];
  let line = '';
  for (const w of s.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + w.length > 72) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/**
 * Fills the footer's postal address from the configuration of the moment (POSTAL_ADDRESS set after an issue was
 * assembled still reaches its copies); with none, its line goes. Once per issue, not per recipient.
 */
export function withPostalAddress(parts: RenderedParts, address: string | null | undefined): RenderedParts {
  const a = (address ?? '').replace(/\s+/g, ' ').trim();
  return {
    html: parts.html.split(POSTAL_PLACEHOLDER).join(escapeText(a)),
    text: a ? parts.text.split(POSTAL_PLACEHOLDER).join(wrap72(a)) : parts.text.replace(new RegExp(`^${POSTAL_PLACEHOLDER}\\n?`, 'm'), '').split(POSTAL_PLACEHOLDER).join(''),
  };
}

/** One-off form of createPersonalizer, the postal address filled in as well (previews). */
export function personalize(parts: RenderedParts, vars: { unsubscribeUrl: string; postalAddress?: string | null }): RenderedParts {
  return createPersonalizer(withPostalAddress(parts, vars.postalAddress))(vars);
}
