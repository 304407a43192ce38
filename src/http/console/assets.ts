// The console's own stylesheet and its one small script, served from routes so the CSP can forbid inline code.

/** The console stylesheet (served at /admin/assets/console.css). */
export const CONSOLE_CSS = `
:root{--bg:#f4f5f7;--card:#fff;--ink:#111827;--muted:#5b6472;--faint:#8a93a3;--line:#e3e6eb;--line2:#eef0f3;--accent:#2447d6;--accent-soft:#e8edff;--accent-ink:#fff;--ok:#0f7b55;--ok-soft:#e3f5ec;--warn:#9a5800;--warn-soft:#fff3df;--bad:#b42318;--bad-soft:#fdecea;--top:#0f172a;--radius:12px;--shadow:0 1px 2px rgba(16,24,40,.05),0 2px 8px rgba(16,24,40,.04)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1017;--card:#151922;--ink:#e9edf3;--muted:#a1a9b8;--faint:#7c8595;--line:#262c38;--line2:#1d222c;--accent:#8aa2ff;--accent-soft:#1c2647;--accent-ink:#0b0d12;--ok:#4cc38a;--ok-soft:#12291f;--warn:#f0a440;--warn-soft:#2d220f;--bad:#ff7b72;--bad-soft:#311615;--top:#05070b;--shadow:none}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-variant-numeric:tabular-nums}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.wrap{max-width:1180px;margin:0 auto;padding:0 20px}
.top{background:var(--top);color:#fff}
.top .wrap{display:flex;align-items:center;gap:20px;min-height:56px}
.brand{display:flex;align-items:center;gap:10px;color:#fff;font-weight:700;white-space:nowrap}
.brand:hover{text-decoration:none}
.brand-mark{display:inline-grid;place-items:center;width:28px;height:28px;border-radius:7px;background:#3b5bfd;color:#fff;font-size:12px;font-weight:800}
.brand small{font-weight:500;color:#9aa4b5;font-size:13px}
.nav{display:flex;gap:4px;flex:1;overflow-x:auto;scrollbar-width:none}
.nav::-webkit-scrollbar{display:none}
.nav a{color:#c5ccd8;padding:7px 12px;border-radius:8px;font-weight:500;white-space:nowrap}
.nav a:hover{background:rgba(255,255,255,.08);text-decoration:none;color:#fff}
.nav a[aria-current=page]{background:rgba(255,255,255,.14);color:#fff}
.signout button{background:transparent;border:1px solid rgba(255,255,255,.25);color:#dfe4ec;padding:6px 12px;font-weight:500;font-size:14px}
.signout button:hover{background:rgba(255,255,255,.08)}
main.wrap{padding:28px 20px 56px}
.page-head{display:flex;flex-wrap:wrap;align-items:flex-end;justify-content:space-between;gap:12px 20px;margin-bottom:20px}
.page-head h1{margin:0}
.crumb{font-size:13px;color:var(--muted);margin-bottom:4px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
h1{font-size:26px;line-height:1.2;letter-spacing:-.015em;margin:0 0 8px}
h2{font-size:17px;letter-spacing:-.005em;margin:0 0 12px}
h3{font-size:15px;margin:0 0 6px}
p{margin:0 0 10px}
.muted{color:var(--muted)}
.faint{color:var(--faint)}
.small{font-size:13px}
.nowrap{white-space:nowrap}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(270px,1fr));gap:16px;margin-bottom:16px}
.cols{display:grid;grid-template-columns:minmax(0,1.45fr) minmax(0,1fr);gap:16px;align-items:start}
.split{grid-template-columns:minmax(0,1.7fr) minmax(300px,1fr)}
.split>.side{order:2}
@media (max-width:900px){.cols,.split{grid-template-columns:minmax(0,1fr)}.split>.side{order:0}}
.stack>*+*{margin-top:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);box-shadow:var(--shadow);padding:18px 20px;min-width:0}
.card.flush{padding:0;overflow:hidden}
.card.flush>h2,.card.flush>.card-head{padding:16px 20px 0}
.card-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px;flex-wrap:wrap}
.card-head h2{margin-bottom:10px}
.card-head>form.search{flex:1 1 100%}
.kicker{text-transform:uppercase;letter-spacing:.07em;font-size:11px;font-weight:700;color:var(--muted);margin:0 0 6px}
.big{font-size:30px;font-weight:700;letter-spacing:-.02em;line-height:1.15}
.big .unit{font-size:15px;font-weight:500;color:var(--muted);letter-spacing:0;margin-left:4px}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(60px,1fr));gap:10px 14px;margin:10px 0 0;padding:0;list-style:none}
.stats li{display:flex;flex-direction:column;min-width:0}
.stats b{font-size:20px;letter-spacing:-.01em}
.stats span{font-size:12px;color:var(--muted)}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;background:var(--line2);color:var(--muted);white-space:nowrap;border:1px solid transparent}
.badge.ok,.badge.sent,.badge.confirmed{background:var(--ok-soft);color:var(--ok)}
.badge.warn,.badge.sending,.badge.pending,.badge.queued,.badge.draft,.badge.uncertain{background:var(--warn-soft);color:var(--warn)}
.badge.bad,.badge.failed,.badge.bounced{background:var(--bad-soft);color:var(--bad)}
.badge.weekly{background:var(--accent-soft);color:var(--accent);margin-left:6px}
.badge.signal{background:var(--accent-soft);color:var(--accent)}
.badge.by-model{background:var(--warn-soft);color:var(--warn)}
.badge.by-operator{background:var(--ok-soft);color:var(--ok)}
.checks{list-style:none;margin:0;padding:0}
.checks li{padding:12px 0;border-bottom:1px solid var(--line2)}
.checks li:last-child{border-bottom:0}
.check-head{display:flex;justify-content:space-between;align-items:center;gap:12px}
.checks p{margin:4px 0 0;color:var(--muted);font-size:14px;overflow-wrap:anywhere}
.summary-edit{margin-top:6px;font-size:13px}
.summary-edit summary{cursor:pointer;color:var(--muted)}
.summary-edit textarea{width:100%;min-height:84px;margin-top:6px;font:inherit;font-size:14px}
.summary-edit .actions{display:flex;gap:8px;margin-top:6px}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
table.data{width:100%;border-collapse:collapse;font-size:14px}
table.data th{text-align:left;font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;padding:10px 12px;border-bottom:1px solid var(--line);white-space:nowrap;background:var(--card)}
table.data td{padding:10px 12px;border-bottom:1px solid var(--line2);vertical-align:top}
table.data tr:last-child td{border-bottom:0}
table.data td.num,table.data th.num{text-align:right;white-space:nowrap}
table.data tr.excluded td{opacity:.55}
table.data tr.excluded td.title-cell a{text-decoration:line-through}
.title-cell{min-width:220px}
.show-sm{display:none}
.title-cell .meta{font-size:12px;color:var(--muted);margin-top:2px}
.title-cell .meta.mono{font-size:11.5px;word-break:break-all}
table.data th.wrap{white-space:normal;min-width:72px}
.parts{display:flex;flex-wrap:wrap;gap:4px;margin-top:4px}
.parts span{font-size:11px;background:var(--line2);color:var(--muted);border-radius:6px;padding:1px 6px;white-space:nowrap}
.row-actions{display:flex;gap:6px;flex-wrap:wrap;justify-content:flex-end}
label{display:block;font-weight:600;font-size:13px;margin-bottom:5px}
.hint{font-size:12px;color:var(--muted);margin-top:4px}
input[type=email],input[type=text],input[type=password],input[type=search],input[type=date],select,textarea{width:100%;font:inherit;font-size:15px;padding:9px 11px;border:1px solid var(--line);border-radius:9px;background:var(--card);color:var(--ink);min-height:40px}
textarea{min-height:96px;resize:vertical}
input[type=file]{font:inherit;font-size:14px;max-width:100%}
input:focus,select:focus,textarea:focus,button:focus-visible,a:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
.field{margin-bottom:12px}
.inline{display:flex;gap:8px;align-items:flex-end;flex-wrap:wrap}
.inline>.grow{flex:1 1 200px;min-width:0}
.inline .field{margin-bottom:0}
.check{display:flex;gap:8px;align-items:center;font-weight:500;font-size:14px}
.check input{width:18px;height:18px;margin:0}
button,.button{display:inline-flex;align-items:center;justify-content:center;gap:6px;font:inherit;font-size:14px;font-weight:600;padding:8px 14px;min-height:40px;border-radius:9px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-ink);cursor:pointer;white-space:nowrap;text-decoration:none}
.button:hover,button:hover{filter:brightness(1.06);text-decoration:none}
button.secondary,.button.secondary{background:var(--card);color:var(--ink);border-color:var(--line)}
button.secondary:hover,.button.secondary:hover{background:var(--line2);filter:none}
button.danger,.button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
button.ghost{background:transparent;border-color:transparent;color:var(--accent);padding:4px 8px;min-height:32px;font-size:13px}
button.ghost:hover{background:var(--accent-soft);filter:none}
button.small,.button.small{padding:4px 10px;min-height:32px;font-size:13px}
button:disabled{opacity:.5;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.notice{border-radius:10px;padding:11px 14px;margin-bottom:16px;border:1px solid var(--line);background:var(--card);font-size:14px}
.notice.ok{border-color:color-mix(in srgb,var(--ok) 40%,transparent);background:var(--ok-soft);color:var(--ok)}
.notice.error{border-color:color-mix(in srgb,var(--bad) 40%,transparent);background:var(--bad-soft);color:var(--bad)}
.notice.warn{border-color:color-mix(in srgb,var(--warn) 40%,transparent);background:var(--warn-soft);color:var(--warn)}
.empty{text-align:center;padding:34px 20px;color:var(--muted)}
.empty h3{color:var(--ink);font-size:16px}
.empty .actions{justify-content:center;margin-top:12px}
.chips{display:flex;gap:6px;flex-wrap:wrap;margin:0 0 14px;padding:0;list-style:none}
.chips a{display:inline-flex;gap:6px;align-items:center;padding:5px 12px;border-radius:999px;border:1px solid var(--line);background:var(--card);color:var(--ink);font-size:13px;font-weight:500}
.chips a:hover{text-decoration:none;border-color:var(--faint)}
.chips a[aria-current=true]{background:var(--ink);border-color:var(--ink);color:var(--card)}
.chips a span{color:var(--faint);font-weight:600}
.chips a[aria-current=true] span{color:inherit;opacity:.7}
.pager{display:flex;justify-content:space-between;align-items:center;gap:12px;padding:12px 20px;border-top:1px solid var(--line2);font-size:14px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0;font-size:14px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{padding:8px 0 8px 18px;border-left:2px solid var(--line);position:relative;font-size:14px}
.timeline li::before{content:"";position:absolute;left:-6px;top:14px;width:10px;height:10px;border-radius:50%;background:var(--card);border:2px solid var(--accent)}
.timeline .when{color:var(--muted);font-size:12px}
.timeline.bad li::before{border-color:var(--bad)}
.spark{display:block;width:100%;height:56px;margin-top:10px}
.spark .area{fill:var(--accent-soft)}
.spark .line{fill:none;stroke:var(--accent);stroke-width:2;vector-effect:non-scaling-stroke}
.trend{font-size:13px;color:var(--muted);margin-top:4px}
.trend .up{color:var(--ok);font-weight:600}
.trend .down{color:var(--bad);font-weight:600}
progress{appearance:none;-webkit-appearance:none;width:100%;height:14px;border:0;border-radius:999px;background:var(--line2);overflow:hidden;display:block}
progress::-webkit-progress-bar{background:var(--line2);border-radius:999px}
progress::-webkit-progress-value{background:linear-gradient(90deg,var(--accent),#5b7cff);border-radius:999px;transition:width .4s ease}
progress::-moz-progress-bar{background:var(--accent);border-radius:999px}
.progress-card.done progress::-webkit-progress-value{background:var(--ok)}
.progress-card.done progress::-moz-progress-bar{background:var(--ok)}
.progress-figures{display:flex;flex-wrap:wrap;justify-content:space-between;gap:6px 16px;margin-top:10px;font-size:14px}
.progress-figures b{font-size:22px}
.preview-tabs{display:flex;gap:4px;border-bottom:1px solid var(--line);padding:0 20px}
.preview-tabs a{padding:10px 12px;color:var(--muted);font-weight:600;font-size:14px;border-bottom:2px solid transparent;margin-bottom:-1px}
.preview-tabs a:hover{text-decoration:none;color:var(--ink)}
.preview-tabs a[aria-current=page]{color:var(--accent);border-color:var(--accent)}
iframe.preview{display:block;width:100%;height:880px;border:0;background:#fff}
pre.snippet{margin:0;padding:14px 16px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12.5px;line-height:1.5;background:var(--bg, #f6f7f9);border-radius:8px;overflow:auto;user-select:all}
pre.text-part{margin:0;padding:18px 20px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px;line-height:1.55;max-height:880px;overflow:auto}
.signin{max-width:400px;margin:8vh auto 0}
.signin .brand{color:var(--ink);margin-bottom:18px;font-size:17px}
.signin .brand small{color:var(--muted)}
.signin button{width:100%}
.confirm-box{max-width:560px;margin:4vh auto 0}
.confirm-box .big{margin:8px 0 12px}
.section-gap{margin-top:16px}
.section-gap-b{margin-bottom:16px}
.pad-x{padding:0 20px;margin-top:-4px}
details.more summary{cursor:pointer;font-weight:600;font-size:14px;color:var(--accent)}
details.more[open] summary{margin-bottom:10px}
.headers{font-size:13px}
@media (max-width:640px){
  .wrap{padding:0 14px}
  main.wrap{padding:18px 14px 40px}
  .top .wrap{flex-wrap:wrap;gap:0 12px;padding-top:8px}
  .brand small{display:none}
  .nav{order:3;flex-basis:100%;padding:6px 0 8px;margin:0 -4px}
  .signout{margin-left:auto}
  h1{font-size:22px}
  .card{padding:14px 15px}
  .card.flush>h2,.card.flush>.card-head{padding:14px 15px 0}
  table.data th,table.data td{padding:9px 10px}
  .hide-sm{display:none}
  .show-sm{display:block}
  .grid.kpis{grid-template-columns:repeat(3,minmax(0,1fr));gap:8px}
  .grid.kpis .card{padding:10px 12px}
  .grid.kpis .kicker{font-size:10px;letter-spacing:.04em}
  .grid.kpis .big{font-size:22px}
  .grid.kpis .big .unit{display:block;margin:0;font-size:12px}
  .title-cell{min-width:150px}
  .nav a{padding:6px 9px;font-size:14px}
  table.articles thead{display:none}
  table.articles tr{display:grid;grid-template-columns:28px minmax(0,1fr) 44px;border-bottom:1px solid var(--line2)}
  table.articles td{border-bottom:0}
  table.articles td.title-cell{min-width:0}
  table.articles td.acts{grid-column:2 / 4;padding-top:0}
  table.articles .row-actions{justify-content:flex-start}
  .big{font-size:26px}
  iframe.preview{height:680px}
  .pager{padding:12px 15px}
  .pad-x{padding:0 15px}
  .preview-tabs{padding:0 10px}
}
`;

/**
 * The console script: polls a sending issue's progress and updates the bar, rate and ETA in place.
 * Everything works without it; it only saves reloading.
 */
export const CONSOLE_JS = `(function () {
  'use strict';
  var box = document.querySelector('[data-progress-url]');
  if (!box) return;
  var url = box.getAttribute('data-progress-url');
  if (box.getAttribute('data-done') === 'true') return;
  var bar = box.querySelector('progress');
  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el) el.textContent = value;
  }
  function tick() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) return later(5000);
        if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.done ? Math.max(p.total, 1) : p.finished; }
        set('percent', p.percentText);
        set('finished', p.finishedText);
        set('pace', p.paceText);
        set('sent', p.sentText);
        set('failed', p.failedText);
        set('queued', p.queuedText);
        box.setAttribute('data-done', p.done ? 'true' : 'false');
        var badge = document.querySelector('[data-issue-status]');
        if (badge && p.issueStatus) { badge.textContent = p.issueStatus; badge.className = 'badge ' + p.issueStatus; }
        if (p.done) {
          box.classList.add('done');
          setTimeout(function () { location.reload(); }, 1200);
          return;
        }
        later(1000);
      })
      .catch(function () { later(5000); });
  }
  function later(ms) { setTimeout(tick, ms); }
  later(500);
})();
`;
