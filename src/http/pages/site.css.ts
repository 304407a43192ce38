/** The one stylesheet of the public pages (served at /assets/site.css). */
export const SITE_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#16181d;--muted:#5b6270;--line:#e3e6eb;--accent:#2447d6;--accent-ink:#fff;--ok:#13795b;--warn:#a45b00;--bad:#b42318;--radius:14px;--shadow:0 1px 2px rgba(16,24,40,.06),0 4px 16px rgba(16,24,40,.06)}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--card:#171a21;--ink:#eef0f4;--muted:#a3aab8;--line:#2a2f3a;--accent:#7c96ff;--accent-ink:#0b0d12;--shadow:none}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--accent)}
.wrap{max-width:960px;margin:0 auto;padding:0 20px}
.site-header{border-bottom:1px solid var(--line);background:var(--card)}
.site-header .wrap{display:flex;align-items:center;justify-content:space-between;min-height:60px;gap:12px}
.brand{display:flex;align-items:center;gap:10px;min-width:0;color:var(--ink);text-decoration:none;font-weight:700;letter-spacing:-.01em}
.brand-mark{display:inline-grid;place-items:center;width:32px;height:32px;border-radius:8px;background:var(--accent);color:var(--accent-ink);font-size:13px;font-weight:800}
.site-header nav{display:flex;gap:16px;flex:none}
.site-header nav a{color:var(--muted);text-decoration:none;font-weight:500}
.site-header nav a:hover{color:var(--ink)}
main.wrap{padding-top:40px;padding-bottom:56px}
@media (max-width:480px){main.wrap{padding-top:24px}.brand{font-size:15px}.site-header nav{gap:12px;font-size:15px}.brand-mark{width:28px;height:28px;font-size:12px}}
.brand span:last-child{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:0}
.brand-mark{flex:none}
@media (max-width:400px){.site-header .wrap{gap:8px}.site-header nav{gap:10px;font-size:14px}.brand{gap:8px;font-size:14px}}
h1{font-size:clamp(28px,5vw,44px);line-height:1.15;letter-spacing:-.02em;margin:0 0 12px}
h2{font-size:22px;letter-spacing:-.01em;margin:0 0 12px}
h3{font-size:17px;margin:0 0 4px}
p{margin:0 0 12px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;font-weight:700;color:var(--accent);margin-bottom:8px}
.lead{font-size:18px;color:var(--muted);max-width:40em}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);box-shadow:var(--shadow);padding:24px}
.narrow{max-width:560px;margin:24px auto}
.hero{display:grid;grid-template-columns:1.2fr 1fr;gap:32px;align-items:start;margin-bottom:40px}
@media (max-width:760px){.hero{grid-template-columns:1fr;gap:20px}}
.points{list-style:none;padding:0;margin:16px 0 0}
.points li{padding-left:28px;position:relative;margin-bottom:8px}
.points li::before{content:"";position:absolute;left:4px;top:.55em;width:10px;height:10px;border-radius:3px;background:var(--accent)}
form .field{margin-bottom:14px}
label{display:block;font-weight:600;font-size:14px;margin-bottom:6px}
.optional{font-weight:400;color:var(--muted)}
input[type=email],input[type=text],input[type=password],input[type=search],input[type=date],select,textarea{width:100%;font:inherit;padding:11px 12px;border:1px solid var(--line);border-radius:10px;background:var(--bg);color:var(--ink)}
input:focus,select:focus,textarea:focus{outline:2px solid var(--accent);outline-offset:1px}
.button,button{display:inline-block;font:inherit;font-weight:600;padding:11px 18px;border-radius:10px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-ink);text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:transparent;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
form .button,form button[type=submit]{width:100%}
.fine{font-size:13px;color:var(--muted);margin-top:10px}
.hp{position:absolute!important;left:-10000px!important;width:1px;height:1px;overflow:hidden}
.notice{border-radius:10px;padding:12px 14px;margin-bottom:14px;border:1px solid var(--line);background:var(--bg)}
.notice.error{border-color:var(--bad);color:var(--bad)}
.notice.ok{border-color:var(--ok);color:var(--ok)}
.prefs fieldset{border:0;padding:0;margin:0 0 20px}
.prefs legend{font-weight:700;margin-bottom:6px;padding:0}
.prefs .hint{color:var(--muted);margin:0 0 8px}
.prefs label.check{display:flex;gap:10px;align-items:center;font-weight:400}
.prefs label.check input{width:18px;height:18px;flex:none}
.prefs .companies{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:6px 14px}
.prefs-request details{max-width:560px}
.prefs-request summary{cursor:pointer;color:var(--muted)}
.prefs-request form{display:grid;gap:8px;margin-top:12px}
.muted{color:var(--muted)}
.field-error{color:var(--bad);font-size:14px;margin-top:6px}
.section{margin-top:40px}
.sources{columns:3 220px;column-gap:24px;padding:0;list-style:none;margin:0}
.sources li{break-inside:avoid;padding:4px 0;color:var(--muted);border-bottom:1px dashed var(--line)}
.issue-list{list-style:none;padding:0;margin:0}
.issue-list li{padding:14px 0;border-bottom:1px solid var(--line)}
.issue-list .date{color:var(--muted);font-size:14px}
.pager{display:flex;justify-content:space-between;margin-top:16px}
.site-footer{border-top:1px solid var(--line);color:var(--muted);font-size:14px;padding:20px 0}
.article{margin:0 0 22px}
.article .meta{color:var(--muted);font-size:14px}
.signal{border-left:4px solid var(--accent);padding-left:16px}
.patterns p{margin-bottom:10px}
/* archive and issue pages */
.archive-list li{padding:18px 0}
.archive-title{display:block;font-size:19px;font-weight:700;line-height:1.35;color:var(--ink);text-decoration:none;margin:2px 0 4px}
.archive-title:hover{color:var(--accent)}
.archive-preheader{color:var(--muted);margin:0}
.issue{max-width:680px;margin:0 auto}
.issue-head{border-bottom:1px solid var(--line);padding-bottom:16px;margin-bottom:24px}
.issue-head .eyebrow a{color:inherit;text-decoration:none}
.issue-h1{font-family:Georgia,"Times New Roman",serif;font-size:clamp(30px,6vw,42px)}
.issue-count{color:var(--muted);margin:0}
.issue-signal{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:var(--radius);padding:22px 22px 10px;margin-bottom:32px}
.issue-signal-title{font-family:Georgia,"Times New Roman",serif;font-size:clamp(22px,4.5vw,28px);line-height:1.25;margin-bottom:6px}
.issue-signal-title a,.issue-dive h3 a{color:var(--ink);text-decoration:none}
.issue-signal-title a:hover,.issue-dive h3 a:hover{color:var(--accent);text-decoration:underline}
.issue-summary{font-size:17px;line-height:1.65;overflow-wrap:anywhere}
.issue-also{margin-top:-6px}
.issue-why{background:var(--bg,#f6f7fb);border-radius:8px;padding:12px 16px;margin:0 0 16px}
.issue-why .eyebrow{margin:0 0 4px}
.issue-why p:last-child{margin:0;line-height:1.6}
.issue-section{margin-top:36px}
.issue-section h2{font-family:Georgia,"Times New Roman",serif;font-size:24px;border-bottom:2px solid var(--ink);padding-bottom:6px}
.issue-dives{list-style:none;padding:0;margin:0;counter-reset:dive}
.issue-dive{counter-increment:dive;padding:18px 0;border-bottom:1px solid var(--line)}
.issue-dive::before{content:counter(dive,decimal-leading-zero);display:block;color:var(--accent);font-weight:700;font-size:13px;margin-bottom:2px}
.issue-dive h3{font-size:19px;line-height:1.35;margin-bottom:4px;overflow-wrap:anywhere}
.issue .meta{color:var(--muted);font-size:14px;margin-bottom:8px}
.issue-patterns p{font-size:17px;line-height:1.65}
.issue-sources{color:var(--muted);font-size:15px;line-height:1.8}
.issue-cta{margin-top:40px;display:flex;gap:16px;align-items:center;justify-content:space-between;flex-wrap:wrap}
.issue-cta p{margin:0;flex:1 1 280px}
.issue-cta .button{width:auto}
.issue-sources span{white-space:nowrap}
`;
