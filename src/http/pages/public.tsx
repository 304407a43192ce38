/** @jsxImportSource hono/jsx */
import { Layout } from './layout.js';

export interface LandingIssue {
  date: string;
  subject: string;
  preheader: string;
  articleCount: number;
}

export interface LandingProps {
  siteName: string;
  sendTime: string;
  sources: string[];
  latest: LandingIssue[];
  consentText: string;
  formToken: string;
  values?: { email?: string; name?: string };
  errors?: Record<string, string>;
  feedLinks?: { atom: string; json: string };
}

function prettyDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The optional name field, the honeypot bots fill in, and the signed form token: the same on both signup forms. */
function NameHoneypotToken(p: { name: string; formToken: string }) {
  return (
    <>
      <div class="field">
        <label for="name">
          Name <span class="optional">(optional)</span>
        </label>
        <input type="text" id="name" name="name" autocomplete="name" maxlength={100} value={p.name} />
      </div>
      <div class="hp" aria-hidden="true">
        <label for="website">Leave this field empty</label>
        <input type="text" id="website" name="website" tabindex={-1} autocomplete="off" />
      </div>
      <input type="hidden" name="t" value={p.formToken} />
    </>
  );
}

/** The signup form: works without JavaScript; a honeypot field and a signed render time keep bots out. */
export function SignupForm(p: Pick<LandingProps, 'consentText' | 'formToken' | 'values' | 'errors'>) {
  const err = p.errors ?? {};
  return (
    <form method="post" action="/subscribe" class="card" id="subscribe" novalidate>
      <h2>Get tomorrow's issue</h2>
      {err.form ? (
        <p class="notice error" role="alert">
          {err.form}
        </p>
      ) : null}
      <div class="field">
        <label for="email">Email address</label>
        <input
          type="email"
          id="email"
          name="email"
          required
          autocomplete="email"
          inputmode="email"
          maxlength={254}
          placeholder="you@company.com"
          value={p.values?.email ?? ''}
          aria-invalid={err.email ? 'true' : undefined}
          aria-describedby={err.email ? 'email-error' : undefined}
        />
        {err.email ? (
          <p class="field-error" id="email-error" role="alert">
            {err.email}
          </p>
        ) : null}
      </div>
      <NameHoneypotToken name={p.values?.name ?? ''} formToken={p.formToken} />
      <button type="submit">Subscribe</button>
      <p class="fine">{p.consentText} We will email you a link to confirm first.</p>
    </form>
  );
}

/** GET /: what the digest is, the sources it follows, the signup form, the latest issues. */
export function LandingPage(p: LandingProps) {
  return (
    <Layout
      title={p.siteName}
      siteName={p.siteName}
      description={`${p.siteName}: one email a day with the best new writing from ${p.sources.length || 'many'} engineering blogs.`}
      head={
        p.feedLinks ? (
          <>
            <link rel="alternate" type="application/atom+xml" title={`${p.siteName} issues`} href={p.feedLinks.atom} />
            <link rel="alternate" type="application/feed+json" title={`${p.siteName} issues`} href={p.feedLinks.json} />
          </>
        ) : undefined
      }
    >
      <section class="hero">
        <div>
          <p class="eyebrow">A daily engineering digest</p>
          <h1>What the best engineering teams shipped and learned, in one email a day.</h1>
          <p class="lead">
            {p.siteName} reads {p.sources.length ? `${p.sources.length} engineering blogs` : 'engineering blogs'} so you do not have to, and
            sends one issue every day {p.sendTime}.
          </p>
          <ul class="points">
            <li>
              <strong>Signal of the Day</strong>: the one article worth your time if you read only one.
            </li>
            <li>
              <strong>Deep Dives</strong>: every other new article, ranked, each with a short summary.
            </li>
            <li>
              <strong>Patterns Across Companies</strong>: the themes several teams wrote about the same day.
            </li>
          </ul>
        </div>
        <SignupForm consentText={p.consentText} formToken={p.formToken} values={p.values} errors={p.errors} />
      </section>

      <section class="section prefs-request">
        <details>
          <summary>Already subscribed? Switch to weekly, pause it, or choose plain text</summary>
          <form method="post" action="/preferences" class="inline">
            <label for="prefs-email">Your address</label>
            <input id="prefs-email" name="email" type="email" required autocomplete="email" placeholder="you@example.com" />
            <button type="submit" class="secondary">
              Email me my preferences link
            </button>
          </form>
        </details>
      </section>

      {p.latest.length ? (
        <section class="section">
          <h2>Latest issues</h2>
          <ul class="issue-list">
            {p.latest.map((i) => (
              <li>
                <a href={`/issues/${i.date}`}>
                  <strong>{i.subject}</strong>
                </a>
                <div class="date">
                  {prettyDate(i.date)} · {i.articleCount} articles
                </div>
                {i.preheader ? <p>{i.preheader}</p> : null}
              </li>
            ))}
          </ul>
          <p>
            <a href="/issues">Browse the archive →</a>
          </p>
        </section>
      ) : (
        <section class="section">
          <h2>Latest issues</h2>
          <p class="lead">The first issue goes out {p.sendTime}. Subscribe above to get it.</p>
        </section>
      )}

      {p.sources.length ? (
        <section class="section">
          <h2>The sources</h2>
          <p>Every issue is built from new articles on these blogs:</p>
          <ul class="sources">
            {p.sources.map((s) => (
              <li>{s}</li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}

/**
 * "One more step": a signup form that arrived without a valid form token (from another site, or sent faster than a
 * person types) is completed here by pressing one button; nothing is stored until then.
 */
export function OneMoreStepPage(p: { siteName: string; email: string; name: string; formToken: string; consentText: string }) {
  return (
    <Layout title="One more step" siteName={p.siteName}>
      <form method="post" action="/subscribe" class="card narrow" id="subscribe" novalidate>
        <p class="eyebrow">One more step</p>
        <h1>Finish signing up for {p.siteName}</h1>
        <p>Check your address and press the button. We will then email you a link to confirm.</p>
        <div class="field">
          <label for="email">Email address</label>
          <input type="email" id="email" name="email" required autocomplete="email" inputmode="email" maxlength={254} value={p.email} />
        </div>
        <NameHoneypotToken name={p.name} formToken={p.formToken} />
        <button type="submit">Complete my signup</button>
        <p class="fine">{p.consentText}</p>
      </form>
    </Layout>
  );
}

/** A short page with one message and optional form; used by every step of the subscriber lifecycle. */
export function MessagePage(p: {
  siteName: string;
  title: string;
  eyebrow?: string;
  children?: unknown;
  action?: { url: string; label: string; fields?: Record<string, string>; danger?: boolean };
  secondary?: { url: string; label: string };
}) {
  return (
    <Layout title={p.title} siteName={p.siteName}>
      <section class="card narrow">
        {p.eyebrow ? <p class="eyebrow">{p.eyebrow}</p> : null}
        <h1>{p.title}</h1>
        {p.children as never}
        {p.action ? (
          <form method="post" action={p.action.url}>
            {Object.entries(p.action.fields ?? {}).map(([k, v]) => (
              <input type="hidden" name={k} value={v} />
            ))}
            <button type="submit" class={p.action.danger ? 'danger' : undefined}>
              {p.action.label}
            </button>
          </form>
        ) : null}
        {p.secondary ? (
          <p style="margin-top:16px">
            <a href={p.secondary.url}>{p.secondary.label}</a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

/** /preferences/:token: the reader's choices as a form; nothing changes until it is posted. */
export function PreferencesPage(p: {
  siteName: string;
  action: string;
  email: string;
  pausedUntil: string | null;
  textOnly: boolean;
  frequency: 'daily' | 'weekly';
  /** "Mondays at 07:00 (Europe/Berlin)". */
  weeklyWhen: string;
  companies: string[];
  excluded: string[];
  saved?: string;
  error?: string;
}) {
  const out = new Set(p.excluded.map((c) => c.toLowerCase()));
  return (
    <Layout title="Your preferences" siteName={p.siteName}>
      <section class="card narrow">
        <p class="eyebrow">Preferences</p>
        <h1>Your {p.siteName} mail</h1>
        <p class="muted">For {p.email}.</p>
        {p.saved ? (
          <p class="notice ok" role="status">
            {p.saved}
          </p>
        ) : null}
        {p.error ? (
          <p class="notice error" role="alert">
            {p.error}
          </p>
        ) : null}
        <form method="post" action={p.action} class="prefs">
          <fieldset>
            <legend>How often</legend>
            <label class="check">
              <input type="radio" name="frequency" value="daily" checked={p.frequency === 'daily'} /> Every daily issue
            </label>
            <label class="check">
              <input type="radio" name="frequency" value="weekly" checked={p.frequency === 'weekly'} /> Only the weekly edition: the week's best stories, {p.weeklyWhen}
            </label>
          </fieldset>
          <fieldset>
            <legend>Take a break</legend>
            <p class="hint">{p.pausedUntil ? `Paused until ${p.pausedUntil}. Issues start again by themselves after that.` : 'No pause: every issue reaches you.'}</p>
            <label for="pause">Pause</label>
            <select id="pause" name="pause">
              <option value="keep">{p.pausedUntil ? 'Keep the current pause' : 'No pause'}</option>
              {p.pausedUntil ? <option value="0">Resume now</option> : null}
              {[1, 2, 3, 4, 5, 6, 7, 8].map((n) => (
                <option value={String(n)}>{`${n} week${n === 1 ? '' : 's'}`}</option>
              ))}
            </select>
          </fieldset>
          <fieldset>
            <legend>Format</legend>
            <label class="check">
              <input type="checkbox" name="textOnly" value="on" checked={p.textOnly} /> Plain text only (no images, no HTML)
            </label>
          </fieldset>
          {p.companies.length ? (
            <fieldset>
              <legend>Companies to leave out</legend>
              <p class="hint">Stories from a company you tick here are left out of your copy.</p>
              <div class="companies">
                {p.companies.map((c) => (
                  <label class="check">
                    <input type="checkbox" name="exclude" value={c} checked={out.has(c.toLowerCase())} /> {c}
                  </label>
                ))}
              </div>
            </fieldset>
          ) : null}
          <button type="submit">Save preferences</button>
        </form>
      </section>
    </Layout>
  );
}
