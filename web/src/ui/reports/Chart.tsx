import { niceMax, ticks } from '../../lib/reports';

// Charts drawn as plain SVG: two chart kinds (grouped bars, lines) with a
// grid and labels are about a hundred lines, less than any charting library
// would add to the Reports chunk. Colours come from the stylesheet
// (.chart-s0 …), so light and dark follow prefers-color-scheme. The table
// under every chart carries the same figures for screen readers.

export interface Series {
  name: string;
  values: (number | null)[];
}

interface Props {
  kind: 'bar' | 'line';
  labels: string[];
  series: Series[];
  title: string;
  /** formatY labels the y axis (e.g. minutes); default: the number. */
  formatY?: (v: number) => string;
  testId?: string;
}

const W = 720;
const H = 220;
const pad = { l: 48, r: 12, t: 12, b: 28 };

export function Chart({ kind, labels, series, title, formatY = (v) => String(Math.round(v * 10) / 10), testId }: Props) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceMax(Math.max(0, ...all));
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const n = Math.max(labels.length, 1);
  const slot = iw / n;
  const y = (v: number) => pad.t + ih - (v / max) * ih;
  const x = (i: number) => pad.l + slot * i + slot / 2;
  // At most about 12 x labels, so they never overlap.
  const every = Math.max(1, Math.ceil(labels.length / 12));
  const barW = Math.max(1, Math.min(24, (slot * 0.8) / Math.max(series.length, 1)));

  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {ticks(max).map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} />
            <text className="chart-axis" x={pad.l - 6} y={y(v) + 4} textAnchor="end">
              {formatY(v)}
            </text>
          </g>
        ))}
        {labels.map((l, i) =>
          i % every === 0 ? (
            <text key={l} className="chart-axis" x={x(i)} y={H - 8} textAnchor="middle">
              {l.slice(5)}
            </text>
          ) : null,
        )}
        {kind === 'bar'
          ? series.map((s, si) =>
              s.values.map((v, i) =>
                v ? (
                  <rect
                    key={`${si}-${i}`}
                    className={`chart-s${si}`}
                    x={x(i) - (barW * series.length) / 2 + barW * si}
                    y={y(v)}
                    width={barW}
                    height={pad.t + ih - y(v)}
                  >
                    <title>{`${labels[i]} · ${s.name}: ${v}`}</title>
                  </rect>
                ) : null,
              ),
            )
          : series.map((s, si) => {
              const pts = s.values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`));
              // A gap (no value) breaks the line instead of drawing it to zero.
              const runs: string[][] = [[]];
              for (const p of pts) {
                if (p === null) runs.push([]);
                else runs[runs.length - 1]?.push(p);
              }
              return (
                <g key={s.name} className={`chart-line chart-s${si}`}>
                  {runs
                    .filter((r) => r.length > 0)
                    .map((r) => (
                      <polyline key={r[0]} points={r.join(' ')} fill="none" />
                    ))}
                  {s.values.map((v, i) =>
                    v === null ? null : (
                      <circle key={i} cx={x(i)} cy={y(v)} r={3}>
                        <title>{`${labels[i]} · ${s.name}: ${formatY(v)}`}</title>
                      </circle>
                    ),
                  )}
                </g>
              );
            })}
      </svg>
      <figcaption className="chart-legend">
        {series.map((s, si) => (
          <span key={s.name}>
            <i className={`chart-key chart-s${si}`} aria-hidden="true" /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
