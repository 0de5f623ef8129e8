import type { Severity } from '../api'
import { SEVERITY_BADGE, SEVERITY_ICON, SEVERITY_LABEL, severityOf } from '../riskModel'

export function SeverityBadge({ severity }: { severity: Severity }) {
  const s = severityOf(severity)
  return (
    <span
      data-testid="severity-badge"
      className={`inline-flex shrink-0 items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ${SEVERITY_BADGE[s]}`}
    >
      <span aria-hidden="true">{SEVERITY_ICON[s]}</span>
      <span>{SEVERITY_LABEL[s]}</span>
    </span>
  )
}
