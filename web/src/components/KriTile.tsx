import { Link } from 'react-router'
import type { Kri } from '../api'
import { directionText, formatValue, relativeTime, STATUS_LABEL, STATUS_STYLE } from '../kri'
import { Sparkline } from './Sparkline'
import { StatusBadge } from './StatusBadge'

interface Props {
  kri: Kri
  /** Reference time for relative timestamps (ms since epoch). */
  now?: number
  /** Where the KRI's name links to (its detail page); plain text without one. */
  href?: string
  /** The last days' daily means, oldest first (from `/api/kri-sparklines`). */
  sparkline?: number[]
}

export function KriTile({ kri, now, href, sparkline }: Props) {
  const style = STATUS_STYLE[kri.status] ?? STATUS_STYLE.no_data
  const titleId = `kri-${kri.id}-name`
  const value = formatValue(kri.value, kri.unit)
  const updated = relativeTime(kri.observed_at, now)

  return (
    <article
      data-testid="kri-tile"
      data-status={kri.status}
      aria-labelledby={titleId}
      className={`flex flex-col gap-3 rounded-lg p-4 shadow-sm ${style.tile}`}
    >
      <header className="flex items-start justify-between gap-3">
        <h3 id={titleId} className="text-sm font-semibold leading-5 text-slate-900">
          {href ? (
            <Link to={href} className="hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600">
              {kri.name}
            </Link>
          ) : (
            kri.name
          )}
        </h3>
        <StatusBadge status={kri.status} />
      </header>

      <p className="text-3xl font-semibold tabular-nums tracking-tight text-slate-900">
        <span className="sr-only">Value: </span>
        {value}
        {kri.value === null && <span className="sr-only"> ({STATUS_LABEL.no_data.toLowerCase()})</span>}
      </p>

      {sparkline && <Sparkline values={sparkline} label={`${kri.name} trend`} />}

      {kri.description && <p className="text-sm leading-5 text-slate-600">{kri.description}</p>}

      <dl className="mt-auto grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs text-slate-600">
        <dt className="font-medium text-slate-700">Warn</dt>
        <dd className="tabular-nums">{formatValue(kri.warn, kri.unit)}</dd>
        <dt className="font-medium text-slate-700">Critical</dt>
        <dd className="tabular-nums">{formatValue(kri.critical, kri.unit)}</dd>
        <dt className="font-medium text-slate-700">Direction</dt>
        <dd>{directionText(kri.direction)}</dd>
        <dt className="font-medium text-slate-700">Updated</dt>
        <dd>
          {kri.observed_at ? (
            <time dateTime={kri.observed_at} title={new Date(kri.observed_at).toLocaleString()}>
              {updated}
            </time>
          ) : (
            updated
          )}
          {kri.source && <span className="text-slate-700"> · {kri.source}</span>}
        </dd>
      </dl>
    </article>
  )
}
