import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { getCarrierHistory, getOrgHeatMap, getOrgHistory, type HeatCell, type TenantSeries } from '../scores'
import { formatDateTime } from './Page'
import { HeatCellRisks } from './HeatCellRisks'
import { HeatMap } from './HeatMap'
import { PostureHistoryChart } from './PostureHistoryChart'
import { PostureScore } from './PostureScore'

/** One chart per tenant, each saying when its latest figure was computed. */
export function TenantCharts({ tenants, href }: { tenants: TenantSeries[]; href?: (t: TenantSeries) => string }) {
  if (tenants.length === 0) return <p className="text-sm text-slate-600">No tenant to chart yet.</p>
  return (
    <ul className="grid grid-cols-1 gap-4 lg:grid-cols-2" data-testid="tenant-charts">
      {tenants.map((t) => (
        <li key={t.tenant_id} className="space-y-1">
          <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
            {href ? (
              <Link to={href(t)} className="font-medium text-sky-800 underline">
                {t.tenant_name}
              </Link>
            ) : (
              <span className="font-medium text-slate-900">{t.tenant_name}</span>
            )}
            <PostureScore score={t.score} band={t.band} />
          </div>
          <PostureHistoryChart points={t.points} title={`${t.tenant_name}: posture, last 90 days`} />
          <p className="text-xs text-slate-600" data-testid="computed-at">
            Computed {t.computed_at ? formatDateTime(t.computed_at) : 'never (not rolled up yet)'}
          </p>
        </li>
      ))}
    </ul>
  )
}

/** The organization's read-only view of one of its tenants' risks (OrgRiskPage). */
export function orgRiskHref(orgId: string, tenantId: string, riskId: string): string {
  return `/orgs/${encodeURIComponent(orgId)}/tenants/${encodeURIComponent(tenantId)}/risks/${encodeURIComponent(riskId)}`
}

/** The MSP organization page's heat map (click-through to the tenant) and per-tenant trends. */
export function OrgTrends({ orgId }: { orgId: string }) {
  const heat = useQuery({ queryKey: ['org-heatmap', orgId], queryFn: ({ signal }) => getOrgHeatMap(orgId, signal) })
  const history = useQuery({ queryKey: ['org-history', orgId], queryFn: ({ signal }) => getOrgHistory(orgId, signal) })
  const [selected, setSelected] = useState<HeatCell | null>(null)
  const names = new Map((history.data?.tenants ?? []).map((t) => [t.tenant_id, t.tenant_name]))
  return (
    <div className="space-y-4">
      {heat.data && (
        <HeatMap
          data={heat.data}
          riskHref={(r) => orgRiskHref(orgId, r.tenant_id, r.id)}
          onSelectCell={setSelected}
          selected={selected}
        />
      )}
      {selected && (
        <HeatCellRisks
          cell={selected}
          tenantName={(id) => names.get(id) ?? 'Unknown tenant'}
          riskHref={(r) => orgRiskHref(orgId, r.tenant_id, r.id)}
          onClose={() => setSelected(null)}
        />
      )}
      {history.data && <TenantCharts tenants={history.data.tenants} />}
    </div>
  )
}

/** The carrier's chart per insured tenant (figures can be up to an hour old: each says when). */
export function CarrierTrends({ only }: { only?: string }) {
  const history = useQuery({ queryKey: ['carrier-history'], queryFn: ({ signal }) => getCarrierHistory(signal) })
  if (!history.data) return null
  const tenants = only ? history.data.tenants.filter((t) => t.tenant_id === only) : history.data.tenants
  return <TenantCharts tenants={tenants} href={only ? undefined : (t) => `/carrier/tenants/${encodeURIComponent(t.tenant_id)}`} />
}
