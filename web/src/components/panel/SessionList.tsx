import { useInfiniteQuery } from '@tanstack/react-query'
import { NavLink } from 'react-router'
import { secondaryButton } from '../form'
import { formatDateTime } from '../Page'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { LoadingPanel } from '../LoadingScreen'
import { listPanelSessions } from '../../panelApi'
import type { PanelSessionPage } from '../../panel'
import { SessionStatusBadge } from './PersonaBadge'

export const SESSIONS_PAGE_SIZE = 20

export function nextOffset(page: PanelSessionPage): number | undefined {
  const next = page.offset + page.items.length
  return page.items.length > 0 && next < page.total ? next : undefined
}

function itemClass({ isActive }: { isActive: boolean }): string {
  return `block rounded-lg px-3 py-2 text-sm ${isActive ? 'bg-slate-100 ring-1 ring-slate-300' : 'hover:bg-slate-50'}`
}

/** The tenant's panel sessions, newest first, a page at a time. */
export function SessionList({ queryKey }: { queryKey: readonly unknown[] }) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) => listPanelSessions({ limit: SESSIONS_PAGE_SIZE, offset: pageParam }, signal),
    initialPageParam: 0,
    getNextPageParam: nextOffset,
  })
  if (query.isPending) return <LoadingPanel label="Loading sessions…" />
  if (query.isError) return <ProblemAlert error={asProblem(query.error)} />
  const sessions = query.data.pages.flatMap((p) => p.items)
  if (sessions.length === 0) return <p className="text-sm text-slate-600">No sessions yet. Start one to ask the panel.</p>
  return (
    <div className="space-y-2">
      <ul className="space-y-1" aria-label="Sessions">
        {sessions.map((s) => (
          <li key={s.id} data-testid="session-item" data-status={s.status}>
            <NavLink to={`/panel/${encodeURIComponent(s.id)}`} className={itemClass}>
              <span className="flex items-start justify-between gap-2">
                <span className="font-medium text-slate-900">{s.title || 'Untitled session'}</span>
                <SessionStatusBadge status={s.status} />
              </span>
              <span className="mt-0.5 block text-xs text-slate-500">
                {formatDateTime(s.last_message_at ?? s.created_at)} · {s.turn_count} {s.turn_count === 1 ? 'question' : 'questions'}
              </span>
            </NavLink>
          </li>
        ))}
      </ul>
      {query.hasNextPage && (
        <button type="button" className={secondaryButton} disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  )
}
