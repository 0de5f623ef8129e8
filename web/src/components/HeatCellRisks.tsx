import { Link } from 'react-router'
import type { HeatCell, HeatRisk } from '../scores'
import { SEVERITY_LABEL } from '../riskModel'
import { AcceptedBadge } from './AcceptedBadge'

/** The risks in one heat-map cell, across the organization's tenants: who, what, how bad. */
export function HeatCellRisks({
  cell,
  tenantName,
  riskHref,
  onClose,
}: {
  cell: HeatCell
  tenantName: (tenantId: string) => string
  /** Where a risk's title opens (the organization's read-only view of it). */
  riskHref?: (risk: HeatRisk) => string
  onClose: () => void
}) {
  const severity = SEVERITY_LABEL[cell.severity]
  return (
    <section aria-labelledby="heat-cell-title" data-testid="heat-cell-risks" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 id="heat-cell-title" className="text-base font-semibold text-slate-900">
          {severity} risks with {cell.red_kris} red KRIs ({cell.count})
        </h2>
        <button type="button" onClick={onClose} className="text-sm text-sky-800 underline hover:text-sky-950">
          Close the list
        </button>
      </div>
      <table className="w-full border-collapse text-sm">
        <thead>
          <tr className="text-left text-xs text-slate-600">
            <th scope="col" className="p-2 font-medium">Tenant</th>
            <th scope="col" className="p-2 font-medium">Risk</th>
            <th scope="col" className="p-2 font-medium">Score</th>
            <th scope="col" className="p-2 font-medium">Severity</th>
          </tr>
        </thead>
        <tbody>
          {cell.risks.map((r) => (
            <tr key={r.id} className="border-t border-slate-100" data-testid="heat-cell-risk">
              <td className="p-2 text-slate-900">{tenantName(r.tenant_id)}</td>
              <td className="p-2 text-slate-900">
                {riskHref ? (
                  <Link to={riskHref(r)} className="text-sky-800 underline hover:text-sky-950">
                    {r.title}
                  </Link>
                ) : (
                  r.title
                )}
              </td>
              <td className="p-2 tabular-nums text-slate-900">{r.score === null || r.score === undefined ? '—' : r.score.toFixed(1)}</td>
              <td className="p-2 text-slate-900">
                <span className="inline-flex flex-wrap items-center gap-2">
                  {severity}
                  <AcceptedBadge until={r.accepted_until} />
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
