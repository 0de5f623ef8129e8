import { useInfiniteQuery } from '@tanstack/react-query'
import { answer, api, type Schema } from '../api/client'
import { DataTable } from '../components/DataTable'
import { secondaryButton } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { formatDateTime, Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import type { Session } from '../session'

type Entry = Schema<'AuditEntry'>

export const AUDIT_PAGE_SIZE = 50

/** "Ada Lovelace (ada@acme.test)", or who it was when the name is not visible here. */
export function actorText(entry: Entry): string {
  if (entry.actor_name && entry.actor_email) return `${entry.actor_name} (${entry.actor_email})`
  if (entry.actor_email) return entry.actor_email
  if (entry.actor_user_id) return 'A user outside this tenant'
  return 'The system'
}

/** What the entry acted on: a user's name, else the kind of thing (and its id, shortened). */
export function targetText(entry: Entry): string {
  if (entry.target_name) return entry.target_name
  if (!entry.target_type) return '—'
  const kind = entry.target_type.replaceAll('_', ' ')
  return entry.target_id ? `${kind} ${entry.target_id.slice(0, 8)}` : kind
}

/** `/tenant/audit`: who did what in this tenant, newest first, fifty at a time. */
export function AuditLogPage({ session }: { session: Session }) {
  const query = useInfiniteQuery({
    queryKey: ['tenant-audit', session.user.tenant_id],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      answer(
        await api.GET('/api/tenant/audit', {
          params: { query: { limit: AUDIT_PAGE_SIZE, ...(pageParam ? { before: pageParam } : {}) } },
          signal,
        }),
      ),
    getNextPageParam: (last) => (last.length === AUDIT_PAGE_SIZE ? last[last.length - 1]?.at : undefined),
  })
  const entries = query.data?.pages.flat() ?? []
  const tenantName = session.impersonated_tenant_name ?? session.user.tenant_name

  return (
    <Page title="Audit log" eyebrow={tenantName ?? undefined}>
      <Section title="Activity" description="Every change in this tenant, who made it, and from where. Newest first.">
        {query.isPending && <LoadingPanel label="Loading the audit log…" />}
        {query.isError && <ProblemAlert error={asProblem(query.error)} />}
        {query.data && (
          <DataTable
            rows={entries}
            rowTestId="audit-row"
            exportTable="audit-log"
            empty="Nothing has happened here yet."
            columns={[
              { header: 'When', className: 'whitespace-nowrap', sortValue: (e) => e.at, cell: (e) => formatDateTime(e.at) },
              {
                header: 'Who',
                sortValue: (e) => actorText(e),
                cell: (e) => (
                  <>
                    {actorText(e)}
                    {e.impersonator_user_id && (
                      <span className="block text-xs text-slate-600">
                        impersonated by {e.impersonator_email ?? 'an administrator outside this tenant'}
                      </span>
                    )}
                  </>
                ),
              },
              { header: 'Action', sortValue: (e) => e.action, cell: (e) => <code className="text-xs">{e.action}</code> },
              { header: 'Target', sortValue: (e) => targetText(e), cell: (e) => targetText(e) },
              { header: 'From', sortValue: (e) => e.ip, cell: (e) => e.ip ?? '—' },
            ]}
            below={
              query.hasNextPage && (
                <button type="button" className={secondaryButton} disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
                  {query.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
                </button>
              )
            }
          />
        )}
      </Section>
    </Page>
  )
}
