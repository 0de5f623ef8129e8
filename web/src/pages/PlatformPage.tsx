import { useState } from 'react'
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import type { ProblemError } from '../api'
import { CreateForm } from '../components/CreateForm'
import { linkClass, secondaryButton, SelectField, TextField } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { MfaPolicyControl } from '../components/MfaPolicyControl'
import { formatDate, formatDateTime, Page, Section, tableClass, tdClass, thClass } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { createOrg, listOrgs, listPlatformAudit, setOrgDisabled, setPlatformMfaPolicy } from '../endpoints'
import { PERMISSION, type AuditEntry, type OrgKind, type OrgOut } from '../identity'
import { usePermissions } from '../me'

const AUDIT_PAGE = 50
const KINDS: readonly { value: OrgKind; label: string }[] = [
  { value: 'direct', label: 'Direct' },
  { value: 'partner', label: 'Partner' },
]

function ShortId({ id }: { id: string | null }) {
  if (!id) return <span className="text-slate-400">—</span>
  return (
    <code title={id} className="font-mono text-xs">
      {id.slice(0, 8)}
    </code>
  )
}

function OrgsTable({ orgs }: { orgs: readonly OrgOut[] }) {
  const queryClient = useQueryClient()
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)

  async function toggle(org: OrgOut) {
    setBusy(org.id)
    setError(null)
    try {
      const updated = await setOrgDisabled(org.id, org.disabled_at === null)
      queryClient.setQueryData<OrgOut[]>(['platform-orgs'], (old) => old?.map((o) => (o.id === updated.id ? updated : o)))
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setBusy(null)
    }
  }

  if (orgs.length === 0) return <p className="text-sm text-slate-600">No organizations yet.</p>
  return (
    <div className="space-y-3">
      {error && <ProblemAlert error={error} />}
      <div className="overflow-x-auto">
        <table className={tableClass}>
          <thead>
            <tr>
              <th scope="col" className={thClass}>Slug</th>
              <th scope="col" className={thClass}>Name</th>
              <th scope="col" className={thClass}>Kind</th>
              <th scope="col" className={thClass}>Tenants</th>
              <th scope="col" className={thClass}>Disabled</th>
              <th scope="col" className={thClass}><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {orgs.map((o) => (
              <tr key={o.id} data-testid="org-row" data-org-id={o.id} className={o.disabled_at ? 'text-slate-500' : ''}>
                <td className={`${tdClass} font-mono text-xs`}>{o.slug}</td>
                <td className={tdClass}>
                  <Link to={`/orgs/${o.id}`} className={linkClass}>
                    {o.name}
                  </Link>
                </td>
                <td className={tdClass}>{o.kind === 'partner' ? 'Partner' : 'Direct'}</td>
                <td className={`${tdClass} tabular-nums`}>{o.tenant_count}</td>
                <td className={tdClass}>{o.disabled_at ? formatDate(o.disabled_at) : 'No'}</td>
                <td className={`${tdClass} text-right`}>
                  <button type="button" disabled={busy === o.id} onClick={() => void toggle(o)} className={secondaryButton}>
                    {o.disabled_at ? 'Enable' : 'Disable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

function AuditTable() {
  const audit = useInfiniteQuery({
    queryKey: ['platform-audit'],
    queryFn: ({ pageParam, signal }) => listPlatformAudit({ limit: AUDIT_PAGE, before: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: AuditEntry[]) => (last.length < AUDIT_PAGE ? undefined : last[last.length - 1]?.at),
  })

  if (audit.isPending) return <LoadingPanel label="Loading audit log…" />
  if (audit.isError) return <ProblemAlert error={asProblem(audit.error)} />
  const entries = audit.data.pages.flat()
  if (entries.length === 0) return <p className="text-sm text-slate-600">Nothing recorded yet.</p>

  return (
    <div className="space-y-3">
      <div className="overflow-x-auto">
        <table className={tableClass}>
          <thead>
            <tr>
              <th scope="col" className={thClass}>Time</th>
              <th scope="col" className={thClass}>Actor</th>
              <th scope="col" className={thClass}>Impersonator</th>
              <th scope="col" className={thClass}>Scope</th>
              <th scope="col" className={thClass}>Action</th>
              <th scope="col" className={thClass}>Target</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.map((e) => (
              <tr key={e.id} data-testid="audit-row">
                <td className={`${tdClass} whitespace-nowrap`}>
                  <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                </td>
                <td className={tdClass}>
                  <ShortId id={e.actor_user_id} />
                </td>
                <td className={tdClass}>
                  <ShortId id={e.impersonator_user_id} />
                </td>
                <td className={tdClass}>{e.scope}</td>
                <td className={`${tdClass} font-mono text-xs`}>{e.action}</td>
                <td className={tdClass}>
                  {e.target_type ? (
                    <span>
                      {e.target_type} <ShortId id={e.target_id} />
                    </span>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {audit.hasNextPage && (
        <button
          type="button"
          onClick={() => void audit.fetchNextPage()}
          disabled={audit.isFetchingNextPage}
          className={secondaryButton}
        >
          {audit.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
        </button>
      )}
    </div>
  )
}

/** `/platform` (superadmin): organizations, the platform MFA default, and the audit log. */
export function PlatformPage() {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const orgs = useQuery({ queryKey: ['platform-orgs'], queryFn: ({ signal }) => listOrgs(signal) })
  const [slug, setSlug] = useState('')
  const [name, setName] = useState('')
  const [kind, setKind] = useState<OrgKind>('direct')

  return (
    <Page title="Platform">
      <Section title="Organizations">
        {orgs.isPending && <LoadingPanel label="Loading organizations…" />}
        {orgs.isError && <ProblemAlert error={asProblem(orgs.error)} />}
        {orgs.data && <OrgsTable orgs={orgs.data} />}
        <div className="border-t border-slate-100 pt-4">
          <h3 className="mb-2 text-sm font-semibold text-slate-800">Create organization</h3>
          <CreateForm
            label="Create organization"
            submitLabel="Create organization"
            pendingLabel="Creating…"
            onSubmit={async () => {
              await createOrg({ slug: slug.trim(), name: name.trim(), kind })
              setSlug('')
              setName('')
              await queryClient.invalidateQueries({ queryKey: ['platform-orgs'] })
            }}
          >
            <TextField label="Slug" required autoComplete="off" value={slug} onChange={setSlug} hint="Lowercase letters, digits and dashes." />
            <TextField label="Name" required autoComplete="off" value={name} onChange={setName} className="min-w-64 flex-1" />
            <SelectField label="Kind" value={kind} options={KINDS} onChange={setKind} />
          </CreateForm>
        </div>
      </Section>

      {permissions?.has(PERMISSION.platformMfaManage) && (
        <Section title="MFA policy" description="The platform-wide default; organizations, tenants and users may override it.">
          <MfaPolicyControl
            inheritHint="Inherit uses the built-in default."
            onSave={(required) => setPlatformMfaPolicy(required)}
          />
        </Section>
      )}

      {permissions?.has(PERMISSION.platformAuditRead) && (
        <Section title="Audit log" description="Every organization- and platform-scoped action, newest first.">
          <AuditTable />
        </Section>
      )}
    </Page>
  )
}
