// The digest email as MJML: typed props in, MJML markup out. Every feed-provided string is escaped here,
// and only http(s) links become hrefs. MJML is used for the digest because it compiles to the nested,
// Outlook-safe tables a long multi-section newsletter needs; the short transactional mails stay React Email.

/** One article as the template shows it. */
export interface DigestEmailArticle {
  title: string;
  url: string | null;
  sourceName: string;
  summary: string;
  /** From the article's real text; null when only a teaser is known (no reading time is shown). */
  readingMinutes: number | null;
  /** Other sources' articles on the same story. */
  alsoCoveredBy?: { sourceName: string; title: string; url: string | null }[];
  /** With tracking on: the reader's "more like this" / "less like this" links (a confirm page each). */
  voteUrls?: { more: string; less: string } | null;
}

/** A run of paragraph text, linked when href is set. */
export interface DigestSegment {
  text: string;
  href?: string | null;
  title?: string;
}

/** Everything the digest email shows; every URL arrives as a prop. */
export interface DigestEmailProps {
  newsletterName: string;
  /** 'weekly' names the week instead of the day (default 'daily'). */
  edition?: 'daily' | 'weekly';
  /** "Monday, 6 April 2026". */
  dateLabel: string;
  preheader: string;
  signal: DigestEmailArticle | null;
  /** The signal's "why it matters" paragraph. */
  signalWhy?: string | null;
  deepDives: DigestEmailArticle[];
  /** The operator's note, else the paragraph written from the themes, else the themes one per line. */
  patterns: { note: string | null; paragraph?: DigestSegment[]; themes: { label: string; sentence: string }[] };
  sources: string[];
  articleCount: number;
  sourceCount: number;
  viewInBrowserUrl: string;
  archiveUrl: string;
  homeUrl: string;
  /** In the mail: the placeholder replaced per recipient at send time. */
  unsubscribeUrl: string;
  postalAddress: string | null;
}

/** Escapes text for HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Colours chosen for contrast in light mode, with dark-mode overrides below for clients that honour them. */
export const C = {
  page: '#eef0f3',
  card: '#ffffff',
  ink: '#14171c',
  body: '#2f343d',
  muted: '#5d6470',
  line: '#e4e7ec',
  accent: '#2447d6',
  mast: '#111827',
  mastInk: '#ffffff',
  mastMuted: '#c9d2e3',
  mastAccent: '#9fb2ff',
  soft: '#f6f7fb',
} as const;

const SERIF = "Georgia, 'Times New Roman', Times, serif";
const SANS = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

const DARK_CSS = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
@media (prefers-color-scheme: dark) {
  body, .bg-page, .bg-page > div { background-color: #0d1014 !important; }
  .bg-card, .bg-card > table, .bg-card td { background-color: #171b22 !important; }
  .bg-soft, .bg-soft > table, .bg-soft td { background-color: #1d222b !important; }
  .t-ink, .t-ink div, .t-ink h2, .t-ink h3, .t-ink a, .t-ink strong { color: #eef1f5 !important; }
  .t-body, .t-body div, .t-body p { color: #cfd5de !important; }
  .t-muted, .t-muted div, .t-muted a, .t-muted span { color: #a3abb8 !important; }
  .t-accent, .t-accent div { color: #9fb2ff !important; }
  a.t-link, .t-ink a.t-link { color: #9fb2ff !important; }
  .rule, .rule p { border-color: #2b313c !important; }
}
[data-ogsc] .t-ink, [data-ogsc] .t-ink div, [data-ogsc] .t-ink a { color: #eef1f5 !important; }
[data-ogsc] .t-body, [data-ogsc] .t-body div { color: #cfd5de !important; }
[data-ogsc] .t-muted, [data-ogsc] .t-muted div, [data-ogsc] .t-muted a { color: #a3abb8 !important; }
[data-ogsc] a.t-link { color: #9fb2ff !important; }
@media only screen and (max-width: 480px) {
  td.px { padding-left: 20px !important; padding-right: 20px !important; }
  .h-mast { font-size: 28px !important; }
  .h-signal { font-size: 22px !important; }
}
`;

function meta(a: DigestEmailArticle): string {
  return a.readingMinutes ? `${esc(a.sourceName)}&nbsp;·&nbsp;${a.readingMinutes}&nbsp;min&nbsp;read` : esc(a.sourceName);
}

/** "Also covered by Netflix and InfoQ", each name linked to its article. */
function alsoHtml(a: DigestEmailArticle, link: string): string {
  const list = a.alsoCoveredBy ?? [];
  if (!list.length) return '';
  const names = list.map((o) => (o.url ? `<a href="${esc(o.url)}" class="t-link" title="${esc(o.title)}" style="${link}">${esc(o.sourceName)}</a>` : esc(o.sourceName)));
  const joined = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `<p class="t-muted" style="margin:8px 0 0;font-size:14px;line-height:1.5;color:${C.muted};">Also covered by ${joined}</p>`;
}

/** Paragraph segments as HTML: text escaped, links only for http(s) hrefs given by the caller. */
export function segmentsHtml(segs: DigestSegment[], link: string): string {
  return segs.map((s) => (s.href ? `<a href="${esc(s.href)}" class="t-link"${s.title ? ` title="${esc(s.title)}"` : ''} style="${link}">${esc(s.text)}</a>` : esc(s.text))).join('');
}

function titleHtml(a: DigestEmailArticle, style: string, cls = ''): string {
  const t = esc(a.title);
  return a.url ? `<a href="${esc(a.url)}"${cls ? ` class="${cls}"` : ''} style="${style}">${t}</a>` : t;
}

function votesHtml(a: DigestEmailArticle): string {
  if (!a.voteUrls) return '';
  const l = `color:${C.muted};text-decoration:underline;`;
  return `<p class="t-muted" style="margin:8px 0 0;font-size:13px;color:${C.muted};"><a href="${esc(a.voteUrls.more)}" class="t-muted" style="${l}">More like this</a> &nbsp;·&nbsp; <a href="${esc(a.voteUrls.less)}" class="t-muted" style="${l}">Less like this</a></p>`;
}

function signalBlock(a: DigestEmailArticle, why: string | null | undefined, weekly: boolean): string {
  const link = `color:${C.ink};text-decoration:none;`;
  const small = `color:${C.accent};text-decoration:underline;`;
  return `
<mj-section css-class="bg-card pad-x" background-color="${C.card}" padding="30px 0 6px">
  <mj-column padding="0">
    <mj-text padding="0 32px 10px" css-class="t-accent px" font-size="12px" font-weight="700" letter-spacing="1.5px" color="${C.accent}">${weekly ? 'SIGNAL OF THE WEEK' : 'SIGNAL OF THE DAY'}</mj-text>
    <mj-text padding="0 32px 8px" css-class="t-ink px" font-family="${SERIF}" font-size="26px" line-height="1.25" font-weight="700" color="${C.ink}"><h2 class="h-signal" style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">${titleHtml(a, link)}</h2></mj-text>
    <mj-text padding="0 32px 14px" css-class="t-muted px" font-size="14px" color="${C.muted}">${meta(a)}</mj-text>
    ${a.summary ? `<mj-text padding="0 32px 14px" css-class="t-body px" font-size="17px" line-height="1.6" color="${C.body}">${esc(a.summary)}${alsoHtml(a, small)}</mj-text>` : ''}
    ${
      why
        ? `<mj-text padding="0 32px 18px" css-class="t-body px" font-size="16px" line-height="1.6" color="${C.body}"><div class="bg-soft" style="background:${C.soft};border-left:3px solid ${C.accent};border-radius:0 8px 8px 0;padding:12px 16px;"><p class="t-accent" style="margin:0 0 4px;font-size:12px;font-weight:700;letter-spacing:1px;color:${C.accent};">WHY IT MATTERS</p><p class="t-body" style="margin:0;font-size:16px;line-height:1.6;color:${C.body};">${esc(why)}</p></div></mj-text>`
        : ''
    }
    ${a.url ? `<mj-button css-class="px" href="${esc(a.url)}" align="left" padding="0 32px 26px" background-color="${C.accent}" color="#ffffff" font-size="15px" font-weight="600" border-radius="8px" inner-padding="12px 20px">Read the article&nbsp;→</mj-button>` : ''}
  </mj-column>
</mj-section>`;
}

function sectionHeading(title: string, note?: string): string {
  return `<mj-text padding="26px 32px 4px" css-class="t-ink px" font-family="${SERIF}" font-size="22px" font-weight="700" color="${C.ink}"><h2 style="margin:0;font-size:22px;font-weight:700;">${esc(title)}${
    note ? ` <span class="t-muted" style="font-family:${SANS};font-size:14px;font-weight:400;color:${C.muted};">${esc(note)}</span>` : ''
  }</h2></mj-text>`;
}

function deepDive(a: DigestEmailArticle, i: number, first: boolean): string {
  const border = first ? '' : `border-top:1px solid ${C.line};`;
  // A title that looks like a link on a phone: the accent colour, underlined, plus an explicit "Read" link.
  const link = `color:${C.accent};text-decoration:underline;`;
  const read = a.url
    ? `<p style="margin:10px 0 0;font-size:15px;font-weight:600;"><a href="${esc(a.url)}" class="t-link" style="color:${C.accent};text-decoration:none;">Read on ${esc(a.sourceName)}&nbsp;→</a></p>`
    : '';
  return `<mj-text padding="0 32px" css-class="t-ink px"><div class="rule" style="${border}padding:18px 0 16px;">
<p class="t-accent" style="margin:0 0 4px;font-size:13px;font-weight:700;color:${C.accent};">${String(i + 1).padStart(2, '0')}</p>
<h3 class="t-ink" style="margin:0 0 6px;font-size:18px;line-height:1.35;font-weight:700;color:${C.ink};">${titleHtml(a, link, 't-link')}</h3>
<p class="t-muted" style="margin:0 0 8px;font-size:14px;color:${C.muted};">${meta(a)}</p>
${a.summary ? `<p class="t-body" style="margin:0;font-size:16px;line-height:1.6;color:${C.body};">${esc(a.summary)}</p>` : ''}
${alsoHtml(a, `color:${C.accent};text-decoration:underline;`)}
${read}
${votesHtml(a)}
</div></mj-text>`;
}

function patternsBlock(p: DigestEmailProps['patterns'], weekly: boolean): string {
  let body: string;
  if (p.note) {
    body = p.note
      .split(/\n\s*\n/)
      .map((para) => `<p class="t-body" style="margin:0 0 12px;font-size:16px;line-height:1.6;color:${C.body};">${esc(para.trim())}</p>`)
      .join('');
  } else if (p.paragraph?.length) {
    body = `<p class="t-body" style="margin:0 0 12px;font-size:16px;line-height:1.6;color:${C.body};">${segmentsHtml(p.paragraph, `color:${C.accent};text-decoration:underline;`)}</p>`;
  } else if (p.themes.length) {
    body = p.themes
      .map((t) => {
        const rest = t.sentence.startsWith(t.label) ? t.sentence.slice(t.label.length) : ` — ${t.sentence}`;
        return `<p class="t-body" style="margin:0 0 12px;font-size:16px;line-height:1.6;color:${C.body};"><strong class="t-ink" style="color:${C.ink};">${esc(t.label)}</strong>${esc(rest)}</p>`;
      })
      .join('');
  } else {
    body = `<p class="t-muted" style="margin:0;font-size:16px;line-height:1.6;color:${C.muted};">No theme ran through more than one source ${weekly ? 'this week' : 'today'}.</p>`;
  }
  return `
<mj-section css-class="bg-soft pad-x" background-color="${C.soft}" padding="4px 0 16px">
  <mj-column padding="0">
    ${sectionHeading('Patterns Across Companies')}
    <mj-text padding="10px 32px 0" css-class="t-body px" font-size="16px" line-height="1.6" color="${C.body}">${body}</mj-text>
  </mj-column>
</mj-section>`;
}

/** The MJML document of one issue. */
export function digestMjml(p: DigestEmailProps): string {
  const footerLink = `color:${C.muted};text-decoration:underline;`;
  const weekly = p.edition === 'weekly';
  const countLine = `${p.articleCount} article${p.articleCount === 1 ? '' : 's'} from ${p.sourceCount} source${p.sourceCount === 1 ? '' : 's'}`;
  return `<mjml lang="en" dir="ltr">
<mj-head>
  <mj-title>${esc(p.newsletterName)} · ${esc(p.dateLabel)}</mj-title>
  <mj-preview>${esc(p.preheader)}</mj-preview>
  <mj-raw><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"></mj-raw>
  <mj-attributes>
    <mj-all font-family="${SANS}" />
    <mj-text css-class="px" font-size="16px" line-height="1.55" color="${C.body}" />
  </mj-attributes>
  <mj-style>${DARK_CSS}</mj-style>
  <mj-style inline="inline">a { color: ${C.accent}; }</mj-style>
</mj-head>
<mj-body width="600px" background-color="${C.page}" css-class="bg-page">
  <mj-section padding="14px 0 10px" css-class="pad-x">
    <mj-column padding="0">
      <mj-text padding="0 32px" align="right" css-class="t-muted px" font-size="14px" color="${C.muted}"><a href="${esc(p.viewInBrowserUrl)}" style="${footerLink}">View in browser</a></mj-text>
    </mj-column>
  </mj-section>
  <mj-section background-color="${C.mast}" padding="30px 0 26px" css-class="pad-x" border-radius="12px 12px 0 0">
    <mj-column padding="0">
      <mj-text css-class="px" padding="0 32px 10px" font-size="12px" font-weight="700" letter-spacing="1.5px" color="${C.mastAccent}">${weekly ? 'THE WEEKLY ENGINEERING DIGEST' : 'THE DAILY ENGINEERING DIGEST'}</mj-text>
      <mj-text css-class="px" padding="0 32px 8px" font-family="${SERIF}" font-size="34px" line-height="1.15" font-weight="700" color="${C.mastInk}"><h1 class="h-mast" style="margin:0;font-size:34px;line-height:1.15;font-weight:700;color:${C.mastInk};">${esc(p.newsletterName)}</h1></mj-text>
      <mj-text css-class="px" padding="0 32px" font-size="15px" color="${C.mastMuted}">${esc(p.dateLabel)} · ${esc(countLine)}</mj-text>
    </mj-column>
  </mj-section>
  ${p.signal ? signalBlock(p.signal, p.signalWhy, weekly) : ''}
  ${
    p.deepDives.length
      ? `<mj-section css-class="bg-card pad-x" background-color="${C.card}" padding="0 0 12px">
  <mj-column padding="0">
    <mj-divider padding="0 32px" border-width="1px" border-color="${C.line}" css-class="rule px" />
    ${sectionHeading('Deep Dives', `${p.deepDives.length} more, ranked`)}
    ${p.deepDives.map((a, i) => deepDive(a, i, i === 0)).join('\n')}
  </mj-column>
</mj-section>`
      : ''
  }
  ${patternsBlock(p.patterns, weekly)}
  <mj-section css-class="bg-card pad-x" background-color="${C.card}" padding="4px 0 26px" border-radius="0 0 12px 12px">
    <mj-column padding="0">
      ${sectionHeading('Sources')}
      <mj-text padding="10px 32px 0" css-class="t-muted px" font-size="14px" line-height="1.7" color="${C.muted}">${p.sources.map((n) => esc(n).replace(/ /g, '&nbsp;')).join(' &nbsp;·&nbsp; ') || 'No sources yet.'}</mj-text>
    </mj-column>
  </mj-section>
  <mj-section padding="22px 0 30px" css-class="pad-x">
    <mj-column padding="0">
      <mj-text padding="0 32px 8px" align="center" css-class="t-muted px" font-size="14px" line-height="1.6" color="${C.muted}">You are receiving ${esc(p.newsletterName)} because you subscribed at <a href="${esc(p.homeUrl)}" style="${footerLink}">${esc(hostOf(p.homeUrl))}</a>.</mj-text>
      <mj-text padding="0 32px 8px" align="center" css-class="t-muted px" font-size="14px" line-height="1.6" color="${C.muted}"><a href="${esc(p.unsubscribeUrl)}?preferences" style="${footerLink}">Preferences</a> &nbsp;·&nbsp; <a href="${esc(p.unsubscribeUrl)}" style="${footerLink}">Unsubscribe</a> &nbsp;·&nbsp; <a href="${esc(p.viewInBrowserUrl)}" style="${footerLink}">View in browser</a> &nbsp;·&nbsp; <a href="${esc(p.archiveUrl)}" style="${footerLink}">Archive</a></mj-text>
      ${p.postalAddress ? `<mj-text padding="0 32px" align="center" css-class="t-muted px" font-size="14px" line-height="1.6" color="${C.muted}">${esc(p.postalAddress)}</mj-text>` : ''}
    </mj-column>
  </mj-section>
</mj-body>
</mjml>`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
