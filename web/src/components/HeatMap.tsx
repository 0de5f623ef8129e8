import { Link } from 'react-router'
import type { HeatCell, HeatMapData } from '../scores'
import { SEVERITY_LABEL } from '../riskModel'

const CELL_TONE: Record<string, string> = {
  critical: 'bg-rose-100',
  high: 'bg-orange-100',
  medium: 'bg-amber-50',
  low: 'bg-emerald-50',
  unassessed: 'bg-slate-50',
}

/**
 * Risks by severity (rows) × red KRIs linked (columns). Each risk in a cell links to its
 * explanation; `riskHref` decides where (the tenant's risk page, or an MSP's tenant view).
 */
export function HeatMap({
  data,
  riskHref,
  onSelectCell,
  selected,
}: {
  data: HeatMapData
  riskHref?: (risk: HeatCell['risks'][number]) => string
  /** When given, each cell's count is a button that selects the cell (its risks listed elsewhere). */
  onSelectCell?: (cell: HeatCell) => void
  selected?: HeatCell | null
}) {
  const cell = (severity: string, column: string) => data.cells.find((c) => c.severity === severity && c.red_kris === column)
  return (
    <section aria-labelledby="heatmap-title" data-testid="heatmap" className="overflow-x-auto rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="heatmap-title" className="mb-1 text-base font-semibold text-slate-900">
        Risk heat map
      </h2>
      <p className="mb-3 text-xs text-slate-600">
        Rows: {data.y_axis}. Columns: {data.x_axis}.
      </p>
      <table className="w-full border-collapse text-sm">
        <thead>
          <tr>
            <th scope="col" className="p-2 text-left text-xs font-medium text-slate-600">
              Severity \ red KRIs
            </th>
            {data.columns.map((c) => (
              <th key={c} scope="col" className="p-2 text-left text-xs font-medium text-slate-600">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.rows.map((s) => (
            <tr key={s}>
              <th scope="row" className="p-2 text-left text-xs font-semibold text-slate-800">
                {SEVERITY_LABEL[s]}
              </th>
              {data.columns.map((c) => {
                const found = cell(s, c)
                return (
                  <td key={c} data-testid="heatmap-cell" data-severity={s} data-red={c} className={`min-w-24 border border-white p-2 align-top ${CELL_TONE[s]}`}>
                    {onSelectCell && found && found.count > 0 ? (
                      <button
                        type="button"
                        onClick={() => onSelectCell(found)}
                        aria-pressed={selected?.severity === s && selected?.red_kris === c}
                        aria-label={`${found.count} ${SEVERITY_LABEL[s]} ${found.count === 1 ? 'risk' : 'risks'} with ${c} red KRIs: list them`}
                        data-testid="heatmap-cell-button"
                        className="rounded px-1 font-semibold tabular-nums text-sky-900 underline hover:bg-white/60 aria-pressed:bg-white"
                      >
                        {found.count}
                      </button>
                    ) : (
                      <span className="font-semibold tabular-nums text-slate-900">{found?.count ?? 0}</span>
                    )}
                    <ul className="mt-1 space-y-0.5">
                      {(found?.risks ?? []).slice(0, 5).map((r) => (
                        <li key={r.id} className="truncate text-xs">
                          {riskHref ? (
                            <Link to={riskHref(r)} className="text-sky-800 underline hover:text-sky-950" data-testid="heatmap-risk">
                              {r.title}
                            </Link>
                          ) : (
                            <span className="text-slate-800">{r.title}</span>
                          )}
                          {r.accepted_until && (
                            <span data-testid="heatmap-accepted" className="ml-1 text-violet-900">
                              (accepted until {r.accepted_until})
                            </span>
                          )}
                        </li>
                      ))}
                      {(found?.count ?? 0) > 5 && <li className="text-xs text-slate-600">and {(found?.count ?? 0) - 5} more</li>}
                    </ul>
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
