import { useQuery, useQueryClient } from '@tanstack/react-query'
import { listDeliveries, redeliver, webhookKeys, type Delivery } from '../webhooks'
import { DataTable, useRowAction } from './DataTable'
import { secondaryButton } from './form'
import { formatDateTime } from './Page'
import { ProblemAlert } from './ProblemAlert'
import { QueryResult } from './QueryResult'

function attempts(d: Delivery): string {
  return d.log
    .map((a) => `#${a.attempt} ${a.status_code ?? a.error ?? a.outcome} (${a.latency_ms} ms)`)
    .join(' · ')
}

/** One endpoint's delivery log: each delivery, its attempts and the next one; redeliver a failed one. */
export function WebhookDeliveries({ endpointId }: { endpointId: string }) {
  const queryClient = useQueryClient()
  const key = webhookKeys.deliveries(endpointId)
  const deliveries = useQuery({ queryKey: key, queryFn: ({ signal }) => listDeliveries(endpointId, signal) })
  const { busy, error, run } = useRowAction()
  return (
    <QueryResult query={deliveries} loading="Loading deliveries…">
      {(rows) => (
        <DataTable
          rows={rows}
          rowTestId="webhook-delivery"
          rowAttributes={(d) => ({ 'data-status': d.status })}
          empty="Nothing delivered yet."
          above={error && <ProblemAlert error={error} />}
          columns={[
            { header: 'Event', className: 'font-medium', cell: (d) => d.event },
            { header: 'Status', cell: (d) => d.status },
            { header: 'Attempts', className: 'text-slate-600', cell: (d) => attempts(d) || '—' },
            { header: 'Last error', className: 'text-slate-600', cell: (d) => d.last_error ?? '—' },
            { header: 'Next attempt', className: 'text-slate-600', cell: (d) => formatDateTime(d.next_attempt_at) },
            { header: 'Queued', className: 'text-slate-600', cell: (d) => formatDateTime(d.created_at) },
            {
              header: 'Actions',
              hideHeader: true,
              className: 'text-right',
              cell: (d) =>
                d.status === 'failed' && (
                  <button
                    type="button"
                    className={secondaryButton}
                    disabled={busy === d.id}
                    onClick={() =>
                      void run(d, async () => {
                        await redeliver(endpointId, d.id)
                        await queryClient.invalidateQueries({ queryKey: key })
                      })
                    }
                  >
                    Redeliver
                  </button>
                ),
            },
          ]}
        />
      )}
    </QueryResult>
  )
}
