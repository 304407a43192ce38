/** @jsxImportSource hono/jsx */
// Charts drawn on the server as SVG: no script, no library, readable at a phone's width. Labels and numbers are HTML
// beside the drawing, so they keep their size when the SVG stretches.

/** One bar: the readers' part (accent) and, stacked after it in a fainter tone, the machines'. */
export interface Bar {
  label: string;
  href?: string;
  value: number;
  /** Shown after the value, e.g. machine clicks or votes. */
  secondary?: number;
  note?: string;
}

const fmt = (n: number) => n.toLocaleString('en');

/** The legend under a chart: what the solid and the lighter part count. */
function ChartKey(p: { main: string; second?: string }) {
  return (
    <figcaption class="chart-key small muted">
      <span class="key c-main" /> {p.main}
      {p.second ? (
        <>
          {' '}
          <span class="key c-second" /> {p.second}
        </>
      ) : null}
    </figcaption>
  );
}

/** Horizontal bars, one row each, scaled to the largest. */
export function HBarChart(p: { bars: Bar[]; label: string; valueName: string; secondaryName?: string; /** Long labels: each above its bar. */ stacked?: boolean }) {
  const max = Math.max(1, ...p.bars.map((b) => b.value + (b.secondary ?? 0)));
  return (
    <figure class={`chart hbars${p.stacked ? ' stacked' : ''}`} role="group" aria-label={p.label}>
      {p.bars.map((b) => {
        const w = (b.value / max) * 100;
        const s = ((b.secondary ?? 0) / max) * 100;
        return (
          <div class="hbar">
            <span class="hbar-label" title={b.label}>
              {b.href ? <a href={b.href}>{b.label}</a> : b.label}
            </span>
            <svg class="hbar-plot" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
              <rect class="c-track" x="0" y="0" width="100" height="10" rx="1" />
              {w > 0 ? <rect class="c-main" x="0" y="0" width={w.toFixed(2)} height="10" rx="1" /> : null}
              {s > 0 ? <rect class="c-second" x={w.toFixed(2)} y="0" width={s.toFixed(2)} height="10" rx="1" /> : null}
            </svg>
            <span class="hbar-value">
              <b>{fmt(b.value)}</b>
              {b.secondary ? <span class="faint"> +{fmt(b.secondary)}</span> : null}
              {b.note ? <span class="faint"> {b.note}</span> : null}
            </span>
          </div>
        );
      })}
      <ChartKey main={p.valueName} second={p.secondaryName} />
    </figure>
  );
}

/** Columns over time (one per issue or day), with the first and last labels under them. */
export function ColumnChart(p: { points: Bar[]; label: string; valueName: string; secondaryName?: string }) {
  const n = Math.max(1, p.points.length);
  const max = Math.max(1, ...p.points.map((b) => b.value + (b.secondary ?? 0)));
  const gap = n > 40 ? 0.15 : 0.25;
  const w = 100 / n;
  return (
    <figure class="chart columns" role="group" aria-label={p.label}>
      <div class="chart-frame">
        <span class="chart-max small faint">{fmt(max)}</span>
        <svg class="col-plot" viewBox="0 0 100 50" preserveAspectRatio="none" role="img" aria-label={p.label}>
          <line class="c-axis" x1="0" y1="50" x2="100" y2="50" />
          {p.points.map((b, i) => {
            const h = (b.value / max) * 48;
            const hs = ((b.secondary ?? 0) / max) * 48;
            const x = i * w + (w * gap) / 2;
            return (
              <g>
                <title>{`${b.label}: ${fmt(b.value)}${b.secondary ? ` (+${fmt(b.secondary)})` : ''}${b.note ? ` ${b.note}` : ''}`}</title>
                {hs > 0 ? <rect class="c-second" x={x.toFixed(2)} y={(50 - h - hs).toFixed(2)} width={(w * (1 - gap)).toFixed(2)} height={hs.toFixed(2)} /> : null}
                <rect class="c-main" x={x.toFixed(2)} y={(50 - h).toFixed(2)} width={(w * (1 - gap)).toFixed(2)} height={Math.max(h, b.value ? 0.6 : 0).toFixed(2)} />
              </g>
            );
          })}
        </svg>
      </div>
      <div class="chart-ends small faint">
        <span>{p.points[0]?.label ?? ''}</span>
        <span>{p.points.length > 1 ? p.points[p.points.length - 1]!.label : ''}</span>
      </div>
      <ChartKey main={p.valueName} second={p.secondaryName} />
    </figure>
  );
}

/** Lines over days (e.g. readers, and the weekly ones among them), with the last values named. */
export function LineChart(p: { days: string[]; series: { name: string; values: number[]; cls: 'c-main' | 'c-second' }[]; label: string }) {
  const n = p.days.length;
  const max = Math.max(1, ...p.series.flatMap((s) => s.values));
  const x = (i: number) => (n > 1 ? (i / (n - 1)) * 100 : 50);
  const y = (v: number) => 48 - (v / max) * 46;
  return (
    <figure class="chart lines" role="group" aria-label={p.label}>
      <div class="chart-frame">
        <span class="chart-max small faint">{fmt(max)}</span>
        <svg class="line-plot" viewBox="0 0 100 50" preserveAspectRatio="none" role="img" aria-label={p.label}>
          <line class="c-axis" x1="0" y1="50" x2="100" y2="50" />
          {p.series.map((s, k) => (
            <>
              {k === 0 ? <path class="c-area" d={`M0,50 ${s.values.map((v, i) => `L${x(i).toFixed(2)},${y(v).toFixed(2)}`).join(' ')} L100,50 Z`} /> : null}
              <polyline class={`c-line ${s.cls}`} points={s.values.map((v, i) => `${x(i).toFixed(2)},${y(v).toFixed(2)}`).join(' ')} />
            </>
          ))}
        </svg>
      </div>
      <div class="chart-ends small faint">
        <span>{p.days[0] ?? ''}</span>
        <span>{p.days[n - 1] ?? ''}</span>
      </div>
      <figcaption class="chart-key small muted">
        {p.series.map((s) => (
          <>
            <span class={`key ${s.cls}`} /> {s.name} <b>{fmt(s.values[s.values.length - 1] ?? 0)}</b>{' '}
          </>
        ))}
      </figcaption>
    </figure>
  );
}

/** The charts' styles, appended to the console stylesheet. */
export const CHART_CSS = `
.chart{margin:0}
.weights .weight-actions{display:flex;gap:8px;margin-top:6px}
.weights .weight-actions:empty{display:none}
.weights button.small{padding:4px 10px;font-size:13px}
.stack>.grid{margin-bottom:0}
.stack>.cols+.cols,.stack>.grid+.cols{margin-top:16px}
.hbars{display:grid;gap:6px}
.hbar{display:grid;grid-template-columns:minmax(90px,34%) minmax(60px,1fr) auto;gap:10px;align-items:center;font-size:14px}
.hbar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.hbars.stacked{gap:10px}
.hbars.stacked .hbar{grid-template-columns:minmax(0,1fr) auto;gap:2px 10px}
.hbars.stacked .hbar-label{grid-column:1/-1;white-space:normal;line-height:1.35}
.hbar-plot{width:100%;height:14px;display:block}
.hbar-value{white-space:nowrap;text-align:right;min-width:3.5em}
.c-track{fill:var(--line2)}
.c-main{fill:var(--accent)}
.c-second{fill:var(--faint);opacity:.45}
.c-axis{stroke:var(--line);stroke-width:1;vector-effect:non-scaling-stroke}
.c-area{fill:var(--accent-soft)}
.c-line{fill:none;stroke-width:2;vector-effect:non-scaling-stroke;stroke-linejoin:round}
.c-line.c-main{stroke:var(--accent);fill:none}
.c-line.c-second{stroke:var(--warn);opacity:1;fill:none}
.chart-frame{position:relative;padding-top:16px}
.chart-max{position:absolute;top:0;left:0}
.col-plot,.line-plot{width:100%;height:160px;display:block}
.chart-ends{display:flex;justify-content:space-between;margin-top:4px}
.chart-key{margin-top:8px;display:flex;flex-wrap:wrap;align-items:center;gap:4px 6px}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;background:var(--accent)}
.key.c-second{background:var(--faint);opacity:.6}
.lines .key.c-second{background:var(--warn);opacity:1}
@media (max-width:600px){.hbar{grid-template-columns:minmax(80px,40%) minmax(40px,1fr) auto;font-size:13px}.col-plot,.line-plot{height:120px}}
`;
