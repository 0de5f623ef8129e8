import { useEffect, useReducer, useRef, useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate } from 'react-router'
import { ProblemError } from '../api'
import { linkClass, primaryButton } from '../components/form'
import { Page, formatDateTime } from '../components/Page'
import { Composer } from '../components/panel/Composer'
import { EndSession } from '../components/panel/EndSession'
import { LiveTurnView } from '../components/panel/LiveTurnView'
import { SessionStatusBadge } from '../components/panel/PersonaBadge'
import { SessionList } from '../components/panel/SessionList'
import { TurnView } from '../components/panel/TurnView'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import {
  groupTurns,
  isRunning,
  liveTurnReducer,
  OFFLINE_BANNER_TEXT,
  type PanelSession,
  type PanelSessionDetail,
  type PanelTarget,
} from '../panel'
import { askPanel, createPanelSession, getPanelInfo, getPanelSession } from '../panelApi'
import type { Session } from '../session'

/** The query keys of a tenant's panel (info, sessions, one session) start with this. */
export function panelKey(session: { user: { id: string; tenant_id: string | null } }): readonly unknown[] {
  return ['panel', session.user.id, session.user.tenant_id]
}

/** While another tab's turn runs, how often the session is re-read. */
const IN_PROGRESS_POLL_MS = 3_000

const LOST_CONNECTION =
  'The connection to the panel was lost before the turn finished. What the panel said so far is shown above; reload the session in a moment for the rest.'

function OfflineBanner() {
  return (
    <div role="note" data-testid="offline-banner" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950">
      {OFFLINE_BANNER_TEXT}
    </div>
  )
}

function EndedNote({ session }: { session: PanelSession }) {
  return (
    <div data-testid="ended-note" className="rounded-lg border border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-700">
      <p>This session ended {formatDateTime(session.ended_at)} and is read-only.</p>
      {session.remembered_knowledge_id && (
        <p className="mt-1">
          Its synthesis was kept in institutional memory:{' '}
          <Link to={`/memory?fact=${encodeURIComponent(session.remembered_knowledge_id)}`} className={linkClass}>
            see the remembered fact
          </Link>
          .
        </p>
      )}
    </div>
  )
}

/** One session: its turns, the live turn, the composer and "End session". */
function Conversation({ sessionId, baseKey }: { sessionId: string; baseKey: readonly unknown[] }) {
  const queryClient = useQueryClient()
  const detailKey = [...baseKey, 'session', sessionId]
  const sessionsKey = [...baseKey, 'sessions']
  const [live, dispatch] = useReducer(liveTurnReducer, null)
  const [askError, setAskError] = useState<ProblemError | null>(null)
  const abortRef = useRef<AbortController | null>(null)
  const running = isRunning(live)
  const query = useQuery({
    queryKey: detailKey,
    queryFn: ({ signal }) => getPanelSession(sessionId, signal),
    // A turn asked elsewhere (another tab) is still running: follow it until it ends.
    refetchInterval: (q) => (q.state.data?.turn_in_progress && !running ? IN_PROGRESS_POLL_MS : false),
  })

  useEffect(() => () => abortRef.current?.abort(), [])

  async function refresh() {
    await Promise.all([queryClient.invalidateQueries({ queryKey: detailKey }), queryClient.invalidateQueries({ queryKey: sessionsKey })])
  }

  async function ask(content: string, target: PanelTarget): Promise<boolean> {
    setAskError(null)
    dispatch({ type: 'start', question: content, target })
    const controller = new AbortController()
    abortRef.current = controller
    let events = 0
    let finished = false
    try {
      await askPanel(
        sessionId,
        { content, target },
        (event) => {
          events += 1
          if (event.type === 'turn.completed' || event.type === 'turn.failed') finished = true
          dispatch(event)
        },
        controller.signal,
      )
    } catch (err) {
      if (controller.signal.aborted) return true
      if (events === 0 && err instanceof ProblemError && err.status !== 0) {
        // Refused before the turn started (409 ended / busy, 422): nothing was said; keep the text.
        dispatch({ type: 'reset' })
        setAskError(err)
        if (err.status === 409) await refresh()
        return false
      }
    }
    if (controller.signal.aborted) return true
    if (!finished) dispatch({ type: 'stream.error', detail: LOST_CONNECTION })
    await refresh()
    // The trail now holds the turn (and any error message): it replaces the live view.
    dispatch({ type: 'reset' })
    if (!finished) setAskError(new ProblemError({ status: 0, title: 'Connection lost', detail: LOST_CONNECTION }))
    return true
  }

  async function onEnded(ended: PanelSession) {
    queryClient.setQueryData<PanelSessionDetail>(detailKey, (old) => (old ? { ...old, ...ended } : old))
    await refresh()
  }

  return (
    <QueryResult query={query} loading="Loading session…">
      {(detail) => {
        const turns = groupTurns(detail.messages)
        const lastTurn = turns[turns.length - 1]?.turn
        const ended = detail.status === 'ended'
        const busy = running || detail.turn_in_progress
        return (
          <div className="space-y-5">
            <div className="flex flex-wrap items-start justify-between gap-3">
              <div>
                <h2 className="flex flex-wrap items-center gap-2 text-lg font-semibold text-slate-900" data-testid="session-title">
                  {detail.title || 'Untitled session'} <SessionStatusBadge status={detail.status} />
                </h2>
                <p className="text-xs text-slate-500">
                  Started {formatDateTime(detail.created_at)} · {detail.turn_count} {detail.turn_count === 1 ? 'question' : 'questions'}
                </p>
              </div>
              {!ended && <EndSession session={detail} disabled={busy} onEnded={onEnded} />}
            </div>
            {ended && <EndedNote session={detail} />}
            {turns.length === 0 && !live && <p className="text-sm text-slate-600">No questions yet. Ask the panel below.</p>}
            <div className="space-y-8">
              {turns.map((t) => (
                <TurnView key={t.turn} turn={t} inProgress={detail.turn_in_progress && t.turn === lastTurn} />
              ))}
              {live && <LiveTurnView live={live} />}
            </div>
            {askError && <ProblemAlert error={askError} />}
            <Composer
              disabled={ended || busy}
              disabledReason={ended ? 'This session has ended.' : busy ? 'The panel is answering…' : undefined}
              onAsk={ask}
            />
          </div>
        )
      }}
    </QueryResult>
  )
}

function NewSessionButton({ baseKey }: { baseKey: readonly unknown[] }) {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)
  async function create() {
    setPending(true)
    setError(null)
    try {
      const created = await createPanelSession()
      await queryClient.invalidateQueries({ queryKey: [...baseKey, 'sessions'] })
      navigate(`/panel/${encodeURIComponent(created.id)}`)
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }
  return (
    <div className="space-y-2">
      <button type="button" className={primaryButton} disabled={pending} aria-busy={pending} onClick={() => void create()}>
        {pending ? 'Starting…' : 'New session'}
      </button>
      {error && <ProblemAlert error={error} />}
    </div>
  )
}

/** `/panel` and `/panel/:sessionId`: the tenant's panel sessions and one conversation. */
export function PanelPage({ session, sessionId }: { session: Session; sessionId: string | null }) {
  const baseKey = panelKey(session)
  const info = useQuery({
    queryKey: [...baseKey, 'info'],
    queryFn: ({ signal }) => getPanelInfo(signal),
    staleTime: 5 * 60_000,
  })
  return (
    <Page title="Expert panel" titleTestId="panel-title" actions={<NewSessionButton baseKey={baseKey} />}>
      <p className="-mt-3 text-sm text-slate-600">
        An AI vCISO and its specialists (Privacy, TPRM, Cyber insurance) answer in the context of your KRIs, risks and institutional memory.
      </p>
      {info.data?.mode === 'offline' && <OfflineBanner />}
      <div className="grid gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
        <nav aria-label="Panel sessions" className="space-y-2">
          <h2 className="text-sm font-semibold text-slate-800">Sessions</h2>
          <SessionList queryKey={[...baseKey, 'sessions']} />
        </nav>
        <section aria-label="Conversation" className="min-w-0 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          {sessionId ? (
            <Conversation key={sessionId} sessionId={sessionId} baseKey={baseKey} />
          ) : (
            <p className="text-sm text-slate-600">Pick a session on the left, or start a new one.</p>
          )}
        </section>
      </div>
    </Page>
  )
}
