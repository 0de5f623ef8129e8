import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { ACCEPTANCE_STATUS_LABEL, listAcceptances } from '../acceptance'
import { ACCEPTANCES_KEY, AcceptanceActions } from '../components/RiskAcceptance'
import { linkClass } from '../components/form'
import { Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'

/** `/acceptances`: requests waiting for an approver, then every acceptance standing. */
export function AcceptancesPage() {
  const queryClient = useQueryClient()
  const pending = useQuery({ queryKey: [...ACCEPTANCES_KEY, 'pending'], queryFn: ({ signal }) => listAcceptances('pending', signal) })
  const approved = useQuery({ queryKey: [...ACCEPTANCES_KEY, 'approved'], queryFn: ({ signal }) => listAcceptances('approved', signal) })
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ACCEPTANCES_KEY })
    await queryClient.invalidateQueries({ queryKey: ['risk-scores'] })
    await queryClient.invalidateQueries({ queryKey: ['dashboard'] })
  }
  return (
    <Page title="Risk acceptances">
      <Section title="Waiting for approval" description="A tenant admin other than the requester approves or rejects each request.">
        {pending.error ? (
          <ProblemAlert error={asProblem(pending.error)} />
        ) : !pending.data ? (
          <p role="status">Loading…</p>
        ) : pending.data.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing waits for approval.</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {pending.data.map((a) => (
              <li key={a.id} className="space-y-2 py-3" data-testid="pending-acceptance">
                <p className="text-sm">
                  <Link to={`/risks/${encodeURIComponent(a.risk_id)}`} className={linkClass}>
                    {a.risk_title}
                  </Link>{' '}
                  until <span className="tabular-nums">{a.expires_at}</span>, requested by {a.requested_by_name ?? 'a former user'}
                </p>
                <p className="text-sm text-slate-800">{a.justification}</p>
                {a.compensating_control_name && (
                  <p className="text-xs text-slate-600">Compensating control: {a.compensating_control_name}</p>
                )}
                <AcceptanceActions acceptance={a} onDone={refresh} />
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Approved">
        {approved.error ? (
          <ProblemAlert error={asProblem(approved.error)} />
        ) : !approved.data ? (
          <p role="status">Loading…</p>
        ) : approved.data.length === 0 ? (
          <p className="text-sm text-slate-600">No risk is accepted.</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {approved.data.map((a) => (
              <li key={a.id} className="py-2 text-sm" data-testid="approved-acceptance">
                <Link to={`/risks/${encodeURIComponent(a.risk_id)}`} className={linkClass}>
                  {a.risk_title}
                </Link>{' '}
                · {ACCEPTANCE_STATUS_LABEL[a.status]} until <span className="tabular-nums">{a.expires_at}</span>
                {a.decided_by_name ? ` by ${a.decided_by_name}` : ''}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </Page>
  )
}
