import { useQuery } from '@tanstack/react-query'
import { getRiskScores } from '../scores'
import { AcceptedBadge } from './AcceptedBadge'
import { PostureScore } from './PostureScore'

/** A risk list's score and severity column: every row reads the one `/api/risk-scores` answer
 * (react-query shares it), so the list costs one extra request, not one per row. */
export function RiskScoreCell({ riskId }: { riskId: string }) {
  const scores = useQuery({ queryKey: ['risk-scores'], queryFn: ({ signal }) => getRiskScores(signal), staleTime: 30_000 })
  const found = scores.data?.find((s) => s.risk_id === riskId)
  if (!found) return <span className="text-slate-600">—</span>
  return (
    <span data-testid="risk-list-score" data-severity={found.severity} className="inline-flex flex-wrap items-center gap-2">
      <PostureScore score={found.score} band={found.severity} />
      <AcceptedBadge until={found.accepted_until} />
    </span>
  )
}
