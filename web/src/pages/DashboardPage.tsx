import { useMemo } from 'react'
import { useQuery } from '@tanstack/react-query'
import { ProblemError } from '../api'
import { KriTile } from '../components/KriTile'
import { SummaryStrip } from '../components/SummaryStrip'
import { getDashboard } from '../endpoints'
import { relativeTime, sortKris } from '../kri'
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

  const kris = useMemo(() => (query.data ? sortKris(query.data.kris) : []), [query.data])
  const tenantName = query.data?.tenant.name ?? session.user.tenant_name

  return (
    <main className="mx-auto max-w-7xl space-y-6 px-4 py-6 sm:px-6 lg:px-8">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900" data-testid="tenant-name">
        {tenantName}
      </h1>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-xl font-semibold text-slate-900">Key risk indicators</h2>
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
          <SummaryStrip counts={query.data.counts} />
          {kris.length === 0 ? (
            <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
              No key risk indicators are configured for this tenant yet.
            </p>
          ) : (
            <section aria-label="Key risk indicators" className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
              {kris.map((kri) => (
                <KriTile key={kri.id} kri={kri} />
              ))}
            </section>
          )}
        </>
      )}
    </main>
  )
}
