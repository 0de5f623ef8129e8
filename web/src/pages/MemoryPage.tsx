import { useId, useState, type KeyboardEvent } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { linkClass } from '../components/form'
import { DocumentsTab } from '../components/memory/DocumentsTab'
import { FactsTab } from '../components/memory/FactsTab'
import { MemorySearch } from '../components/memory/MemorySearch'
import { Page, Section, formatDateTime } from '../components/Page'
import { QueryResult } from '../components/QueryResult'
import { MEMORY_PERMISSION } from '../memory'
import { usePermissions } from '../me'
import { getFact } from '../panelApi'
import type { Session } from '../session'

/** The query keys of a tenant's institutional memory start with this. */
export function memoryKey(session: { user: { id: string; tenant_id: string | null } }): readonly unknown[] {
  return ['memory', session.user.id, session.user.tenant_id]
}

type Tab = 'facts' | 'documents'
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'facts', label: 'Facts' },
  { id: 'documents', label: 'Documents' },
]

/** `?fact=<id>` (from an ended panel session): the fact its synthesis became. */
function RememberedFact({ baseKey, factId }: { baseKey: readonly unknown[]; factId: string }) {
  const query = useQuery({ queryKey: [...baseKey, 'fact', factId], queryFn: ({ signal }) => getFact(factId, signal) })
  return (
    <Section title="Remembered from a panel session">
      <QueryResult query={query} loading="Loading fact…">
        {(f) => (
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="remembered-fact">
            <dt className="font-medium text-slate-700">Key</dt>
            <dd>
              <code className="text-xs">{f.key}</code>
            </dd>
            <dt className="font-medium text-slate-700">Value</dt>
            <dd className="whitespace-pre-wrap">{f.value}</dd>
            <dt className="font-medium text-slate-700">Citation</dt>
            <dd>{f.citation}</dd>
            <dt className="font-medium text-slate-700">Updated</dt>
            <dd>{formatDateTime(f.updated_at)}</dd>
            {f.panel_session_id && (
              <>
                <dt className="font-medium text-slate-700">Session</dt>
                <dd>
                  <Link to={`/panel/${encodeURIComponent(f.panel_session_id)}`} className={linkClass}>
                    Open the panel session
                  </Link>
                </dd>
              </>
            )}
          </dl>
        )}
      </QueryResult>
    </Section>
  )
}

/** `/memory`: the facts and documents the expert panel reads. */
export function MemoryPage({ session }: { session: Session }) {
  const permissions = usePermissions()
  const canWrite = permissions?.has(MEMORY_PERMISSION.write) ?? false
  const baseKey = memoryKey(session)
  const [params] = useSearchParams()
  const factId = params.get('fact')
  const [tab, setTab] = useState<Tab>('facts')
  const id = useId()

  function onTabKey(e: KeyboardEvent<HTMLButtonElement>) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return
    e.preventDefault()
    const i = TABS.findIndex((t) => t.id === tab)
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]
    if (next) {
      setTab(next.id)
      document.getElementById(`${id}-tab-${next.id}`)?.focus()
    }
  }

  return (
    <Page title="Institutional memory" titleTestId="memory-title">
      <p className="-mt-3 text-sm text-slate-600">
        Facts and documents the expert panel reads alongside your KRIs and risks.
        {!canWrite && ' You can read them; an administrator can change them.'}
      </p>
      {factId && <RememberedFact baseKey={baseKey} factId={factId} />}
      <Section title="Search" description="The excerpts of your documents the panel would be given for a question.">
        <MemorySearch baseKey={baseKey} />
      </Section>
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div role="tablist" aria-label="Memory" className="flex gap-1 border-b border-slate-200">
          {TABS.map((t) => (
            <button
              key={t.id}
              id={`${id}-tab-${t.id}`}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              aria-controls={`${id}-panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
              onKeyDown={onTabKey}
              className={
                tab === t.id
                  ? '-mb-px border-b-2 border-slate-900 px-3 py-2 text-sm font-semibold text-slate-900'
                  : '-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900'
              }
            >
              {t.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`${id}-panel-${tab}`} aria-labelledby={`${id}-tab-${tab}`}>
          {tab === 'facts' ? <FactsTab baseKey={baseKey} canWrite={canWrite} /> : <DocumentsTab baseKey={baseKey} canWrite={canWrite} />}
        </div>
      </section>
    </Page>
  )
}
