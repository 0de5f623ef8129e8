import { liveSpecialistText, progressText, type LiveTurn } from '../../panel'
import { UserQuestion } from './TurnView'

const CHIP: Record<LiveTurn['specialists'][number]['status'], string> = {
  working: 'bg-slate-100 text-slate-700',
  answered: 'bg-emerald-100 text-emerald-900',
  failed: 'bg-rose-100 text-rose-900',
}

/** The turn being asked: the question at once, then the panel's progress as events arrive. */
export function LiveTurnView({ live }: { live: LiveTurn }) {
  const failed = live.phase === 'failed'
  return (
    <article className="space-y-3" data-testid="live-turn" aria-label="Current question">
      <UserQuestion content={live.question} target={live.target} />
      <div
        className={`space-y-2 rounded-xl border px-4 py-3 text-sm ${failed ? 'border-rose-300 bg-rose-50 text-rose-900' : 'border-slate-200 bg-slate-50 text-slate-700'}`}
      >
        <p role="status" aria-live="polite" data-testid="live-progress" className="flex items-center gap-2">
          {!failed && live.phase !== 'completed' && (
            <span aria-hidden="true" className="h-3 w-3 animate-spin rounded-full border-2 border-slate-300 border-t-slate-700" />
          )}
          {progressText(live)}
        </p>
        {live.specialists.length > 0 && (
          <ul className="flex flex-wrap gap-2" aria-label="Specialists">
            {live.specialists.map((s) => (
              <li key={s.persona} data-testid="live-specialist" data-status={s.status} className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${CHIP[s.status]}`}>
                {liveSpecialistText(s)}
              </li>
            ))}
          </ul>
        )}
      </div>
    </article>
  )
}
