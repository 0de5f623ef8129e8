import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import type { Schema } from '../api/client'
import { getExplanation } from '../scores'
import { AcceptedBadge } from './AcceptedBadge'
import { PostureScore } from './PostureScore'

const STATE_LABEL: Record<string, string> = {
  green: 'Green',
  amber: 'Amber',
  red: 'Red',
  stale: 'Stale',
  no_data: 'No data',
  effective: 'Effective',
  partial: 'Partial',
  ineffective: 'Ineffective',
  not_implemented: 'Not implemented',
}

/** Why the risk scores what it does: the pipeline's share of each linked KRI and control. */
export function RiskExplanation({ riskId }: { riskId: string }) {
  const query = useQuery({
    queryKey: ['risk-explanation', riskId],
    queryFn: ({ signal }) => getExplanation(riskId, signal),
  })
  if (query.isPending) return <p role="status">Loading the score…</p>
  if (query.isError || !query.data) return <p className="text-sm text-rose-800">Could not load the risk's score.</p>
  return <ExplanationView explanation={query.data} kriHref={(id) => `/kris/${encodeURIComponent(id)}`} />
}

/** An explanation as the pipeline stored it; KRIs link to `kriHref` when given (the MSP's
 * read-only view has no KRI page to open, so it names them only). */
export function ExplanationView({ explanation, kriHref }: { explanation: Schema<'Explanation'>; kriHref?: (kriId: string) => string }) {
  const { risk, contributions, formula } = explanation
  return (
    <section aria-labelledby="explanation-title" data-testid="risk-explanation" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="explanation-title" className="text-base font-semibold text-slate-900">
        Score and why
      </h2>
      <p data-testid="risk-score" data-severity={risk.severity} className="flex flex-wrap items-center gap-3">
        <PostureScore score={risk.score} band={risk.severity} size="lg" />
        <AcceptedBadge until={risk.accepted_until} />
      </p>
      {contributions.length === 0 ? (
        <p className="text-sm text-slate-600">No linked KRI or control: this risk is not assessed yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="contributions">
            <caption className="sr-only">Each linked KRI's and control's share of the score</caption>
            <thead>
              <tr className="text-left text-xs text-slate-600">
                <th scope="col" className="py-1 pr-3">Contributor</th>
                <th scope="col" className="py-1 pr-3">Kind</th>
                <th scope="col" className="py-1 pr-3">State</th>
                <th scope="col" className="py-1 pr-3 text-right">Points</th>
                <th scope="col" className="py-1 text-right">Share</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {contributions.map((c) => (
                <tr key={`${c.kind}-${c.id}`} data-testid="contribution" data-kind={c.kind}>
                  <td className="py-1 pr-3">
                    {c.kind === 'kri' && kriHref ? (
                      <Link to={kriHref(c.id)} className="text-sky-800 underline">
                        {c.name}
                      </Link>
                    ) : (
                      c.name
                    )}
                  </td>
                  <td className="py-1 pr-3">{c.kind === 'kri' ? 'KRI' : 'Control'}</td>
                  <td className="py-1 pr-3">{STATE_LABEL[c.state] ?? c.state}</td>
                  <td className="py-1 pr-3 text-right tabular-nums">+{c.contribution.toFixed(1)}</td>
                  <td className="py-1 text-right tabular-nums">{c.share === null ? '—' : `${Math.round(c.share * 100)} %`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="text-xs text-slate-600">{formula}</p>
    </section>
  )
}
