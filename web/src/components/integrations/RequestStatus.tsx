import { useEffect, useRef, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { isFinished, POLL_CAP_MS, POLL_GAVE_UP_TEXT, POLL_MS, REQUEST_STATUS_TEXT, type RunRequest } from '../../integrations'
import { getRun, getRunRequest } from '../../integrationsApi'
import { formatDateTime } from '../Page'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { Spinner } from './Field'

function RunSummary({ runId, queryKey }: { runId: string; queryKey: readonly unknown[] }) {
  const run = useQuery({ queryKey: [...queryKey, 'run', runId], queryFn: ({ signal }) => getRun(runId, signal) })
  if (!run.data) return null
  const r = run.data
  return (
    <p className="text-sm text-slate-700" data-testid="request-run">
      Run {r.status}: {r.rows_written} rows written, {r.rows_skipped} skipped, {r.items_fetched} items fetched
      {r.finished_at ? ` · finished ${formatDateTime(r.finished_at)}` : ''}.
      {r.error && <span className="block text-rose-900">Error: {r.error}</span>}
    </p>
  )
}

/**
 * A run request followed live: polled every 2 s until it succeeds or fails, then `onFinished`
 * (once) so the page can refresh its runs. Polling stops after 5 minutes (`POLL_CAP_MS`) with a
 * pointer to the scheduler, and `onGaveUp` (once). The status is text in a live region.
 */
export function RequestStatus({
  requestId,
  initial,
  queryKey,
  onFinished,
  onGaveUp,
}: {
  requestId: string
  /** The request as the POST answered it, to show before the first poll. */
  initial?: RunRequest
  queryKey: readonly unknown[]
  onFinished: (request: RunRequest) => void
  /** Called once if polling stops at the cap with the request unfinished. */
  onGaveUp?: () => void
}) {
  const [gaveUp, setGaveUp] = useState(false)
  const query = useQuery({
    queryKey: [...queryKey, 'run-request', requestId],
    queryFn: ({ signal }) => getRunRequest(requestId, signal),
    initialData: initial,
    staleTime: 0,
    enabled: !gaveUp,
    refetchInterval: (q) => (gaveUp || (q.state.data && isFinished(q.state.data.status)) ? false : POLL_MS),
    refetchOnWindowFocus: false,
  })
  const request = query.data
  const finished = request ? isFinished(request.status) : false

  // The cap counts from when the request started being followed (this component's mount).
  const startedAt = useRef(Date.now())
  useEffect(() => {
    if (finished || gaveUp) return
    const t = setTimeout(() => setGaveUp(true), Math.max(0, startedAt.current + POLL_CAP_MS - Date.now()))
    return () => clearTimeout(t)
  }, [finished, gaveUp])
  const reportedGaveUp = useRef(false)
  useEffect(() => {
    if (gaveUp && !finished && !reportedGaveUp.current) {
      reportedGaveUp.current = true
      onGaveUp?.()
    }
  }, [gaveUp, finished, onGaveUp])

  const reported = useRef(false)
  useEffect(() => {
    if (request && isFinished(request.status) && !reported.current) {
      reported.current = true
      onFinished(request)
    }
  }, [request, onFinished])

  const stalled = gaveUp && !finished
  return (
    <div
      className="space-y-1 rounded-md border border-slate-200 bg-slate-50 px-3 py-2"
      data-testid="request-status"
      data-state={request?.status ?? 'checking'}
    >
      <p className="flex items-center gap-2 text-sm font-medium text-slate-900">
        {!finished && !stalled && <Spinner />}
        {request ? (
          <>
            <span aria-hidden="true">{request.status === 'succeeded' ? '✓' : request.status === 'failed' ? '✕' : '…'}</span>
            <span>Run status: {REQUEST_STATUS_TEXT[request.status]}</span>
          </>
        ) : (
          <span>Run status: checking…</span>
        )}
      </p>
      {request && (
        <p className="text-xs text-slate-600">
          Requested {formatDateTime(request.requested_at)}
          {request.launched_at ? ` · launched ${formatDateTime(request.launched_at)}` : ''}
        </p>
      )}
      {stalled && (
        <p className="text-sm font-medium text-amber-900" data-testid="request-gave-up">
          {POLL_GAVE_UP_TEXT}
          {request?.dagster_run_id ? ` (Dagster run ${request.dagster_run_id})` : ''}. This page has stopped checking; reload it later
          to see the run.
        </p>
      )}
      {request?.error && <p className="text-sm text-rose-900">Error: {request.error}</p>}
      {query.isError && <ProblemAlert error={asProblem(query.error)} />}
      {request?.status === 'succeeded' && request.source_run_id && <RunSummary runId={request.source_run_id} queryKey={queryKey} />}
    </div>
  )
}
