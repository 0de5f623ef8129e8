import { useId, useMemo, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import type { Kri, KriStatus } from '../api'
import { getKriObservations, listAllEntities } from '../endpoints'
import { formatValue, relativeTime, STATUS_LABEL } from '../kri'
import { filterKris, groupKris, trendOf, type Trend } from '../kriWall'
import type { Session } from '../session'
import { DataTable } from './DataTable'
import { inputClass, linkClass } from './form'
import { KriTile } from './KriTile'
import { StatusBadge } from './StatusBadge'

const STATUSES: readonly KriStatus[] = ['red', 'amber', 'green', 'stale', 'no_data']
const TREND_DAYS = 14
const TREND_TEXT: Record<Trend, { glyph: string; label: string; className: string }> = {
  worse: { glyph: '▲', label: 'Getting worse', className: 'text-rose-800' },
  better: { glyph: '▼', label: 'Getting better', className: 'text-emerald-800' },
  flat: { glyph: '→', label: 'Steady', className: 'text-slate-700' },
}

/** The KRI's direction over the last two weeks: from the wall's sparklines when the page has them
 * (one request for the whole wall), else from the KRI's own daily history (table view only). */
function TrendCell({ kri, values }: { kri: Kri; values?: number[] }) {
  const history = useQuery({
    queryKey: ['kri-trend', kri.id],
    queryFn: ({ signal }) => {
      const to = new Date()
      const from = new Date(to.getTime() - TREND_DAYS * 86_400_000)
      return getKriObservations(kri.id, { from: from.toISOString(), to: to.toISOString(), bucket: 'day' }, signal)
    },
    staleTime: 5 * 60_000,
    enabled: values === undefined,
  })
  const series = values ? values.slice(-TREND_DAYS) : history.data?.points.map((p) => p.last)
  if (!series) return <span className="text-slate-600">…</span>
  const trend = trendOf(series, kri.direction, kri.warn ?? 0, kri.critical ?? 0)
  if (!trend) return <span className="text-slate-600">—</span>
  const t = TREND_TEXT[trend]
  return (
    <span className={`whitespace-nowrap ${t.className}`} data-testid="kri-trend" data-trend={trend}>
      <span aria-hidden="true">{t.glyph}</span> {t.label}
    </span>
  )
}

/** Each KRI's last days' daily means, oldest first (`/api/kri-sparklines`), by KRI id. */
type Sparklines = ReadonlyMap<string, number[]>

function Tiles({ kris, sparklines }: { kris: readonly Kri[]; sparklines?: Sparklines }) {
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
      {kris.map((kri) => (
        <KriTile key={kri.id} kri={kri} href={`/kris/${encodeURIComponent(kri.id)}`} sparkline={sparklines?.get(kri.id)} />
      ))}
    </div>
  )
}

function Table({ kris, sparklines }: { kris: readonly Kri[]; sparklines?: Sparklines }) {
  return (
    <DataTable
      rows={kris}
      rowTestId="kri-row"
      rowAttributes={(k) => ({ 'data-status': k.status })}
      empty="No KRIs."
      columns={[
        {
          header: 'KRI',
          sortValue: (k) => k.name,
          cell: (k) => (
            <Link to={`/kris/${encodeURIComponent(k.id)}`} className={linkClass}>
              {k.name}
            </Link>
          ),
        },
        { header: 'Value', className: 'tabular-nums whitespace-nowrap', sortValue: (k) => k.value, cell: (k) => formatValue(k.value, k.unit) },
        { header: 'Status', sortValue: (k) => STATUSES.indexOf(k.status), cell: (k) => <StatusBadge status={k.status} /> },
        { header: `Trend (${TREND_DAYS} days)`, cell: (k) => <TrendCell kri={k} values={sparklines?.get(k.id)} /> },
        { header: 'Warn', className: 'tabular-nums whitespace-nowrap', cell: (k) => formatValue(k.warn, k.unit) },
        { header: 'Critical', className: 'tabular-nums whitespace-nowrap', cell: (k) => formatValue(k.critical, k.unit) },
        { header: 'Updated', className: 'whitespace-nowrap', sortValue: (k) => k.observed_at, cell: (k) => relativeTime(k.observed_at) },
        { header: 'Source', sortValue: (k) => k.source, cell: (k) => k.source ?? 'Manual' },
      ]}
    />
  )
}

/** The dashboard's KRIs: search, status filter, grouped by domain, as tiles or a compact table. */
export function KriWall({ kris, session, sparklines }: { kris: readonly Kri[]; session: Session; sparklines?: Sparklines }) {
  const id = useId()
  const [q, setQ] = useState('')
  const [status, setStatus] = useState<KriStatus | 'all'>('all')
  const [grouped, setGrouped] = useState(true)
  const [view, setView] = useState<'tiles' | 'table'>('tiles')

  // Domains are the model's KRI categories: one list call, cached with the model.
  const model = useQuery({
    queryKey: ['model', session.user.id, session.user.tenant_id, 'kris', 'all'],
    queryFn: ({ signal }) => listAllEntities('kris', signal),
    staleTime: 5 * 60_000,
  })
  const domainOf = useMemo(() => {
    const byId = new Map((model.data ?? []).map((k) => [k.id, k.category]))
    return (kri: Kri) => byId.get(kri.id) ?? null
  }, [model.data])

  const shown = filterKris(kris, { q, statuses: status === 'all' ? [] : [status] })
  const groups = grouped ? groupKris(shown, domainOf) : [{ domain: '', kris: shown, red: 0 }]
  const Body = view === 'tiles' ? Tiles : Table

  return (
    <div className="space-y-4" data-testid="kri-wall">
      <div className="flex flex-wrap items-end gap-3" role="group" aria-label="Show KRIs">
        <div className="w-full space-y-1 sm:w-64">
          <label htmlFor={`${id}-q`} className="block text-sm font-medium text-slate-700">
            Find a KRI
          </label>
          <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} className={inputClass} placeholder="Name, slug or source" />
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-status`} className="block text-sm font-medium text-slate-700">
            Status
          </label>
          <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as KriStatus | 'all')} className={inputClass}>
            <option value="all">All statuses</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
          <input type="checkbox" checked={grouped} onChange={(e) => setGrouped(e.target.checked)} />
          Group by domain
        </label>
        <fieldset className="flex items-center gap-3 pb-2 text-sm text-slate-700">
          <legend className="sr-only">View</legend>
          {(['tiles', 'table'] as const).map((v) => (
            <label key={v} className="flex items-center gap-1.5">
              <input type="radio" name={`${id}-view`} value={v} checked={view === v} onChange={() => setView(v)} />
              {v === 'tiles' ? 'Tiles' : 'Table'}
            </label>
          ))}
        </fieldset>
        <p className="pb-2 text-sm text-slate-600" aria-live="polite">
          {shown.length} of {kris.length} shown
        </p>
      </div>
      {shown.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">No KRI matches.</p>
      ) : (
        groups.map((g) =>
          g.domain ? (
            <section key={g.domain} aria-label={g.domain} className="space-y-2" data-testid="kri-group">
              <h3 className="text-base font-semibold text-slate-900">
                {g.domain} <span className="text-sm font-normal text-slate-600">· {g.kris.length}</span>
              </h3>
              <Body kris={g.kris} sparklines={sparklines} />
            </section>
          ) : (
            <section key="all" aria-label="Key risk indicators">
              <Body kris={g.kris} sparklines={sparklines} />
            </section>
          ),
        )
      )}
    </div>
  )
}
