/** A KRI's last days as a tiny line (daily means), with its range for screen readers. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  if (values.length < 2) return null
  const min = Math.min(...values)
  const max = Math.max(...values)
  const range = max - min || 1
  const points = values.map((v, i) => `${((i / (values.length - 1)) * 100).toFixed(1)},${(18 - ((v - min) / range) * 16).toFixed(1)}`)
  return (
    <svg
      data-testid="kri-sparkline"
      viewBox="0 0 100 20"
      preserveAspectRatio="none"
      role="img"
      aria-label={`${label}: last ${values.length} days, from ${values[0]} to ${values[values.length - 1]}`}
      className="h-6 w-full"
    >
      <polyline points={points.join(' ')} fill="none" stroke="#334155" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
    </svg>
  )
}
