import { directionText } from '../../kri'
import type { ConnectorKri } from '../../integrations'

/** The KRIs a connector produces, with how each is computed. */
export function ConnectorKris({ kris }: { kris: readonly ConnectorKri[] }) {
  if (kris.length === 0) {
    return <p className="text-sm text-slate-600">This connector declares no KRIs: it feeds the KRIs you wire to it.</p>
  }
  return (
    <ul className="space-y-2 text-sm" aria-label="KRIs this connector produces">
      {kris.map((k) => (
        <li key={k.slug} data-testid="connector-kri">
          <span className="font-medium text-slate-900">{k.name}</span>{' '}
          <code className="text-xs text-slate-600">{k.slug}</code>
          <span className="text-slate-600">
            {' '}
            · {k.unit || 'no unit'} · {directionText(k.direction)} · warn {k.warn}, critical {k.critical}
          </span>
          {k.formula && <p className="text-xs text-slate-600">Formula: {k.formula}</p>}
        </li>
      ))}
    </ul>
  )
}
