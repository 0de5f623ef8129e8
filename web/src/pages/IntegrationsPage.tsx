import { useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { CatalogSection } from '../components/integrations/CatalogSection'
import { ConnectorKris } from '../components/integrations/ConnectorKris'
import { SourceForm } from '../components/integrations/SourceForm'
import { useRevealOnOpen } from '../components/useRevealOnOpen'
import { api } from '../api/client'
import { SourcesTable, type SourceBulk } from '../components/integrations/SourcesTable'
import { linkClass } from '../components/form'
import { Page, Section, Subsection } from '../components/Page'
import { QueryResult } from '../components/QueryResult'
import { INTEGRATIONS_PERMISSION, integrationsKey, type CatalogEntry, type Source } from '../integrations'
import { createSource, getCatalog, listSources } from '../integrationsApi'
import { usePermissions } from '../me'
import type { Session } from '../session'

export function useCatalog(session: Session) {
  return useQuery({
    queryKey: [...integrationsKey(session), 'catalog'],
    queryFn: ({ signal }) => getCatalog(signal),
    staleTime: 5 * 60_000,
  })
}

function AddSource({ entry, session, onDone }: { entry: CatalogEntry; session: Session; onDone: (source: Source | null) => void }) {
  const queryClient = useQueryClient()
  const reveal = useRevealOnOpen<HTMLDivElement>(entry.vendor_id)
  return (
    <Subsection title={`Add ${entry.display_name}`}>
      <div className="space-y-4" ref={reveal}>
        <SourceForm
          key={entry.vendor_id}
          entry={entry}
          label={`Add ${entry.display_name} source`}
          submitLabel="Add source"
          mode={{
            kind: 'create',
            onSubmit: async (body) => {
              const created = await createSource(body)
              queryClient.setQueryData<Source[]>([...integrationsKey(session), 'sources'], (old) =>
                old ? [...old.filter((s) => s.id !== created.id), created].sort((a, b) => a.name.localeCompare(b.name)) : [created],
              )
              await queryClient.invalidateQueries({ queryKey: [...integrationsKey(session), 'sources'] })
              onDone(created)
            },
          }}
          onCancel={() => onDone(null)}
        />
        <div className="space-y-2">
          <h4 className="text-sm font-semibold text-slate-800">KRIs this connector produces</h4>
          <ConnectorKris kris={entry.kris} />
        </div>
      </div>
    </Subsection>
  )
}

/** `/integrations`: the tenant's sources and the connector catalog to add more from. */
export function IntegrationsPage({ session }: { session: Session }) {
  const permissions = usePermissions()
  const canManage = permissions?.has(INTEGRATIONS_PERMISSION.manage) ?? false
  const catalog = useCatalog(session)
  const sources = useQuery({
    queryKey: [...integrationsKey(session), 'sources'],
    queryFn: ({ signal }) => listSources(signal),
  })
  const [adding, setAdding] = useState<CatalogEntry | null>(null)
  const [added, setAdded] = useState<Source | null>(null)
  const queryClient = useQueryClient()
  const refreshSources = () => queryClient.invalidateQueries({ queryKey: integrationsKey(session) })
  const bulk: SourceBulk = {
    setEnabled: async (ids, enabled) => {
      await api.POST('/api/sources/bulk-enabled', { body: { ids, enabled } })
      await refreshSources()
    },
    run: async (ids) => {
      await api.POST('/api/sources/bulk-run', { body: { ids } })
      await refreshSources()
    },
    remove: async (ids) => {
      await api.POST('/api/sources/bulk-delete', { body: { ids } })
      await refreshSources()
    },
  }

  return (
    <Page title="Integrations" titleTestId="integrations-title">
      <Section title="Sources" description="Where the tenant's KRI values come from.">
        <QueryResult query={sources} loading="Loading sources…">
          {(list) => <SourcesTable sources={list} catalog={catalog.data ?? []} bulk={canManage ? bulk : undefined} />}
        </QueryResult>
        {added && (
          <p role="status" className="text-sm text-emerald-800">
            Added {added.name}.{' '}
            <Link to={`/integrations/${encodeURIComponent(added.id)}`} className={linkClass}>
              Open {added.name}
            </Link>
          </p>
        )}
      </Section>
      <Section title="Catalog" description="Connectors this deployment can run.">
        <QueryResult query={catalog} loading="Loading catalog…">
          {(entries) => (
            <CatalogSection
              catalog={entries}
              sources={sources.data ?? []}
              canManage={canManage}
              adding={adding?.vendor_id ?? null}
              onAdd={(entry) => {
                setAdded(null)
                setAdding(entry)
              }}
            />
          )}
        </QueryResult>
        {canManage && adding && (
          <AddSource
            entry={adding}
            session={session}
            onDone={(source) => {
              setAdding(null)
              setAdded(source)
            }}
          />
        )}
      </Section>
    </Page>
  )
}
