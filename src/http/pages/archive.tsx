/** @jsxImportSource hono/jsx */
import type { Digest, RankedArticle } from '../../digest/types.js';
import { weekLabel } from '../../digest/build.js';
import { safeHttpUrl } from '../../feeds/canonical.js';
import { Layout } from './layout.js';

// The web archive: the list of published issues and one issue as a page. No personal links anywhere.

export interface ArchiveListItem {
  date: string;
  subject: string;
  preheader: string;
  articleCount: number;
}

export interface FeedLinks {
  atom: string;
  json: string;
}

/** Which archive a page belongs to: the dailies at /issues, the weekly edition at /issues/weekly. */
export interface ArchiveEdition {
  weekly: boolean;
  /** '/issues' or '/issues/weekly'. */
  base: string;
}

const DAILY: ArchiveEdition = { weekly: false, base: '/issues' };

/** "Week of 6–12 April 2026" for a weekly issue, the long date for a daily one. */
function issueDateLabel(date: string, weekly: boolean): string {
  return weekly ? `Week of ${weekLabel(date)}` : prettyDate(date);
}

function prettyDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

function FeedHead(p: { siteName: string; feeds: FeedLinks }) {
  return (
    <>
      <link rel="alternate" type="application/atom+xml" title={`${p.siteName} issues (Atom)`} href={p.feeds.atom} />
      <link rel="alternate" type="application/feed+json" title={`${p.siteName} issues (JSON Feed)`} href={p.feeds.json} />
    </>
  );
}

/** GET /issues: published issues, newest first, paginated. */
export function ArchiveListPage(p: { siteName: string; items: ArchiveListItem[]; page: number; hasNext: boolean; feeds: FeedLinks; edition?: ArchiveEdition }) {
  const e = p.edition ?? DAILY;
  return (
    <Layout
      title={e.weekly ? 'Weekly archive' : 'Archive'}
      siteName={p.siteName}
      description={`Every ${e.weekly ? 'weekly ' : ''}issue of ${p.siteName}, newest first.`}
      head={<FeedHead siteName={p.siteName} feeds={p.feeds} />}
    >
      <p class="eyebrow">{e.weekly ? 'Weekly edition' : 'Archive'}</p>
      <h1>{e.weekly ? 'The week’s best, every week' : 'Every issue, newest first'}</h1>
      <p class="lead">
        Read past {e.weekly ? 'weekly ' : ''}issues here, or follow them by <a href={p.feeds.atom}>Atom</a> or <a href={p.feeds.json}>JSON Feed</a>.{' '}
        {e.weekly ? <a href="/issues">The daily issues</a> : <a href="/issues/weekly">The weekly edition</a>}
      </p>
      {p.items.length ? (
        <ul class="issue-list archive-list">
          {p.items.map((i) => (
            <li>
              <div class="date">
                {issueDateLabel(i.date, e.weekly)} · {i.articleCount} article{i.articleCount === 1 ? '' : 's'}
              </div>
              <a class="archive-title" href={`${e.base}/${i.date}`}>
                {i.subject.startsWith(`${p.siteName} — `) ? i.subject.slice(p.siteName.length + 3) : i.subject}
              </a>
              {i.preheader ? <p class="archive-preheader">{i.preheader}</p> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="card">No issue has been published yet. <a href="/#subscribe">Subscribe</a> to get the first one.</p>
      )}
      <nav class="pager" aria-label="Pages">
        {p.page > 1 ? <a href={p.page === 2 ? e.base : `${e.base}?page=${p.page - 1}`}>← Newer issues</a> : <span />}
        {p.hasNext ? <a href={`${e.base}?page=${p.page + 1}`}>Older issues →</a> : <span />}
      </nav>
    </Layout>
  );
}

function Meta(p: { a: RankedArticle }) {
  return (
    <p class="meta">
      {p.a.sourceName}
      {p.a.readingMinutes ? ` · ${p.a.readingMinutes} min read` : ''}
    </p>
  );
}

/** "Also covered by InfoQ and Netflix", each linked to its copy of the story. */
function Also(p: { a: RankedArticle }) {
  const list = p.a.alsoCoveredBy;
  if (!list.length) return null;
  return (
    <p class="meta issue-also">
      Also covered by{' '}
      {list.map((o, i) => (
        <>
          {i ? (i === list.length - 1 ? ' and ' : ', ') : ''}
          {o.url ? (
            <a href={o.url} rel="noopener" title={o.title}>
              {o.sourceName}
            </a>
          ) : (
            o.sourceName
          )}
        </>
      ))}
    </p>
  );
}

function Title(p: { a: RankedArticle }) {
  return p.a.url ? (
    <a href={p.a.url} rel="noopener">
      {p.a.title}
    </a>
  ) : (
    <>{p.a.title}</>
  );
}

/** The body of one issue (also used as the content of feed entries). */
export function IssueBody(p: { digest: Digest }) {
  const d = p.digest;
  return (
    <>
      {d.signal ? (
        <section class="issue-signal" aria-labelledby="signal">
          <p class="eyebrow" id="signal">
            {d.edition === 'weekly' ? 'Signal of the Week' : 'Signal of the Day'}
          </p>
          <h2 class="issue-signal-title">
            <Title a={d.signal} />
          </h2>
          <Meta a={d.signal} />
          {d.signal.summary ? <p class="issue-summary">{d.signal.summary}</p> : null}
          <Also a={d.signal} />
          {d.signalWhy ? (
            <div class="issue-why">
              <p class="eyebrow">Why it matters</p>
              <p>{d.signalWhy.text}</p>
            </div>
          ) : null}
        </section>
      ) : null}
      {d.deepDives.length ? (
        <section class="issue-section" aria-labelledby="deep-dives">
          <h2 id="deep-dives">Deep Dives</h2>
          <ol class="issue-dives">
            {d.deepDives.map((a) => (
              <li class="issue-dive">
                <h3>
                  <Title a={a} />
                </h3>
                <Meta a={a} />
                {a.summary ? <p class="issue-summary">{a.summary}</p> : null}
                <Also a={a} />
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section class="issue-section issue-patterns" aria-labelledby="patterns">
        <h2 id="patterns">Patterns Across Companies</h2>
        {d.patterns.note ? (
          d.patterns.note.split(/\n\s*\n/).map((para) => <p>{para.trim()}</p>)
        ) : d.patterns.paragraph.length ? (
          <p>
            {d.patterns.paragraph.map((seg) =>
              seg.href && safeHttpUrl(seg.href) ? (
                <a href={safeHttpUrl(seg.href)!} rel="noopener" title={seg.title}>
                  {seg.text}
                </a>
              ) : (
                <>{seg.text}</>
              ),
            )}
          </p>
        ) : d.patterns.themes.length ? (
          d.patterns.themes.map((t) => (
            <p>
              <strong>{t.label}</strong>
              {t.sentence.startsWith(t.label) ? t.sentence.slice(t.label.length) : ` — ${t.sentence}`}
            </p>
          ))
        ) : (
          <p>No theme ran through more than one source that day.</p>
        )}
      </section>
      <section class="issue-section" aria-labelledby="sources">
        <h2 id="sources">Sources</h2>
        <p class="issue-sources">
          {d.sources.map((name, i) => (
            <>
              {i ? ' · ' : ''}
              <span>{name}</span>
            </>
          ))}
        </p>
      </section>
    </>
  );
}

/** GET /issues/:date: the issue as a web page, with Open Graph tags and a subscribe link instead of an unsubscribe link. */
export function ArchiveIssuePage(p: { siteName: string; digest: Digest; url: string; feeds: FeedLinks; prev?: string | null; next?: string | null; edition?: ArchiveEdition }) {
  const d = p.digest;
  const e = p.edition ?? DAILY;
  const count = d.deepDives.length + (d.signal ? 1 : 0);
  return (
    <Layout
      title={d.subject}
      siteName={p.siteName}
      description={d.preheader || undefined}
      head={
        <>
          <meta property="og:type" content="article" />
          <meta property="og:site_name" content={p.siteName} />
          <meta property="og:title" content={d.subject} />
          <meta property="og:description" content={d.preheader || `${p.siteName}, ${issueDateLabel(d.date, e.weekly)}`} />
          <meta property="og:url" content={p.url} />
          <meta property="article:published_time" content={`${d.date}`} />
          <meta name="twitter:card" content="summary" />
          <link rel="canonical" href={p.url} />
          <FeedHead siteName={p.siteName} feeds={p.feeds} />
        </>
      }
    >
      <article class="issue">
        <header class="issue-head">
          <p class="eyebrow">
            <a href={e.base}>{e.weekly ? 'Weekly archive' : 'Archive'}</a> · {issueDateLabel(d.date, e.weekly)}
          </p>
          <h1 class="issue-h1">{p.siteName}</h1>
          <p class="issue-count">
            {count} article{count === 1 ? '' : 's'} from {d.sourceCount} source{d.sourceCount === 1 ? '' : 's'}
          </p>
        </header>
        <IssueBody digest={d} />
        <aside class="issue-cta card">
          <p>
            <strong>Get the next issue by email.</strong> {e.weekly ? 'The weekly edition, or one email a day' : 'One email a day'} with what engineering teams shipped and learned.
          </p>
          <a class="button" href="/#subscribe">
            Subscribe
          </a>
        </aside>
        <nav class="pager" aria-label="Issues">
          {p.prev ? <a href={`${e.base}/${p.prev}`}>← Previous issue</a> : <span />}
          {p.next ? <a href={`${e.base}/${p.next}`}>Next issue →</a> : <span />}
        </nav>
      </article>
    </Layout>
  );
}
