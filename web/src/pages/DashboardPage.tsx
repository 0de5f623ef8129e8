import { useMemo } from 'react'
import { useQuery } from '@tanstack/react-query'
import { ProblemError } from '../api'
import { Link } from 'react-router'
import { useDocumentTitle } from '../components/documentTitle'
import { KriWall } from '../components/KriWall'
import { linkClass } from '../components/form'
import { PostureStrip } from '../components/PostureStrip'
import { AcceptedBadge } from '../components/AcceptedBadge'
import { SeverityBadge } from '../components/SeverityBadge'
import { SummaryStrip } from '../components/SummaryStrip'
import { DashboardTrends } from '../components/DashboardTrends'
import { MyWorkCards } from '../components/MyWorkCards'
import { getDashboard } from '../endpoints'
import { getSparklines } from '../scores'
import { formatNumber, relativeTime, sortKris } from '../kri'
import type { Session } from '../session'

export function DashboardPage({ session }: { session: Session }) {
  const query = useQuery({
    // Not keyed by token: a token refresh is the same dashboard. Keyed by tenant: an
    // impersonation is another tenant's.
    queryKey: ['dashboard', session.user.id, session.user.tenant_id],
    queryFn: ({ signal }) => getDashboard(signal),
    refetchInterval: 60_000,
  })

  // A 401 that a refresh cannot cure clears the session (session.ts); the route guard then
  // redirects to /login, so there is no point showing it here.
  const unauthorized = query.error instanceof ProblemError && query.error.status === 401

  // The whole wall's sparklines in one request (no request per tile).
  const sparklines = useQuery({
    queryKey: ['kri-sparklines', session.user.id, session.user.tenant_id],
    queryFn: ({ signal }) => getSparklines(signal),
  })

  const kris = useMemo(() => (query.data ? sortKris(query.data.kris) : []), [query.data])
  const sparklineByKri = useMemo(() => new Map((sparklines.data ?? []).map((s) => [s.kri_id, s.values])), [sparklines.data])
  const tenantName = query.data?.tenant.name ?? session.user.tenant_name
  useDocumentTitle(tenantName ? `Dashboard — ${tenantName}` : 'Dashboard')

  return (
    <main className="mx-auto max-w-7xl space-y-6 px-4 py-6 sm:px-6 lg:px-8">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900" data-testid="tenant-name">
        {tenantName}
      </h1>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-xl font-semibold text-slate-900">Overview</h2>
        {query.data && (
          <p className="text-sm text-slate-500">
            Generated{' '}
            <time dateTime={query.data.generated_at}>{relativeTime(query.data.generated_at)}</time>
            {query.isFetching && ' · refreshing…'}
          </p>
        )}
      </div>

      {query.isPending && (
        <div role="status" aria-live="polite" className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
          Loading dashboard…
        </div>
      )}

      {query.isError && !unauthorized && (
        <div role="alert" className="rounded-lg border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900">
          <p className="font-semibold">Could not load the dashboard</p>
          <p className="mt-1">
            {query.error instanceof ProblemError ? query.error.detail : 'Unexpected error.'}
          </p>
          <button
            type="button"
            onClick={() => void query.refetch()}
            className="mt-3 rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm font-medium text-rose-900 hover:bg-rose-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
          >
            Try again
          </button>
        </div>
      )}

      {query.data && (
        <>
          <PostureStrip posture={query.data.posture ?? null} />
          <MyWorkCards tenantKey={`${session.user.id}:${session.user.tenant_id}`} />
          <DashboardTrends tenantKey={`${session.user.id}:${session.user.tenant_id}`} />
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            <section aria-labelledby="top-risks-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
              <h2 id="top-risks-title" className="mb-3 text-base font-semibold text-slate-900">
                Top risks
              </h2>
              {(query.data.top_risks ?? []).length === 0 ? (
                <p className="text-sm text-slate-600">No scored risks yet.</p>
              ) : (
                <ol className="divide-y divide-slate-100">
                  {(query.data.top_risks ?? []).map((risk) => (
                    <li key={risk.id} data-testid="top-risk" data-severity={risk.severity} className="flex items-center gap-3 py-2 text-sm">
                      <SeverityBadge severity={risk.severity} />
                      <Link to={`/risks/${encodeURIComponent(risk.id)}`} className={`min-w-0 flex-1 truncate ${linkClass}`}>
                        {risk.title}
                      </Link>
                      <AcceptedBadge until={risk.accepted_until} />
                      <span className="tabular-nums text-slate-700" data-testid="top-risk-score">
                        <span className="sr-only">Score: </span>
                        {risk.score === null ? '—' : formatNumber(risk.score)}
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section aria-labelledby="outcomes-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
              <h2 id="outcomes-title" className="mb-3 text-base font-semibold text-slate-900">
                Outcomes
              </h2>
              {(query.data.outcomes ?? []).length === 0 ? (
                <p className="text-sm text-slate-600">No outcomes are defined yet.</p>
              ) : (
                <ol className="divide-y divide-slate-100">
                  {(query.data.outcomes ?? []).map((o) => (
                    <li key={o.id} data-testid="outcome-row" data-severity={o.severity} className="flex items-center gap-3 py-2 text-sm">
                      <SeverityBadge severity={o.severity} />
                      <span className="min-w-0 flex-1 truncate text-slate-900">{o.name}</span>
                      <span className="tabular-nums text-slate-700">
                        <span className="sr-only">Score: </span>
                        {o.score === null ? '—' : formatNumber(o.score)}
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </div>
          <h2 className="text-xl font-semibold text-slate-900">Key risk indicators</h2>
          <SummaryStrip counts={query.data.counts} />
          {kris.length === 0 ? (
            <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
              No key risk indicators are configured for this tenant yet.
            </p>
          ) : (
            <KriWall kris={kris} session={session} sparklines={sparklineByKri} />
          )}
        </>
      )}
    </main>
  )
}
