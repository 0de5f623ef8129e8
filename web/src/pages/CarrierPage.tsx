import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { DataTable } from '../components/DataTable'
import { PostureScore } from '../components/PostureScore'
import { CarrierTrends } from '../components/ScopeTrends'
import { linkClass } from '../components/form'
import { formatDateTime, Page, Section } from '../components/Page'
import { QueryResult } from '../components/QueryResult'
import { SeverityBadge } from '../components/SeverityBadge'
import { TrendText } from '../components/TrendText'
import { getPortfolio } from '../endpoints'
import type { Portfolio, PortfolioBand, PortfolioRow } from '../identity'
import { formatCount, formatScore, formatShare } from '../posture'
import { SEVERITY_ICON, SEVERITY_LABEL, SEVERITY_ORDER, severityRank } from '../riskModel'

const cardClass = 'rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm'

export function carrierTenantPath(tenantId: string): string {
  return `/carrier/tenants/${encodeURIComponent(tenantId)}`
}

function TenantLink({ row }: { row: PortfolioRow }) {
  return (
    <Link to={carrierTenantPath(row.tenant_id)} className={linkClass}>
      {row.tenant_name}
    </Link>
  )
}

/** How many insureds fall in each band. */
function BandStrip({ bands, total }: { bands: Portfolio['book']['bands']; total: number }) {
  return (
    <section aria-label="Band distribution" className="space-y-2">
      <p className="text-sm text-slate-600" data-testid="book-size">
        {total === 1 ? '1 insured in your book' : `${total} insureds in your book`}
      </p>
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-5">
        {SEVERITY_ORDER.map((band: PortfolioBand) => (
          <li key={band} data-testid={`band-${band}`} className={cardClass}>
            <div className="text-2xl font-semibold tabular-nums text-slate-900">{bands[band] ?? 0}</div>
            <div className="text-xs font-medium text-slate-600">
              <span aria-hidden="true">{SEVERITY_ICON[band]} </span>
              {SEVERITY_LABEL[band]}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}

function WorstMovers({ movers }: { movers: readonly PortfolioRow[] }) {
  if (movers.length === 0) return <p className="text-sm text-slate-600">No insured got worse over the last 30 days.</p>
  return (
    <ol className="divide-y divide-slate-100">
      {movers.map((m) => (
        <li
          key={m.tenant_id}
          data-testid="mover-row"
          data-tenant-id={m.tenant_id}
          className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm"
        >
          <span className="flex items-center gap-2">
            <TenantLink row={m} />
            <SeverityBadge severity={m.band} />
          </span>
          <span className="flex items-center gap-4">
            <span className="text-slate-600">
              {formatScore(m.score_30d_ago)} → <span className="font-medium text-slate-900">{formatScore(m.posture_score)}</span>
            </span>
            <TrendText trend={m.trend_30d} />
          </span>
        </li>
      ))}
    </ol>
  )
}

type Row = PortfolioRow & { id: string }

function PortfolioTable({ tenants }: { tenants: readonly PortfolioRow[] }) {
  const rows: Row[] = tenants.map((t) => ({ ...t, id: t.tenant_id }))
  return (
    <DataTable
      rows={rows}
      rowTestId="portfolio-row"
      rowAttributes={(r) => ({ 'data-tenant-id': r.tenant_id, 'data-band': r.band })}
      empty="No insureds have granted you access yet."
      columns={[
        { header: 'Insured', sortValue: (r) => r.tenant_name, cell: (r) => <TenantLink row={r} /> },
        { header: 'Band', sortValue: (r) => severityRank(r.band), cell: (r) => <SeverityBadge severity={r.band} /> },
        { header: 'Score', className: 'whitespace-nowrap', sortValue: (r) => r.posture_score, cell: (r) => <PostureScore score={r.posture_score} band={r.band} /> },
        { header: '30-day trend', className: 'whitespace-nowrap', sortValue: (r) => r.trend_30d, cell: (r) => <TrendText trend={r.trend_30d} /> },
        { header: 'Critical risks', className: 'tabular-nums', sortValue: (r) => r.risks_critical, cell: (r) => formatCount(r.risks_critical) },
        { header: 'High risks', className: 'tabular-nums', sortValue: (r) => r.risks_high, cell: (r) => formatCount(r.risks_high) },
        { header: 'KRIs', className: 'tabular-nums', sortValue: (r) => r.kri_count, cell: (r) => formatCount(r.kri_count) },
        { header: 'Stale', className: 'tabular-nums whitespace-nowrap', sortValue: (r) => r.stale_share, cell: (r) => formatShare(r.stale_share) },
        {
          header: 'As of',
          className: 'whitespace-nowrap text-slate-600',
          cell: (r) =>
            r.posture_computed_at ? <time dateTime={r.posture_computed_at}>{formatDateTime(r.posture_computed_at)}</time> : '—',
        },
      ]}
    />
  )
}

/** `/carrier`: the carrier's book: band distribution, worst movers, every insured. */
export function CarrierPage() {
  const portfolio = useQuery({ queryKey: ['carrier-portfolio'], queryFn: ({ signal }) => getPortfolio(signal) })
  return (
    <Page title="Portfolio">
      <QueryResult query={portfolio} loading="Loading portfolio…">
        {(data) => (
          <>
            <BandStrip bands={data.book.bands} total={data.book.tenants} />
            <Section title="Worst movers" description="Insureds whose posture got worse the most over the last 30 days.">
              <WorstMovers movers={data.book.worst_movers} />
            </Section>
            <Section title="Insureds" description="Tenants that have granted you access to their cyber-risk posture.">
              <PortfolioTable tenants={data.tenants} />
            </Section>
            <Section title="Trend per insured" description="Each insured's posture score over 90 days; figures are projected hourly, so each says when it was computed.">
              <CarrierTrends />
            </Section>
          </>
        )}
      </QueryResult>
    </Page>
  )
}
