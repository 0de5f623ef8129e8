import { Link } from 'react-router'
import { groupCatalog, SOURCE_TYPE_LABEL, type CatalogEntry, type Source } from '../../integrations'
import { linkClass, secondaryButton } from '../form'

function EntryCard({
  entry,
  existing,
  canManage,
  adding,
  onAdd,
}: {
  entry: CatalogEntry
  existing: Source | undefined
  canManage: boolean
  adding: boolean
  onAdd: () => void
}) {
  return (
    <li className="flex flex-col justify-between gap-3 rounded-lg border border-slate-200 p-4" data-testid="catalog-entry" data-vendor={entry.vendor_id}>
      <div className="space-y-1">
        <p className="font-medium text-slate-900">{entry.display_name}</p>
        <p className="text-xs text-slate-600">
          {SOURCE_TYPE_LABEL[entry.source_type] ?? entry.source_type} · auth: {entry.auth_type}
          {entry.base_url ? ` · ${entry.base_url}` : ''}
        </p>
        <p className="text-xs text-slate-600">
          {entry.kris.length === 0 ? 'Feeds the KRIs you wire to it' : `${entry.kris.length} ${entry.kris.length === 1 ? 'KRI' : 'KRIs'}`}
        </p>
      </div>
      {existing ? (
        <p className="text-sm text-slate-700">
          Added:{' '}
          <Link to={`/integrations/${encodeURIComponent(existing.id)}`} className={linkClass}>
            {existing.name}
          </Link>
        </p>
      ) : (
        canManage && (
          <button type="button" onClick={onAdd} aria-label={`Add ${entry.display_name}`} aria-expanded={adding} className={`${secondaryButton} self-start`}>
            Add
          </button>
        )
      )}
    </li>
  )
}

/** The connector catalog, grouped by how values arrive. A tenant has one source per connector. */
export function CatalogSection({
  catalog,
  sources,
  canManage,
  adding,
  onAdd,
}: {
  catalog: readonly CatalogEntry[]
  sources: readonly Source[]
  canManage: boolean
  adding: string | null
  onAdd: (entry: CatalogEntry) => void
}) {
  const groups = groupCatalog(catalog)
  if (groups.length === 0) return <p className="text-sm text-slate-600">No connectors are available.</p>
  return (
    <div className="space-y-5">
      {groups.map((g) => (
        <div key={g.key} className="space-y-2" data-testid="catalog-group" data-group={g.key}>
          <div>
            <h3 className="text-sm font-semibold text-slate-800">{g.title}</h3>
            <p className="text-xs text-slate-600">{g.description}</p>
          </div>
          <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label={g.title}>
            {g.entries.map((e) => (
              <EntryCard
                key={e.vendor_id}
                entry={e}
                existing={sources.find((s) => s.vendor_id === e.vendor_id)}
                canManage={canManage}
                adding={adding === e.vendor_id}
                onAdd={() => onAdd(e)}
              />
            ))}
          </ul>
        </div>
      ))}
    </div>
  )
}
