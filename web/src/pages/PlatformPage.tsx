import { useState } from 'react'
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { replaceById } from '../cache'
import { api } from '../api/client'
import { useBulkActions } from '../components/BulkActions'
import { CreateForm } from '../components/CreateForm'
import { DataTable, useRowAction } from '../components/DataTable'
import { linkClass, secondaryButton, SelectField, TextField } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { MfaPolicyControl } from '../components/MfaPolicyControl'
import { formatDate, formatDateTime, Page, Section, Subsection } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
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
  const { busy, error, run } = useRowAction()

  const bulk = useBulkActions<OrgOut>(
    ([true, false] as const).map((disabled) => ({
      label: disabled ? 'Disable selected' : 'Enable selected',
      danger: disabled,
      title: (rows: OrgOut[]) => `${disabled ? 'Disable' : 'Enable'} ${rows.length} ${rows.length === 1 ? 'organization' : 'organizations'}?`,
      confirmLabel: disabled ? 'Disable all' : 'Enable all',
      describe: (rows: OrgOut[]) =>
        `${rows.map((o) => o.name).join(', ')}: ${disabled ? "their users' sessions stop working at once." : 'their users may sign in again.'}`,
      run: async (rows: OrgOut[]) => {
        await api.POST('/api/platform/orgs/bulk-disabled', { body: { ids: rows.map((o) => o.id), disabled } })
        await queryClient.invalidateQueries({ queryKey: ['platform-orgs'] })
      },
    })),
  )

  function toggle(org: OrgOut) {
    return run(org, async () => {
      const updated = await setOrgDisabled(org.id, org.disabled_at === null)
      queryClient.setQueryData<OrgOut[]>(['platform-orgs'], replaceById(updated))
    })
  }

  return (
    <DataTable
      rows={orgs}
      rowTestId="org-row"
      rowAttributes={(o) => ({ 'data-org-id': o.id, className: o.disabled_at ? 'text-slate-500' : '' })}
      empty="No organizations yet."
      above={(error || bulk.alert) && (
        <>
          {error && <ProblemAlert error={error} />}
          {bulk.alert}
        </>
      )}
      bulkActions={bulk.actions}
      rowLabel={(o) => o.name}
      below={bulk.dialog}
      columns={[
        { header: 'Slug', className: 'font-mono text-xs', sortValue: (o) => o.slug, cell: (o) => o.slug },
        {
          header: 'Name',
          cell: (o) => (
            <Link to={`/orgs/${o.id}`} className={linkClass}>
              {o.name}
            </Link>
          ),
        },
        { header: 'Kind', sortValue: (o) => o.kind, cell: (o) => (o.kind === 'partner' ? 'Partner' : 'Direct') },
        { header: 'Tenants', className: 'tabular-nums', sortValue: (o) => o.tenant_count, cell: (o) => o.tenant_count },
        { header: 'Disabled', sortValue: (o) => o.disabled_at, cell: (o) => (o.disabled_at ? formatDate(o.disabled_at) : 'No') },
        {
          header: 'Actions',
          hideHeader: true,
          className: 'text-right',
          cell: (o) => (
            <button type="button" disabled={busy === o.id} onClick={() => void toggle(o)} className={secondaryButton}>
              {o.disabled_at ? 'Enable' : 'Disable'}
            </button>
          ),
        },
      ]}
    />
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

  return (
    <DataTable
      rows={audit.data.pages.flat()}
      rowTestId="audit-row"
      empty="Nothing recorded yet."
      columns={[
        { header: 'Time', className: 'whitespace-nowrap', sortValue: (e) => e.at, cell: (e) => <time dateTime={e.at}>{formatDateTime(e.at)}</time> },
        { header: 'Actor', sortValue: (e) => e.actor_user_id, cell: (e) => <ShortId id={e.actor_user_id} /> },
        { header: 'Impersonator', sortValue: (e) => e.impersonator_user_id, cell: (e) => <ShortId id={e.impersonator_user_id} /> },
        { header: 'Scope', sortValue: (e) => e.scope, cell: (e) => e.scope },
        { header: 'Action', className: 'font-mono text-xs', sortValue: (e) => e.action, cell: (e) => e.action },
        {
          header: 'Target',
          cell: (e) =>
            e.target_type ? (
              <span>
                {e.target_type} <ShortId id={e.target_id} />
              </span>
            ) : (
              <span className="text-slate-400">—</span>
            ),
        },
      ]}
      below={
        audit.hasNextPage && (
          <button
            type="button"
            onClick={() => void audit.fetchNextPage()}
            disabled={audit.isFetchingNextPage}
            className={secondaryButton}
          >
            {audit.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
          </button>
        )
      }
    />
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
        <QueryResult query={orgs} loading="Loading organizations…">
          {(data) => <OrgsTable orgs={data} />}
        </QueryResult>
        <Subsection title="Create organization">
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
        </Subsection>
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
