import { scoreBand } from '../posture'
import { SeverityBadge } from './SeverityBadge'

/** The display band of a posture score, or "not rolled up" when there is none yet. */
export function ScoreBand({ score }: { score: number | null }) {
  if (score === null)
    return (
      <span
        data-testid="severity-badge"
        className="inline-flex shrink-0 items-center rounded-full bg-gray-100 px-2.5 py-0.5 text-xs font-medium text-gray-600 ring-1 ring-inset ring-gray-200"
      >
        not rolled up
      </span>
    )
  return <SeverityBadge severity={scoreBand(score)} />
}
