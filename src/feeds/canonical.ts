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

/** An absolute http(s) URL from a feed value resolved against a base, or null (javascript:, data:, mailto:, garbage). */
export function safeHttpUrl(raw: string | null | undefined, base?: string | null): string | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  if (!trimmed) return null;
  let u: URL;
  try {
    u = base ? new URL(trimmed, base) : new URL(trimmed);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (!u.hostname) return null;
  return u.href;
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
