import { useQuery } from '@tanstack/react-query'
import { getKriState } from '../scores'
import { formatDateTime } from './Page'
import { StatusBadge } from './StatusBadge'

/** The KRI's colour now and its source's name. Saving thresholds recolours the KRI at once on
 * the server (the pipeline's own rule), so this refetches right after a save. */
export function KriStateLine({ kriId }: { kriId: string }) {
  const state = useQuery({ queryKey: ['kri-state', kriId], queryFn: ({ signal }) => getKriState(kriId, signal) })
  if (!state.data) return null
  return (
    <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700" data-testid="kri-state" data-status={state.data.status}>
      <StatusBadge status={state.data.status} />
      <span>
        Source: <span data-testid="kri-source-name">{state.data.source_name ?? 'Manual'}</span>
      </span>
      {state.data.computed_at && <span className="text-slate-600">· colour computed {formatDateTime(state.data.computed_at)}</span>}
    </p>
  )
}
