import type { KriDirection } from '../api'
import { directionText, formatNumber, formatValue } from '../kri'
import type { ObservationPoint } from '../riskModel'

// The drawing's own coordinate system; the SVG scales to its container's width.
const W = 720
const H = 280
const M = { top: 16, right: 16, bottom: 28, left: 56 }
const PLOT_W = W - M.left - M.right
const PLOT_H = H - M.top - M.bottom

export interface ChartScale {
  lo: number
  hi: number
  /** The SVG y of a value (larger values are higher up, i.e. a smaller y). */
  y: (value: number) => number
}

/** The value range shown: every point's min/max and both thresholds, with a little headroom. */
export function valueScale(points: readonly ObservationPoint[], warn: number, critical: number): ChartScale {
  const values = [warn, critical]
  for (const p of points) values.push(p.value, p.min, p.max)
  const finite = values.filter((v) => Number.isFinite(v))
  let lo = finite.length ? Math.min(...finite) : 0
  let hi = finite.length ? Math.max(...finite) : 1
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1
    lo -= pad
    hi += pad
  } else {
    const pad = (hi - lo) * 0.1
    lo -= pad
    hi += pad
  }
  return { lo, hi, y: (v) => M.top + ((hi - v) / (hi - lo)) * PLOT_H }
}

function shortDate(ms: number): string {
  return new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
}

interface Props {
  name: string
  points: readonly ObservationPoint[]
  warn: number
  critical: number
  direction: KriDirection
  unit: string
  /** The requested range (ISO); the points' own range without them. */
  start?: string
  end?: string
}

/** A hand-drawn line chart of a KRI's history, with its warn and critical thresholds dashed. */
export function KriChart({ name, points, warn, critical, direction, unit, start, end }: Props) {
  const scale = valueScale(points, warn, critical)
  const times = points.map((p) => Date.parse(p.t)).filter((t) => !Number.isNaN(t))
  let t0 = start ? Date.parse(start) : NaN
  let t1 = end ? Date.parse(end) : NaN
  if (Number.isNaN(t0)) t0 = times.length ? Math.min(...times) : Date.now()
  if (Number.isNaN(t1)) t1 = times.length ? Math.max(...times) : t0 + 1
  if (t1 <= t0) t1 = t0 + 1
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * PLOT_W

  const coords = points
    .map((p) => ({ p, t: Date.parse(p.t) }))
    .filter(({ t }) => !Number.isNaN(t))
    .map(({ p, t }) => ({ p, x: x(t), y: scale.y(p.value) }))
  const line = coords.map((c, i) => `${i === 0 ? 'M' : 'L'}${c.x.toFixed(1)},${c.y.toFixed(1)}`).join(' ')
  const band =
    coords.length > 1 && points.some((p) => p.n > 1)
      ? [
          ...coords.map((c) => `${c.x.toFixed(1)},${scale.y(c.p.max).toFixed(1)}`),
          ...[...coords].reverse().map((c) => `${c.x.toFixed(1)},${scale.y(c.p.min).toFixed(1)}`),
        ].join(' ')
      : null

  const yTicks = Array.from({ length: 5 }, (_, i) => scale.lo + ((scale.hi - scale.lo) * i) / 4)
  const xTicks = Array.from({ length: 4 }, (_, i) => t0 + ((t1 - t0) * i) / 3)

  const thresholds = [
    { key: 'warn', label: 'Warn', value: warn, stroke: 'stroke-amber-500', fill: 'fill-amber-700' },
    { key: 'critical', label: 'Critical', value: critical, stroke: 'stroke-rose-600', fill: 'fill-rose-700' },
  ] as const

  const summary = `History of ${name}: ${points.length} ${points.length === 1 ? 'point' : 'points'}; warn ${formatValue(
    warn,
    unit,
  )}, critical ${formatValue(critical, unit)}; ${directionText(direction).toLowerCase()}.`

  return (
    <figure className="space-y-2">
      <svg
        data-testid="kri-chart"
        data-direction={direction}
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label={summary}
        className="h-auto w-full overflow-visible"
      >
        <title>{summary}</title>
        {yTicks.map((v, i) => (
          <g key={`y${i}`}>
            <line x1={M.left} x2={W - M.right} y1={scale.y(v)} y2={scale.y(v)} className="stroke-slate-100" />
            <text x={M.left - 6} y={scale.y(v)} textAnchor="end" dominantBaseline="middle" className="fill-slate-500 text-[11px]">
              {formatNumber(v)}
            </text>
          </g>
        ))}
        {xTicks.map((t, i) => (
          <text
            key={`x${i}`}
            x={x(t)}
            y={H - 8}
            textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
            className="fill-slate-500 text-[11px]"
          >
            {shortDate(t)}
          </text>
        ))}
        <line x1={M.left} x2={W - M.right} y1={M.top + PLOT_H} y2={M.top + PLOT_H} className="stroke-slate-300" />

        {band && <polygon points={band} data-testid="kri-band" className="fill-sky-500/15 stroke-none" />}
        {coords.length > 1 && (
          <path d={line} data-testid="kri-series" fill="none" strokeWidth={2} className="stroke-sky-700" strokeLinejoin="round" />
        )}
        {coords.length <= 60 &&
          coords.map((c) => (
            <circle key={c.p.t} cx={c.x} cy={c.y} r={coords.length === 1 ? 4 : 2.5} className="fill-sky-700" data-testid="kri-point">
              <title>{`${new Date(c.p.t).toLocaleString()}: ${formatValue(c.p.value, unit)}`}</title>
            </circle>
          ))}

        {thresholds.map((th) => (
          <g key={th.key}>
            <line
              data-testid={`threshold-${th.key}`}
              data-value={th.value}
              x1={M.left}
              x2={W - M.right}
              y1={scale.y(th.value)}
              y2={scale.y(th.value)}
              strokeDasharray="6 4"
              strokeWidth={1.5}
              className={th.stroke}
            />
            <text
              data-testid={`threshold-${th.key}-label`}
              x={W - M.right - 4}
              y={scale.y(th.value) - 4}
              textAnchor="end"
              className={`${th.fill} text-[11px] font-semibold`}
            >
              {`${th.label} ${formatValue(th.value, unit)}`}
            </text>
          </g>
        ))}
      </svg>
      {points.length === 0 && (
        <figcaption className="text-sm text-slate-600" data-testid="kri-chart-empty">
          No observations in this range.
        </figcaption>
      )}
    </figure>
  )
}
