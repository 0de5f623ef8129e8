import { useState } from 'react'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { api } from '../../api/client'
import { useBulkActions } from '../BulkActions'
import { DataTable, useRowAction } from '../DataTable'
import { ConfirmDialog } from '../ConfirmDialog'
import { dangerButton, secondaryButton, linkClass, TextField } from '../form'
import { formatDateTime, Subsection } from '../Page'
import { ProblemAlert } from '../ProblemAlert'
import { QueryResult } from '../QueryResult'
import type { Fact } from '../../memory'
import { createFact, deleteFact, listFacts, updateFact } from '../../panelApi'
import { FactForm } from './FactForm'

export const FACTS_PAGE_SIZE = 50

function Origin({ fact }: { fact: Fact }) {
  if (fact.origin === 'panel_session' && fact.panel_session_id)
    return (
      <Link to={`/panel/${encodeURIComponent(fact.panel_session_id)}`} className={linkClass}>
        Panel session
      </Link>
    )
  return <span>{fact.origin === 'panel_session' ? 'Panel session' : 'Manual'}</span>
}

/** The tenant's facts, by key; add, edit and delete with `knowledge:write`. */
export function FactsTab({ baseKey, canWrite }: { baseKey: readonly unknown[]; canWrite: boolean }) {
  const queryClient = useQueryClient()
  const [q, setQ] = useState('')
  const [offset, setOffset] = useState(0)
  const [editing, setEditing] = useState<Fact | null>(null)
  const [deleting, setDeleting] = useState<Fact | null>(null)
  const [added, setAdded] = useState<string | null>(null)
  const action = useRowAction()
  const factsKey = [...baseKey, 'facts']
  const query = useQuery({
    queryKey: [...factsKey, q.trim(), offset],
    queryFn: ({ signal }) => listFacts({ q: q.trim() || undefined, limit: FACTS_PAGE_SIZE, offset }, signal),
    placeholderData: keepPreviousData,
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: factsKey })
  const bulk = useBulkActions<Fact>([
    canWrite && {
      label: 'Delete selected',
      danger: true,
      title: (rows) => `Delete ${rows.length} ${rows.length === 1 ? 'fact' : 'facts'}?`,
      confirmLabel: 'Delete all',
      describe: (rows) => `${rows.map((f) => f.key).join(', ')}: the panel will no longer read them.`,
      run: async (rows) => {
        await api.POST('/api/memory/facts/bulk-delete', { body: { ids: rows.map((f) => f.id) } })
        if (editing && rows.some((f) => f.id === editing.id)) setEditing(null)
        await refresh()
      },
    },
  ])

  return (
    <div className="space-y-4">
      {bulk.alert}
      {bulk.dialog}
      <TextField
        label="Filter facts"
        type="search"
        value={q}
        onChange={(v) => {
          setQ(v)
          setOffset(0)
        }}
        className="max-w-sm"
      />
      <QueryResult query={query} loading="Loading facts…">
        {(page) => (
          <DataTable
            rows={page.items}
            rowTestId="fact-row"
            bulkActions={bulk.actions}
            rowLabel={(f) => f.key}
            empty={q.trim() ? 'No facts match.' : 'No facts yet.'}
            above={action.error && <ProblemAlert error={action.error} />}
            columns={[
              { header: 'Key', sortValue: (f) => f.key, cell: (f) => <code className="text-xs break-all">{f.key}</code> },
              { header: 'Value', className: 'whitespace-pre-wrap max-w-md', sortValue: (f) => f.value, cell: (f) => f.value },
              { header: 'Citation', className: 'max-w-xs', sortValue: (f) => f.citation, cell: (f) => f.citation },
              { header: 'Origin', className: 'whitespace-nowrap', cell: (f) => <Origin fact={f} /> },
              { header: 'Updated', className: 'whitespace-nowrap', sortValue: (f) => f.updated_at, cell: (f) => formatDateTime(f.updated_at) },
              canWrite && {
                header: 'Actions',
                hideHeader: true,
                className: 'whitespace-nowrap text-right',
                cell: (f) => (
                  <div className="flex justify-end gap-2">
                    <button type="button" className={secondaryButton} aria-label={`Edit ${f.key}`} onClick={() => setEditing(f)}>
                      Edit
                    </button>
                    <button type="button" className={dangerButton} aria-label={`Delete ${f.key}`} disabled={action.busy === f.id} onClick={() => setDeleting(f)}>
                      Delete
                    </button>
                  </div>
                ),
              },
            ]}
            below={
              page.total > FACTS_PAGE_SIZE && (
                <div className="flex items-center justify-between text-sm text-slate-600">
                  <span>
                    {page.offset + 1}–{page.offset + page.items.length} of {page.total}
                  </span>
                  <div className="flex gap-2">
                    <button type="button" className={secondaryButton} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - FACTS_PAGE_SIZE))}>
                      Previous
                    </button>
                    <button type="button" className={secondaryButton} disabled={offset + FACTS_PAGE_SIZE >= page.total} onClick={() => setOffset(offset + FACTS_PAGE_SIZE)}>
                      Next
                    </button>
                  </div>
                </div>
              )
            }
          />
        )}
      </QueryResult>
      {deleting && (
        <ConfirmDialog
          title="Delete fact?"
          confirmLabel="Delete"
          pending={action.busy === deleting.id}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const f = deleting
            setDeleting(null)
            void action.run(f, async () => {
              await deleteFact(f.id)
              if (editing?.id === f.id) setEditing(null)
              await refresh()
            })
          }}
        >
          <p>
            Delete <code>{deleting.key}</code>? The panel will no longer read it.
          </p>
        </ConfirmDialog>
      )}
      {canWrite && editing && (
        <Subsection title={`Edit ${editing.key}`}>
          <FactForm
            key={editing.id}
            label="Edit fact"
            submitLabel="Save fact"
            initial={{ key: editing.key, value: editing.value, citation: editing.citation }}
            onCancel={() => setEditing(null)}
            onSubmit={async (body) => {
              await updateFact(editing.id, body)
              setEditing(null)
              await refresh()
            }}
          />
        </Subsection>
      )}
      {canWrite && !editing && (
        <Subsection title="Add a fact">
          <FactForm
            label="Add fact"
            submitLabel="Add fact"
            onSubmit={async (body) => {
              const created = await createFact({ key: body.key ?? '', value: body.value ?? '', citation: body.citation ?? '' })
              setAdded(created.key)
              await refresh()
            }}
          />
          {added && (
            <p role="status" className="mt-2 text-sm text-emerald-800">
              Added {added}.
            </p>
          )}
        </Subsection>
      )}
    </div>
  )
}
