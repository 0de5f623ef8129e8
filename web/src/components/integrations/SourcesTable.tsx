import { Link } from 'react-router'
import { relativeTime } from '../../kri'
import { isFirstParty, scheduleLabel, type CatalogEntry, type Source } from '../../integrations'
import { useBulkActions } from '../BulkActions'
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

/** What the bulk bar may do to the selected sources, each one request (all or none). */
export interface SourceBulk {
  setEnabled: (ids: string[], enabled: boolean) => Promise<unknown>
  run: (ids: string[]) => Promise<unknown>
  remove: (ids: string[]) => Promise<unknown>
}

function useSourceBulk(bulk: SourceBulk | undefined) {
  const names = (rows: Source[]) => rows.map((s) => s.name).join(', ')
  const count = (rows: Source[]) => `${rows.length} ${rows.length === 1 ? 'source' : 'sources'}`
  const ids = (rows: Source[]) => rows.map((s) => s.id)
  return useBulkActions<Source>(
    bulk
      ? [
          {
            label: 'Run selected now',
            title: (rows) => `Run ${count(rows)} now?`,
            confirmLabel: 'Run all',
            describe: (rows) => `${names(rows)} will each be queued for a run within seconds.`,
            run: (rows) => bulk.run(ids(rows)),
            skip: (s) => !s.enabled || isFirstParty(s.source_type),
          },
          {
            label: 'Enable selected',
            title: (rows) => `Enable ${count(rows)}?`,
            confirmLabel: 'Enable all',
            describe: (rows) => `${names(rows)} will run on their schedules again.`,
            run: (rows) => bulk.setEnabled(ids(rows), true),
            skip: (s) => s.enabled,
          },
          {
            label: 'Disable selected',
            title: (rows) => `Disable ${count(rows)}?`,
            confirmLabel: 'Disable all',
            describe: (rows) => `${names(rows)} will stop running until enabled again.`,
            run: (rows) => bulk.setEnabled(ids(rows), false),
            skip: (s) => !s.enabled,
          },
          {
            label: 'Delete selected',
            danger: true,
            title: (rows) => `Delete ${count(rows)}?`,
            confirmLabel: 'Delete all',
            describe: (rows) => `${names(rows)} and their run records go; their KRIs and history stay, unwired.`,
            run: (rows) => bulk.remove(ids(rows)),
          },
        ]
      : [],
  )
}

/** The tenant's sources: status as text (never colour alone); bulk actions when `bulk` is given. */
export function SourcesTable({ sources, catalog, bulk }: { sources: readonly Source[]; catalog: readonly CatalogEntry[]; bulk?: SourceBulk }) {
  const vendor = (id: string) => catalog.find((c) => c.vendor_id === id)?.display_name ?? id
  const actions = useSourceBulk(bulk)
  return (
    <DataTable
      bulkActions={actions.actions}
      rowLabel={(s) => s.name}
      above={actions.alert}
      below={actions.dialog}
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
