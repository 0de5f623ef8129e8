import type { KriStatus } from '../api'
import { STATUS_ICON, STATUS_LABEL, STATUS_ORDER, STATUS_STYLE } from '../kri'

export function SummaryStrip({ counts }: { counts: Record<KriStatus, number> }) {
  return (
    <section aria-label="Status summary">
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-5">
        {STATUS_ORDER.map((status) => (
          <li
            key={status}
            data-testid={`count-${status}`}
            className="flex items-center gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm"
          >
            <span aria-hidden="true" className={`h-8 w-1.5 rounded-full ${STATUS_STYLE[status].accent}`} />
            <div>
              <div className="text-2xl font-semibold tabular-nums text-slate-900">{counts[status] ?? 0}</div>
              <div className="text-xs font-medium text-slate-600">
                <span aria-hidden="true">{STATUS_ICON[status]} </span>
                {STATUS_LABEL[status]}
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
