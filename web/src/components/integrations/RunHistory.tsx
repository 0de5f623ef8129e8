import { useState } from 'react'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { TRIGGER_LABEL, type SourceRun } from '../../integrations'
import { listRuns } from '../../integrationsApi'
import { DataTable } from '../DataTable'
import { secondaryButton } from '../form'
import { formatDateTime } from '../Page'
import { QueryResult } from '../QueryResult'

export const RUNS_PAGE_SIZE = 20

const STATUS_TEXT: Record<SourceRun['status'], string> = {
  running: '… Running',
  succeeded: '✓ Done',
  failed: '✕ Failed',
}

function duration(r: SourceRun): string {
  if (!r.finished_at) return '—'
  const ms = Date.parse(r.finished_at) - Date.parse(r.started_at)
  if (!Number.isFinite(ms) || ms < 0) return '—'
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

function Details({ run }: { run: SourceRun }) {
  if (!run.error && run.warnings.length === 0) return <span className="text-slate-500">—</span>
  return (
    <div className="space-y-1 text-xs">
      {run.error && <p className="text-rose-900">Error: {run.error}</p>}
      {run.warnings.length > 0 && (
        <div>
          <p className="font-medium text-amber-900">
            {run.warnings.length} {run.warnings.length === 1 ? 'warning' : 'warnings'}:
          </p>
          <ul className="list-disc pl-4 text-slate-700">
            {run.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}

/** The source's runs, newest first, a page at a time; failed runs show their error. */
export function RunHistory({ sourceId, queryKey }: { sourceId: string; queryKey: readonly unknown[] }) {
  const [offset, setOffset] = useState(0)
  const query = useQuery({
    queryKey: [...queryKey, 'runs', sourceId, offset],
    queryFn: ({ signal }) => listRuns(sourceId, { limit: RUNS_PAGE_SIZE, offset }, signal),
    placeholderData: keepPreviousData,
  })
  return (
    <QueryResult query={query} loading="Loading runs…">
      {(page) => (
        <DataTable
          rows={page.items}
          rowTestId="run-row"
          rowAttributes={(r) => ({ 'data-status': r.status })}
          empty="No runs yet."
          columns={[
            { header: 'Started', className: 'whitespace-nowrap', sortValue: (r) => r.started_at, cell: (r) => formatDateTime(r.started_at) },
            { header: 'Trigger', sortValue: (r) => r.trigger, cell: (r) => TRIGGER_LABEL[r.trigger] ?? r.trigger },
            { header: 'Status', className: 'whitespace-nowrap', sortValue: (r) => r.status, cell: (r) => STATUS_TEXT[r.status] ?? r.status },
            { header: 'Rows written', className: 'tabular-nums', sortValue: (r) => r.rows_written, cell: (r) => r.rows_written },
            { header: 'Rows skipped', className: 'tabular-nums', sortValue: (r) => r.rows_skipped, cell: (r) => r.rows_skipped },
            { header: 'Items fetched', className: 'tabular-nums', sortValue: (r) => r.items_fetched, cell: (r) => r.items_fetched },
            { header: 'Duration', className: 'tabular-nums whitespace-nowrap', cell: duration },
            { header: 'Details', cell: (r) => <Details run={r} /> },
          ]}
          below={
            page.total > RUNS_PAGE_SIZE && (
              <div className="flex items-center justify-between text-sm text-slate-600">
                <span>
                  {page.offset + 1}–{page.offset + page.items.length} of {page.total}
                </span>
                <div className="flex gap-2">
                  <button type="button" className={secondaryButton} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - RUNS_PAGE_SIZE))}>
                    Previous
                  </button>
                  <button
                    type="button"
                    className={secondaryButton}
                    disabled={offset + RUNS_PAGE_SIZE >= page.total}
                    onClick={() => setOffset(offset + RUNS_PAGE_SIZE)}
                  >
                    Next
                  </button>
                </div>
              </div>
            )
          }
        />
      )}
    </QueryResult>
  )
}
