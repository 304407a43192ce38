// The newsletter's mark: its initials, the same on the site, in the console and as the favicon.

/** Up to two initials from the newsletter's name ("Engineering @ Scale" → "ES"). */
export function brandInitials(name: string): string {
  const words = name.split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w));
  const letters = words.map((w) => (w.match(/[\p{L}\p{N}]/u)?.[0] ?? '').toUpperCase());
  return (letters.length >= 2 ? letters[0]! + letters[letters.length - 1]! : (words[0] ?? 'N').slice(0, 2).toUpperCase()) || 'N';
}

const escXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The favicon: the initials on the accent colour, as SVG (served for /favicon.svg and /favicon.ico alike). */
export function faviconSvg(name: string): string {
  const t = escXml(brandInitials(name));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#2447d6"/><text x="32" y="42" font-family="-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif" font-size="28" font-weight="800" text-anchor="middle" fill="#ffffff">${t}</text></svg>`;
}
