import type { Posture } from '../api'
import { formatNumber, relativeTime } from '../kri'
import { PostureScore } from './PostureScore'
import { SEVERITY_ICON, SEVERITY_LABEL, SEVERITY_ORDER } from '../riskModel'

const cardClass = 'rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm'

/** The tenant's rolled-up posture: score, stale share, risks per severity. */
export function PostureStrip({ posture }: { posture: Posture | null }) {
  if (!posture) {
    return (
      <section aria-label="Posture" data-testid="posture" className={cardClass}>
        <p className="text-sm text-slate-600" data-testid="posture-empty">
          Not rolled up yet. The posture appears once the pipeline has scored this tenant.
        </p>
      </section>
    )
  }
  return (
    <section aria-label="Posture" data-testid="posture">
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7">
        <li className={`${cardClass} col-span-2`}>
          <div data-testid="posture-score">
            <PostureScore score={posture.score} size="lg" />
          </div>
          <div className="text-xs font-medium text-slate-600">
            Posture score ·{' '}
            <time dateTime={posture.computed_at} title={new Date(posture.computed_at).toLocaleString()}>
              {relativeTime(posture.computed_at)}
            </time>
          </div>
        </li>
        <li className={cardClass}>
          <div className="text-2xl font-semibold tabular-nums text-slate-900" data-testid="posture-stale">
            {formatNumber(Math.round(posture.stale_share * 1000) / 10)} %
          </div>
          <div className="text-xs font-medium text-slate-600">Stale KRIs</div>
        </li>
        {SEVERITY_ORDER.map((s) => (
          <li key={s} className={cardClass} data-testid={`posture-risks-${s}`}>
            <div className="text-2xl font-semibold tabular-nums text-slate-900">{posture.risks[s] ?? 0}</div>
            <div className="text-xs font-medium text-slate-600">
              <span aria-hidden="true">{SEVERITY_ICON[s]} </span>
              {SEVERITY_LABEL[s]} risks
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
