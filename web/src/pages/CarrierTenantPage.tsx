import type { ReactNode } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { ProblemError } from '../api'
import { linkClass } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { formatDateTime, Page } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { PostureScore } from '../components/PostureScore'
import { CarrierTrends } from '../components/ScopeTrends'
import { SeverityBadge } from '../components/SeverityBadge'
import { TrendText } from '../components/TrendText'
import { getCarrierTenant } from '../endpoints'
import type { PortfolioRow } from '../identity'
import { formatCount, formatScore, formatShare } from '../posture'

const cardClass = 'rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm'

function Stat({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <li className={cardClass}>
      <div className="text-2xl font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {children}
      </div>
      <div className="text-xs font-medium text-slate-600">{label}</div>
    </li>
  )
}

function TenantDetail({ tenant }: { tenant: PortfolioRow }) {
  return (
    <section aria-label="Posture" data-testid="carrier-tenant" className="space-y-3">
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
        <SeverityBadge severity={tenant.band} />
        <span>
          Posture as of{' '}
          {tenant.posture_computed_at ? (
            <time dateTime={tenant.posture_computed_at}>{formatDateTime(tenant.posture_computed_at)}</time>
          ) : (
            'never (not rolled up yet)'
          )}
        </span>
      </div>
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Posture score" testId="detail-score">
          <PostureScore score={tenant.posture_score} band={tenant.band} />
        </Stat>
        <Stat label="30-day trend" testId="detail-trend">
          <TrendText trend={tenant.trend_30d} />
        </Stat>
        <Stat label="Score 30 days ago" testId="detail-score-30d">
          {formatScore(tenant.score_30d_ago)}
        </Stat>
        <Stat label="Critical / high risks" testId="detail-risks">
          {formatCount(tenant.risks_critical)} / {formatCount(tenant.risks_high)}
        </Stat>
        <Stat label="KRIs" testId="detail-kris">
          {formatCount(tenant.kri_count)}
        </Stat>
        <Stat label="Stale KRIs" testId="detail-stale">
          {formatShare(tenant.stale_share)}
        </Stat>
      </ul>
      <CarrierTrends only={tenant.tenant_id} />
    </section>
  )
}

/** `/carrier/tenants/:tenantId`: one insured of the book; 404 once it has left the book. */
export function CarrierTenantPage({ tenantId }: { tenantId: string }) {
  const tenant = useQuery({
    queryKey: ['carrier-tenant', tenantId],
    queryFn: ({ signal }) => getCarrierTenant(tenantId, signal),
  })
  const gone = tenant.error instanceof ProblemError && tenant.error.status === 404

  return (
    <Page
      title={tenant.data?.tenant_name ?? 'Insured'}
      titleTestId="carrier-tenant-name"
      eyebrow={
        <Link to="/carrier" className={linkClass}>
          ← Portfolio
        </Link>
      }
    >
      {tenant.isPending && <LoadingPanel label="Loading insured…" />}
      {gone && (
        <div role="status" data-testid="not-in-book" className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-700">
          <p className="font-semibold text-slate-900">No longer in your book</p>
          <p className="mt-1">This insured has revoked your access, or was never in your book.</p>
        </div>
      )}
      {tenant.isError && !gone && <ProblemAlert error={asProblem(tenant.error)} />}
      {tenant.data && <TenantDetail tenant={tenant.data} />}
    </Page>
  )
}
