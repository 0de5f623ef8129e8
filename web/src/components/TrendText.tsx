import { formatTrend } from '../posture'

// Full class strings so Tailwind can see them.
const TREND_CLASS = {
  worse: 'font-semibold text-rose-700',
  better: 'font-semibold text-emerald-700',
  flat: 'text-slate-600',
  none: 'text-slate-500',
} as const

const TREND_LABEL = { worse: 'worse', better: 'better', flat: 'unchanged', none: 'no trend' } as const

/** A 30-day posture change; positive is worse (red ▲), negative better (green ▼). */
export function TrendText({ trend }: { trend: number | null | undefined }) {
  const { text, direction } = formatTrend(trend)
  return (
    <span data-testid="trend" data-direction={direction} className={`tabular-nums ${TREND_CLASS[direction]}`}>
      {text}
      {direction !== 'none' && <span className="sr-only"> ({TREND_LABEL[direction]})</span>}
    </span>
  )
}
