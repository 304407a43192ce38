import type { DigestEmailArticle, DigestEmailProps } from './template.js';

// The plain-text part: wrapped to 72 columns, each article's link given as a numbered reference listed at the end.

const WIDTH = 72;

/** Wraps text to `width` columns with an indent; words longer than a line (URLs) stay whole. */
export function wrap(text: string, width = WIDTH, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!line) line = indent + word;
    else if (line.length + 1 + word.length <= width) line += ' ' + word;
    else {
      lines.push(line);
      line = indent + word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function metaLine(a: DigestEmailArticle): string {
  return a.readingMinutes ? `${a.sourceName} · ${a.readingMinutes} min read` : a.sourceName;
}

function heading(title: string): string {
  return `${title.toUpperCase()}\n${'='.repeat(title.length)}`;
}

/** The text part of an issue. */
export function digestText(p: DigestEmailProps): string {
  const links: string[] = [];
  const ref = (url: string | null) => {
    if (!url) return '';
    links.push(url);
    return ` [${links.length}]`;
  };
  const out: string[] = [];
  out.push(p.newsletterName.toUpperCase(), `${p.dateLabel} · ${p.articleCount} articles from ${p.sourceCount} sources`, '', wrap(`View in your browser: ${p.viewInBrowserUrl}`), '');
  if (p.signal) {
    const s = p.signal;
    out.push(heading(p.edition === 'weekly' ? 'Signal of the Week' : 'Signal of the Day'), '', wrap(`${s.title}${ref(s.url)}`), metaLine(s));
    if (s.summary) out.push('', wrap(s.summary));
    if (s.alsoCoveredBy?.length) out.push(wrap(`Also covered by ${s.alsoCoveredBy.map((o) => `${o.sourceName}${ref(o.url)}`).join(', ')}`));
    if (p.signalWhy) out.push('', wrap(`Why it matters: ${p.signalWhy}`));
    out.push('');
  }
  if (p.deepDives.length) {
    out.push(heading('Deep Dives'), '');
    p.deepDives.forEach((a, i) => {
      const num = `${i + 1}. `;
      const pad = ' '.repeat(num.length);
      out.push(num + wrap(`${a.title}${ref(a.url)}`, WIDTH, pad).slice(pad.length), `${pad}${metaLine(a)}`);
      if (a.summary) out.push(wrap(a.summary, WIDTH, pad));
      if (a.alsoCoveredBy?.length) out.push(wrap(`Also covered by ${a.alsoCoveredBy.map((o) => `${o.sourceName}${ref(o.url)}`).join(', ')}`, WIDTH, pad));
      if (a.voteUrls) out.push(wrap(`More like this${ref(a.voteUrls.more)} · Less like this${ref(a.voteUrls.less)}`, WIDTH, pad));
      out.push('');
    });
  }
  out.push(heading('Patterns Across Companies'), '');
  if (p.patterns.note) for (const para of p.patterns.note.split(/\n\s*\n/)) out.push(wrap(para.trim()), '');
  else if (p.patterns.paragraph?.length) out.push(wrap(p.patterns.paragraph.map((seg) => (seg.href ? `${seg.text}${ref(seg.href)}` : seg.text)).join('')), '');
  else if (p.patterns.themes.length) for (const t of p.patterns.themes) out.push(wrap(t.sentence, WIDTH, '  ').replace(/^ {2}/, '- '), '');
  else out.push(`No theme ran through more than one source ${p.edition === 'weekly' ? 'this week' : 'today'}.`, '');
  out.push(heading('Sources'), '', wrap(p.sources.join(' · ') || 'No sources yet.'), '');
  if (links.length) {
    out.push(heading('Links'), '');
    links.forEach((l, i) => out.push(`[${i + 1}] ${l}`));
    out.push('');
  }
  out.push('-- ', wrap(`You are receiving ${p.newsletterName} because you subscribed at ${p.homeUrl}`), `Preferences (weekly, pause, plain text, companies): ${p.unsubscribeUrl}?preferences`, `Unsubscribe: ${p.unsubscribeUrl}`, `Archive: ${p.archiveUrl}`);
  if (p.postalAddress) out.push(wrap(p.postalAddress));
  return out.join('\n') + '\n';
}
