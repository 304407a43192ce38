// Pure: HTML character references and invisible characters, shared by the XML reader, the HTML cleaner and titles.

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›', bull: '•', middot: '·', copy: '©', reg: '®', trade: '™',
  deg: '°', plusmn: '±', times: '×', divide: '÷', frac12: '½', frac14: '¼', frac34: '¾', sup2: '²', sup3: '³',
  euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', dagger: '†', Dagger: '‡', permil: '‰',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', rArr: '⇒', lArr: '⇐', hArr: '⇔', le: '≤', ge: '≥', ne: '≠',
  asymp: '≈', infin: '∞', minus: '−', micro: 'µ', alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', lambda: 'λ', mu: 'μ',
  pi: 'π', sigma: 'σ', omega: 'ω', Delta: 'Δ', Sigma: 'Σ', Omega: 'Ω', iexcl: '¡', iquest: '¿', shy: '\u00ad',
  zwj: '\u200d', zwnj: '\u200c', lrm: '\u200e', rlm: '\u200f', acute: '´', uml: '¨', ordf: 'ª', ordm: 'º', not: '¬',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç', Egrave: 'È',
  Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï', Ntilde: 'Ñ', Ograve: 'Ò',
  Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü',
  Yacute: 'Ý', szlig: 'ß', agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ',
  ccedil: 'ç', egrave: 'è', eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï',
  ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù', uacute: 'ú',
  ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', oelig: 'œ', OElig: 'Œ', scaron: 'š', Scaron: 'Š', Yuml: 'Ÿ',
  // HTML5's names for ASCII punctuation: rare in prose, common in obfuscated links (javascript&colon;…).
  Tab: '\t', NewLine: '\n', excl: '!', num: '#', dollar: '$', percnt: '%', lpar: '(', rpar: ')', ast: '*', plus: '+',
  comma: ',', period: '.', sol: '/', colon: ':', semi: ';', equals: '=', quest: '?', commat: '@', lsqb: '[', bsol: '\\',
  rsqb: ']', Hat: '^', lowbar: '_', grave: '`', lcub: '{', verbar: '|', rcub: '}',
};

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
// Named references browsers also accept without the semicolon.
const LEGACY_NO_SEMI = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp']);

/** Decodes HTML character references (numeric and the common named ones); unknown names stay as written. One linear scan. */
export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  const n = s.length;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    let j = amp + 1;
    let replacement: string | undefined;
    if (s.charCodeAt(j) === 35 /* # */) {
      j++;
      const hex = s.charCodeAt(j) === 120 || s.charCodeAt(j) === 88;
      if (hex) j++;
      const start = j;
      const max = hex ? 6 : 7;
      while (j < n && j - start < max && (hex ? isHex(s.charCodeAt(j)) : s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57)) j++;
      if (j > start) {
        const cp = parseInt(s.slice(start, j), hex ? 16 : 10);
        replacement = cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
        if (s.charCodeAt(j) === 59) j++;
      }
    } else {
      const start = j;
      const c0 = s.charCodeAt(j);
      if ((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122)) {
        while (j < n && j - start < 32 && isAlnum(s.charCodeAt(j))) j++;
        const name = s.slice(start, j);
        const v = j - start >= 2 ? NAMED[name] : undefined;
        if (v !== undefined && s.charCodeAt(j) === 59) {
          replacement = v;
          j++;
        } else if (v !== undefined && LEGACY_NO_SEMI.has(name)) replacement = v;
      }
    }
    if (replacement !== undefined) {
      out += s.slice(last, amp) + replacement;
      last = j;
      amp = s.indexOf('&', j);
    } else amp = s.indexOf('&', amp + 1);
  }
  return last === 0 ? s : out + s.slice(last);
}

// Controls, bidi overrides/isolates, zero-width characters and other invisible format characters.
// eslint-disable-next-line no-control-regex
export const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/** Whitespace that folding to one space changes: replacing it by ' ' equals replacing /\s+/g, without stopping at every single space. */
export const SPACES = /\s{2,}|[^\S ]/g;

// A run of whitespace and invisible characters that folding changes: two or more, or one that is not a plain space.
// eslint-disable-next-line no-control-regex
const FOLDABLE = /[\s\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufff9-\ufffb]{2,}|[^\S ]|[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufff9-\ufffb]/g;
const foldRun = (run: string): string => {
  const visible = run.replace(INVISIBLE, '');
  return visible === '' ? '' : visible.includes('\n') ? '\n' : ' ';
};

/**
 * Drops INVISIBLE characters, folds each run of whitespace to one line break when it holds one and to one space
 * otherwise, and trims: the shape of every plain text. One scan that stops only at runs it changes (a single
 * space between words, most of them, is left alone).
 */
export function foldText(s: string): string {
  return s.replace(FOLDABLE, foldRun).trim();
}
