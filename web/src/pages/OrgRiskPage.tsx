import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { answer, api } from '../api/client'
import { linkClass } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { formatDateTime, Page } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { ExplanationView } from '../components/RiskExplanation'

/** `/orgs/:orgId/tenants/:tenantId/risks/:riskId`: a master admin's read-only view of one of the
 * organization's tenants' risks, opened from the heat map; the API audits the read. */
export function OrgRiskPage({ orgId, tenantId, riskId }: { orgId: string; tenantId: string; riskId: string }) {
  const query = useQuery({
    queryKey: ['org-risk-explanation', orgId, tenantId, riskId],
    queryFn: async ({ signal }) =>
      answer(
        await api.GET('/api/orgs/{org_id}/tenants/{tenant_id}/risks/{risk_id}/explanation', {
          params: { path: { org_id: orgId, tenant_id: tenantId, risk_id: riskId } },
          signal,
        }),
      ),
  })
  const back = orgId ? `/orgs/${encodeURIComponent(orgId)}` : '/org'
  const data = query.data
  return (
    <Page
      title={data ? data.risk.title : 'Risk'}
      titleTestId="org-risk-title"
      eyebrow={data ? `${data.tenant_name} · read-only` : undefined}
      actions={
        <Link to={back} className={linkClass}>
          Back to the organization
        </Link>
      }
    >
      {query.isPending && <LoadingPanel label="Loading the risk…" />}
      {query.isError && <ProblemAlert error={asProblem(query.error)} />}
      {data && (
        <>
          <p className="text-sm text-slate-600" data-testid="org-risk-note">
            You see this risk as its tenant's analysts do, without changing anything; opening it is recorded in the
            organization's audit log. Scores are {data.direction}.
            {data.risk.computed_at && ` Computed ${formatDateTime(data.risk.computed_at)}.`}
          </p>
          <ExplanationView explanation={data} />
        </>
      )}
    </Page>
  )
}
