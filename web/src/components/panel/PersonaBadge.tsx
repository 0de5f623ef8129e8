import { PERSONAS, type PersonaId } from '../../panel'

/** A persona's coloured badge; `suffix` adds e.g. "· synthesis". */
export function PersonaBadge({ persona, suffix, short }: { persona: PersonaId; suffix?: string; short?: boolean }) {
  const meta = PERSONAS[persona]
  return (
    <span
      data-testid="persona-badge"
      data-persona={persona}
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${meta.className}`}
    >
      {short ? meta.badge : meta.name}
      {suffix ? ` · ${suffix}` : ''}
    </span>
  )
}

/** Marks a message the offline analyst wrote (no language model). */
export function OfflineBadge() {
  return (
    <span
      data-testid="offline-badge"
      className="inline-flex items-center rounded-full bg-slate-200 px-2 py-0.5 text-xs font-semibold text-slate-800"
      title="Built deterministically from your data, without a language model"
    >
      offline
    </span>
  )
}

export function SessionStatusBadge({ status }: { status: 'open' | 'ended' }) {
  return (
    <span
      data-testid="session-status"
      className={
        status === 'open'
          ? 'inline-flex rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-900'
          : 'inline-flex rounded-full bg-slate-200 px-2 py-0.5 text-xs font-semibold text-slate-700'
      }
    >
      {status === 'open' ? 'Open' : 'Ended'}
    </span>
  )
}
