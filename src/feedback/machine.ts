// Telling a reader's click from a machine's: link scanners of mail gateways (Microsoft Safe Links, Proofpoint,
// Mimecast, Barracuda, …), preview fetchers and prefetches open every link of a message, usually within seconds of
// delivery. Their clicks are kept, marked, and left out of the counts.

/** A click sooner than this after its copy left is a scanner's: no reader opens a mail and a link that fast. */
export const MACHINE_WINDOW_MS = 10_000;

/** User agents of link scanners, preview fetchers and HTTP libraries; an empty one counts too. */
const SCANNER_UA =
  /bot\b|crawler|spider|scanner|preview|safelinks|proofpoint|mimecast|barracuda|forcepoint|symantec|messagelabs|trendmicro|sophos|fortiguard|cisco|ironport|zscaler|paloalto|googleimageproxy|yahoomailproxy|outlook-ios-linkpreview|skypeuripreview|slackbot|discordbot|facebookexternalhit|whatsapp|curl\/|wget\/|python-requests|python-urllib|aiohttp|go-http-client|java\/|okhttp|libwww|httpclient|axios|node-fetch|undici|headlesschrome|phantomjs/i;

/** What the redirect knows about a request. */
export interface ClickRequest {
  method: string;
  userAgent: string | undefined;
  /** The prefetch hints browsers and proxies send: Purpose, Sec-Purpose, X-Purpose, X-Moz. */
  purpose: string | undefined;
  /** When the copy was built, from the link's recipient part; null when unknown. */
  sentAt: number | null;
  now: number;
}

/** Why a click is taken for a machine's ('head', 'prefetch', 'scanner', 'too-soon'), or null for a reader's. */
export function machineReason(r: ClickRequest): string | null {
  if (r.method === 'HEAD') return 'head';
  if (r.purpose && /prefetch|preview|prerender/i.test(r.purpose)) return 'prefetch';
  const ua = (r.userAgent ?? '').trim();
  if (!ua || SCANNER_UA.test(ua)) return 'scanner';
  if (r.sentAt !== null && r.now - r.sentAt < MACHINE_WINDOW_MS) return 'too-soon';
  return null;
}
