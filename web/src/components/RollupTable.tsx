import type { TenantRollup } from '../identity'
import { formatCount, formatShare } from '../posture'
import { DataTable } from './DataTable'
import { formatDateTime } from './Page'
import { PostureScore } from './PostureScore'

type Row = TenantRollup & { id: string }

/** An organization's tenants by rolled-up posture, worst first (the server's order). */
export function RollupTable({ rollup }: { rollup: readonly TenantRollup[] }) {
  const rows: Row[] = rollup.map((r) => ({ ...r, id: r.tenant_id }))
  return (
    <DataTable
      rows={rows}
      rowTestId="rollup-row"
      rowAttributes={(r) => ({ 'data-tenant-id': r.tenant_id })}
      empty="No tenants to roll up yet."
      columns={[
        { header: 'Tenant', className: 'font-medium', sortValue: (r) => r.name, cell: (r) => r.name },
        {
          header: 'Posture score',
          className: 'whitespace-nowrap',
          cell: (r) => (
            <span data-testid="rollup-score">
              <PostureScore score={r.posture_score} />
            </span>
          ),
        },
        { header: 'Red KRIs', className: 'tabular-nums', sortValue: (r) => r.kris_red, cell: (r) => formatCount(r.kris_red) },
        { header: 'Amber KRIs', className: 'tabular-nums', sortValue: (r) => r.kris_amber, cell: (r) => formatCount(r.kris_amber) },
        { header: 'Green KRIs', className: 'tabular-nums', sortValue: (r) => r.kris_green, cell: (r) => formatCount(r.kris_green) },
        { header: 'Stale', className: 'tabular-nums whitespace-nowrap', sortValue: (r) => r.stale_share, cell: (r) => formatShare(r.stale_share) },
        { header: 'Critical risks', className: 'tabular-nums', sortValue: (r) => r.risks_critical, cell: (r) => formatCount(r.risks_critical) },
        { header: 'High risks', className: 'tabular-nums', sortValue: (r) => r.risks_high, cell: (r) => formatCount(r.risks_high) },
        {
          header: 'Overdue tasks',
          className: 'tabular-nums',
          sortValue: (r) => r.overdue_tasks,
          cell: (r) => <span data-testid="rollup-overdue">{formatCount(r.overdue_tasks ?? null)}</span>,
        },
        {
          header: 'As of',
          className: 'whitespace-nowrap text-slate-600',
          cell: (r) => (r.computed_at ? <time dateTime={r.computed_at}>{formatDateTime(r.computed_at)}</time> : '—'),
        },
      ]}
    />
  )
}
