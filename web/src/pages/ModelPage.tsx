import { useEffect, useState } from 'react'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { NavLink } from 'react-router'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { DataTable, useRowAction } from '../components/DataTable'
import { ModelTransfer } from '../components/ModelTransfer'
import { EntityForm } from '../components/EntityForm'
import { dangerButton, secondaryButton, SelectField, TextField } from '../components/form'
import { Page, Section, Subsection } from '../components/Page'
import { ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { bulkDeleteEntities, createEntity, deleteEntity, listEntities, updateEntity } from '../endpoints'
import { PERMISSION } from '../identity'
import { usePermissions } from '../me'
import { SPECS, type EntitySpec } from '../modelSpecs'
import { ENTITY_KINDS, type EntityKind, type EntityMap, type ListParams } from '../riskModel'
import type { Session } from '../session'

const PAGE_SIZE = 50

function tabClass({ isActive }: { isActive: boolean }): string {
  return isActive
    ? 'inline-block border-b-2 border-slate-900 px-3 py-2 text-sm font-semibold text-slate-900'
    : 'inline-block border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:border-slate-300 hover:text-slate-900'
}

/** The query keys of a tenant's risk model (lists, items, links, history) start with this. */
export function modelKey(session: Session): readonly unknown[] {
  return ['model', session.user.id, session.user.tenant_id]
}

function EntityList<K extends EntityKind>({ spec, session, canWrite }: { spec: EntitySpec<K>; session: Session; canWrite: boolean }) {
  const queryClient = useQueryClient()
  const [search, setSearch] = useState('')
  const [q, setQ] = useState('')
  const [sort, setSort] = useState(spec.sorts[0]?.value ?? '')
  const [filters, setFilters] = useState<Record<string, string>>({})
  const [offset, setOffset] = useState(0)
  const [editing, setEditing] = useState<EntityMap[K] | null>(null)
  const [deleting, setDeleting] = useState<EntityMap[K] | null>(null)
  const [bulkDeleting, setBulkDeleting] = useState<EntityMap[K][] | null>(null)
  const rowAction = useRowAction()

  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(search.trim())
      setOffset(0)
    }, 250)
    return () => clearTimeout(t)
  }, [search])

  const params: ListParams = { limit: PAGE_SIZE, offset, sort, q, filters }
  const query = useQuery({
    queryKey: [...modelKey(session), spec.kind, 'list', params],
    queryFn: ({ signal }) => listEntities(spec.kind, params, signal),
    placeholderData: keepPreviousData,
  })

  async function changed() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: modelKey(session) }),
      queryClient.invalidateQueries({ queryKey: ['dashboard'] }),
    ])
  }

  async function confirmDelete() {
    const row = deleting
    if (!row) return
    setDeleting(null)
    await rowAction.run(row, async () => {
      await deleteEntity(spec.kind, row.id)
      if (editing?.id === row.id) setEditing(null)
      await changed()
    })
  }

  async function confirmBulkDelete() {
    const rows = bulkDeleting
    if (!rows || rows.length === 0) return
    setBulkDeleting(null)
    await rowAction.run(rows[0] as EntityMap[K], async () => {
      await bulkDeleteEntities(spec.kind, rows.map((r) => r.id))
      if (editing && rows.some((r) => r.id === editing.id)) setEditing(null)
      await changed()
    })
  }

  const columns = [
    ...spec.columns,
    canWrite && {
      header: 'Actions',
      hideHeader: true,
      className: 'text-right whitespace-nowrap',
      cell: (row: EntityMap[K]) => (
        <div className="flex justify-end gap-2">
          <button type="button" onClick={() => setEditing(row)} aria-label={`Edit ${spec.title(row)}`} className={secondaryButton}>
            Edit
          </button>
          <button
            type="button"
            onClick={() => setDeleting(row)}
            disabled={rowAction.busy === row.id}
            aria-label={`Delete ${spec.title(row)}`}
            className={dangerButton}
          >
            Delete
          </button>
        </div>
      ),
    },
  ]

  return (
    <Section title={spec.plural} description={query.data ? `${query.data.total} in total` : undefined}>
      <div className="flex flex-wrap items-end gap-3">
        <TextField label="Search" type="search" value={search} onChange={setSearch} className="w-64" autoComplete="off" />
        <SelectField label="Sort" value={sort} options={spec.sorts} onChange={(v) => { setSort(v); setOffset(0) }} className="w-48" />
        {spec.filters?.map((f) => (
          <SelectField
            key={f.name}
            label={f.label}
            value={filters[f.name] ?? ''}
            options={f.options}
            onChange={(v) => {
              setFilters((prev) => ({ ...prev, [f.name]: v }))
              setOffset(0)
            }}
            className="w-44"
          />
        ))}
      </div>

      {canWrite && editing && (
        <Subsection title={`Edit ${spec.singular}: ${spec.title(editing)}`}>
          <EntityForm
            key={editing.id}
            spec={spec}
            entity={editing}
            label={`Edit ${spec.singular}`}
            submitLabel={`Save ${spec.singular}`}
            onSubmit={async (body) => {
              const updated = await updateEntity(spec.kind, editing.id, body)
              setEditing(updated)
              await changed()
            }}
            onCancel={() => setEditing(null)}
          />
        </Subsection>
      )}

      <QueryResult query={query} loading={`Loading ${spec.plural}…`}>
        {(page) => (
          <DataTable
            columns={columns}
            rows={page.items}
            rowTestId="model-row"
            exportTable={spec.kind}
            rowLabel={(row) => spec.title(row)}
            bulkActions={canWrite ? [{ label: 'Delete selected', danger: true, run: (rows) => setBulkDeleting(rows) }] : undefined}
            rowAttributes={(row) => ({ 'data-id': row.id, 'data-slug': row.slug })}
            empty={q || Object.values(filters).some(Boolean) ? `No ${spec.plural} match.` : `No ${spec.plural} yet.`}
            above={rowAction.error && <ProblemAlert error={rowAction.error} />}
            below={
              page.total > PAGE_SIZE && (
                <div className="flex items-center justify-between text-sm text-slate-600">
                  <span>
                    {page.offset + 1}–{page.offset + page.items.length} of {page.total}
                  </span>
                  <div className="flex gap-2">
                    <button type="button" className={secondaryButton} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                      Previous
                    </button>
                    <button
                      type="button"
                      className={secondaryButton}
                      disabled={offset + PAGE_SIZE >= page.total}
                      onClick={() => setOffset(offset + PAGE_SIZE)}
                    >
                      Next
                    </button>
                  </div>
                </div>
              )
            }
          />
        )}
      </QueryResult>

      {canWrite && (
        <Subsection title={`New ${spec.singular}`}>
          <EntityForm
            spec={spec}
            label={`Create ${spec.singular}`}
            submitLabel={`Create ${spec.singular}`}
            pendingLabel="Creating…"
            onSubmit={async (body) => {
              await createEntity(spec.kind, body)
              await changed()
            }}
          />
        </Subsection>
      )}

      {bulkDeleting && (
        <ConfirmDialog
          title={`Delete ${bulkDeleting.length} ${bulkDeleting.length === 1 ? spec.singular : spec.plural}?`}
          confirmLabel="Delete all"
          onConfirm={() => void confirmBulkDelete()}
          onCancel={() => setBulkDeleting(null)}
        >
          <p>
            Delete {bulkDeleting.map((r) => spec.title(r)).join(', ')}? Their links go with them. All are deleted, or none.
          </p>
        </ConfirmDialog>
      )}

      {deleting && (
        <ConfirmDialog
          title={`Delete ${spec.singular}?`}
          confirmLabel="Delete"
          onConfirm={() => void confirmDelete()}
          onCancel={() => setDeleting(null)}
        >
          <p>
            Delete <strong>{spec.title(deleting)}</strong>? Its links go with it.
          </p>
        </ConfirmDialog>
      )}
    </Section>
  )
}

function listFor<K extends EntityKind>(kind: K, session: Session, canWrite: boolean) {
  return <EntityList key={kind} spec={SPECS[kind]} session={session} canWrite={canWrite} />
}

/** `/model/:kind`: one tab per entity of the tenant's risk model. */
export function ModelPage({ session, kind }: { session: Session; kind: EntityKind }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const canWrite = permissions?.has(PERMISSION.riskModelWrite) ?? false
  return (
    <Page title="Risk model" titleTestId="model-title">
      <nav aria-label="Risk model">
        <ul className="flex flex-wrap gap-1 border-b border-slate-200">
          {ENTITY_KINDS.map((k) => (
            <li key={k}>
              <NavLink to={`/model/${k}`} className={tabClass} data-testid={`model-tab-${k}`}>
                {SPECS[k].plural}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {listFor(kind, session, canWrite)}
      <ModelTransfer canWrite={canWrite} onImported={() => queryClient.invalidateQueries({ queryKey: modelKey(session) })} />
    </Page>
  )
}
