// Canonical article URLs: the dedupe key across feeds (the same blog can be followed under two names).

/** Query parameters that only track the click, never select the content. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'igshid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', '_hsenc', '_hsmi', '__hstc', '__hssc', '__hsfp', 'hsctatracking', 'mkt_tok', 'oly_anon_id', 'oly_enc_id',
  'vero_conv', 'vero_id', 'wickedid', 'rb_clickid', 's_cid', 'sc_cid', 'spm', 'cmpid', '_ga', '_gl', 'ref', 'ref_src', 'ref_url',
  'ncid', 'sr_share', 'trk', 'trkcampaign', 'at_medium', 'at_campaign', 'at_custom1',
]);

/** `source=` is tracking when its value names a feed or a share channel (Medium's `source=rss----…`), not when it selects content. */
const TRACKING_SOURCE_VALUE = /^(rss|atom|feed|newsletter|email|twitter|facebook|linkedin|social|share|post_page|collection_home|user_profile)/i;

// URLs the WHATWG parser would hand back unchanged, recognised without parsing (most feed links are one of them):
// a lowercase scheme and host (not an IP address, no port, no punycode), then a path, query and fragment made
// only of characters the parser copies as they are, with no dot segments to resolve.
const PLAIN_REST = /^(?!.*(?:\/\.|%2e))\/(?![/\\])[A-Za-z0-9\-._~!$&()*+,;=:@%/?#]*$/i;
const PLAIN_ORIGIN = /^https?:\/\/(?!xn--)[a-z0-9-]+(?:\.(?!xn--)[a-z0-9-]+)*(?<=(?:^|[/.])[a-z][a-z0-9-]*)(?=\/)/;

// The origin of the last base seen, for resolving path-absolute links (/a/b) without a parse: null when the
// base is not plain http(s) (user info, another scheme), so the parser decides.
let lastBase = '';
let lastBaseOrigin: string | null = null;
function baseOrigin(base: string): string | null {
  if (base !== lastBase) {
    lastBase = base;
    try {
      const u = new URL(base);
      lastBaseOrigin = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname && !u.username && !u.password ? `${u.protocol}//${u.host}` : null;
    } catch {
      lastBaseOrigin = null;
    }
  }
  return lastBaseOrigin;
}

/** An absolute http(s) URL from a feed value resolved against a base, or null (javascript:, data:, mailto:, garbage). */
export function safeHttpUrl(raw: string | null | undefined, base?: string | null): string | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  if (!trimmed) return null;
  const c = trimmed.charCodeAt(0);
  if (c === 104 /* h */) {
    const origin = PLAIN_ORIGIN.exec(trimmed);
    if (origin && PLAIN_REST.test(trimmed.slice(origin[0].length))) return trimmed;
  } else if (c === 47 /* / */ && base && PLAIN_REST.test(trimmed)) {
    const origin = baseOrigin(base);
    if (origin) return origin + trimmed;
  }
  // An absolute link stands even when the base is unusable.
  const u = (base && parseUrl(trimmed, base)) || parseUrl(trimmed);
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return null;
  return u.href;
}

function parseUrl(raw: string, base?: string): URL | null {
  try {
    return new URL(raw, base);
  } catch {
    return null;
  }
}

/**
 * The canonical form of an article URL: http(s) only, host lowercased, default port and fragment dropped,
 * click-tracking parameters removed, the remaining parameters sorted so that two feeds agree. Null if not http(s).
 */
export function canonicalUrl(raw: string | null | undefined, base?: string | null): string | null {
  const href = safeHttpUrl(raw, base);
  if (!href) return null;
  const u = new URL(href);
  u.hash = '';
  u.username = '';
  u.password = '';
  if (u.hostname.endsWith('.')) u.hostname = u.hostname.slice(0, -1);
  if (u.search) {
    const kept: [string, string][] = [];
    for (const [k, v] of u.searchParams) {
      const key = k.toLowerCase();
      if (key.startsWith('utm_') || key.startsWith('pk_') || key.startsWith('mtm_')) continue;
      if (TRACKING_PARAMS.has(key)) continue;
      if ((key === 'source' || key === 'src') && TRACKING_SOURCE_VALUE.test(v)) continue;
      kept.push([k, v]);
    }
    const sorted = [...kept].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const unchanged = kept.length === [...u.searchParams].length && sorted.every((p, i) => p === kept[i]);
    // Re-serialize only when something changed, so untouched URLs keep their exact encoding.
    if (!unchanged) u.search = sorted.length ? new URLSearchParams(sorted).toString() : '';
  }
  return u.href;
}

/** The key that makes two items the same article: the canonical URL. */
export function dedupeKey(url: string): string | null {
  return canonicalUrl(url);
}
