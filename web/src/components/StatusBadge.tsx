import type { KriStatus } from '../api'
import { STATUS_ICON, STATUS_LABEL, STATUS_STYLE } from '../kri'

export function StatusBadge({ status }: { status: KriStatus }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ${STATUS_STYLE[status].badge}`}
    >
      <span aria-hidden="true">{STATUS_ICON[status]}</span>
      <span>{STATUS_LABEL[status]}</span>
    </span>
  )
}
