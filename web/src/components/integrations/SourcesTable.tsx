import { Link } from 'react-router'
import { relativeTime } from '../../kri'
import { scheduleLabel, type CatalogEntry, type Source } from '../../integrations'
import { DataTable } from '../DataTable'
import { linkClass } from '../form'
import { formatDateTime } from '../Page'

export function lastRunText(s: Source): string {
  if (!s.last_run_at) return 'Never run'
  const status = s.last_run_status === 'succeeded' ? '✓ Done' : s.last_run_status === 'failed' ? '✕ Failed' : 'Unknown'
  return `${status} · ${relativeTime(s.last_run_at)}`
}

export function healthText(s: Source, now: number = Date.now()): string {
  if (s.consecutive_failures === 0) return 'No failures'
  const failures = `${s.consecutive_failures} consecutive ${s.consecutive_failures === 1 ? 'failure' : 'failures'}`
  const backoff = s.backoff_until && Date.parse(s.backoff_until) > now ? `; backing off until ${formatDateTime(s.backoff_until)}` : ''
  return failures + backoff
}

export function nextRunText(s: Source): string {
  if (!s.enabled) return 'Disabled'
  if (s.schedule === 'manual') return 'On demand'
  return s.next_run_at ? formatDateTime(s.next_run_at) : '—'
}

/** The tenant's sources: status as text (never colour alone). */
export function SourcesTable({ sources, catalog }: { sources: readonly Source[]; catalog: readonly CatalogEntry[] }) {
  const vendor = (id: string) => catalog.find((c) => c.vendor_id === id)?.display_name ?? id
  return (
    <DataTable
      rows={sources}
      rowTestId="source-row"
      exportTable="sources"
      rowAttributes={(s) => ({ 'data-id': s.id, 'data-vendor': s.vendor_id })}
      empty="No sources yet. Add one from the catalog below."
      columns={[
        {
          header: 'Name',
          sortValue: (s) => s.name,
          cell: (s) => (
            <Link to={`/integrations/${encodeURIComponent(s.id)}`} className={linkClass}>
              {s.name}
            </Link>
          ),
        },
        { header: 'Vendor', sortValue: (s) => s.vendor_id, cell: (s) => vendor(s.vendor_id) },
        { header: 'Schedule', sortValue: (s) => s.schedule, cell: (s) => scheduleLabel(s.schedule) },
        { header: 'Enabled', sortValue: (s) => s.enabled, cell: (s) => (s.enabled ? 'Enabled' : 'Disabled') },
        { header: 'Last run', className: 'whitespace-nowrap', cell: lastRunText },
        { header: 'Failures', cell: (s) => healthText(s) },
        { header: 'Next run', className: 'whitespace-nowrap', cell: nextRunText },
        { header: 'KRIs', className: 'tabular-nums', sortValue: (s) => s.kri_count, cell: (s) => s.kri_count },
      ]}
    />
  )
}
