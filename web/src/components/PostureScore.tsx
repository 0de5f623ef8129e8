import type { Severity } from '../api'
import { bandOf, postureLabel } from '../scores'
import { SeverityBadge } from './SeverityBadge'

/**
 * The one presentation of a posture (or risk) score everywhere it shows: the score with one
 * decimal, its band and the scale's direction — "72.6 · High (higher is worse)".
 */
export function PostureScore({
  score,
  band,
  size = 'md',
}: {
  score: number | null | undefined
  /** The server's band when it sent one; otherwise derived from the score. */
  band?: Severity
  size?: 'md' | 'lg'
}) {
  const severity = band ?? bandOf(score)
  const label = postureLabel(score, severity)
  if (score === null || score === undefined) {
    return (
      <span data-testid="posture-score-value" className="text-slate-600">
        {label}
      </span>
    )
  }
  return (
    <span data-testid="posture-score-value" aria-label={label} className="inline-flex flex-wrap items-center gap-2">
      <span className={`font-semibold tabular-nums text-slate-900 ${size === 'lg' ? 'text-2xl' : ''}`}>{score.toFixed(1)}</span>
      <SeverityBadge severity={severity} />
      <span className="text-xs text-slate-600">higher is worse</span>
    </span>
  )
}
