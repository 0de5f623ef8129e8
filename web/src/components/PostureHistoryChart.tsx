import type { HistoryPoint } from '../scores'

const W = 600
const H = 160
const PAD = 28
const BANDS: { name: string; from: number; to: number; fill: string }[] = [
  { name: 'critical', from: 75, to: 100, fill: '#fde2e1' },
  { name: 'high', from: 50, to: 75, fill: '#feecd6' },
  { name: 'medium', from: 25, to: 50, fill: '#fdf6d3' },
  { name: 'low', from: 0, to: 25, fill: '#e4f4e8' },
]

const y = (score: number) => PAD / 2 + (H - PAD) * (1 - score / 100)

/** Daily posture scores as a line over the severity bands (0–100, higher is worse). */
export function PostureHistoryChart({ points, title }: { points: HistoryPoint[]; title: string }) {
  const scored = points.filter((p): p is HistoryPoint & { score: number } => p.score !== null)
  const first = scored[0]
  const last = scored[scored.length - 1]
  const t0 = first ? Date.parse(first.day) : 0
  const span = first && last ? Math.max(Date.parse(last.day) - t0, 1) : 1
  const coords = scored.map((p) => `${(PAD + ((W - PAD - 4) * (Date.parse(p.day) - t0)) / span).toFixed(1)},${y(p.score).toFixed(1)}`)
  const summary = first && last
    ? `${title}: ${scored.length} days, from ${first.score.toFixed(1)} on ${first.day} to ${last.score.toFixed(1)} on ${last.day} (higher is worse).`
    : `${title}: no history yet.`
  return (
    <figure data-testid="posture-history" className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
      <figcaption className="mb-1 text-sm font-semibold text-slate-900">{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} className="h-auto w-full">
        {BANDS.map((b) => (
          <g key={b.name}>
            <rect x={PAD} y={y(b.to)} width={W - PAD} height={y(b.from) - y(b.to)} fill={b.fill} />
            <text x={2} y={y(b.to) + 10} fontSize={9} fill="#334155">
              {b.to}
            </text>
          </g>
        ))}
        {coords.length > 1 && <polyline points={coords.join(' ')} fill="none" stroke="#1f3a93" strokeWidth={2} />}
        {coords.length === 1 && last && <circle cx={W - 8} cy={y(last.score)} r={3} fill="#1f3a93" />}
      </svg>
      <p className="sr-only">{summary}</p>
    </figure>
  )
}
