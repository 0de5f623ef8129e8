import type { Kri, KriDirection, KriStatus } from './api'

export const STATUS_ORDER: readonly KriStatus[] = ['red', 'amber', 'stale', 'no_data', 'green']

export const STATUS_LABEL: Record<KriStatus, string> = {
  green: 'Green',
  amber: 'Amber',
  red: 'Red',
  stale: 'Stale',
  no_data: 'No data',
}

/** Non-colour glyph so status is never conveyed by colour alone. */
export const STATUS_ICON: Record<KriStatus, string> = {
  green: '✓',
  amber: '!',
  red: '✕',
  stale: '◷',
  no_data: '–',
}

export interface StatusStyle {
  tile: string
  badge: string
  accent: string
}

// Full class strings (no concatenation) so Tailwind can see them.
export const STATUS_STYLE: Record<KriStatus, StatusStyle> = {
  green: {
    tile: 'border border-emerald-300 bg-emerald-50',
    badge: 'bg-emerald-100 text-emerald-900 ring-1 ring-inset ring-emerald-300',
    accent: 'bg-emerald-500',
  },
  amber: {
    tile: 'border border-amber-300 bg-amber-50',
    badge: 'bg-amber-100 text-amber-900 ring-1 ring-inset ring-amber-300',
    accent: 'bg-amber-500',
  },
  red: {
    tile: 'border border-rose-300 bg-rose-50',
    badge: 'bg-rose-100 text-rose-900 ring-1 ring-inset ring-rose-300',
    accent: 'bg-rose-500',
  },
  stale: {
    tile: 'border-2 border-dashed border-slate-400 bg-slate-100',
    badge: 'bg-slate-200 text-slate-800 ring-1 ring-inset ring-slate-400',
    accent: 'bg-slate-400',
  },
  no_data: {
    tile: 'border border-gray-300 bg-gray-50',
    badge: 'bg-gray-200 text-gray-700 ring-1 ring-inset ring-gray-300',
    accent: 'bg-gray-300',
  },
}

export function statusRank(status: KriStatus): number {
  const i = STATUS_ORDER.indexOf(status)
  return i === -1 ? STATUS_ORDER.length : i
}

/** Red, amber, stale, no data, green; then by name (case-insensitive). Does not mutate. */
export function sortKris<T extends Pick<Kri, 'status' | 'name'>>(kris: readonly T[]): T[] {
  return [...kris].sort(
    (a, b) =>
      statusRank(a.status) - statusRank(b.status) ||
      a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }),
  )
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })

export function formatNumber(value: number): string {
  return numberFormat.format(value)
}

/** Units that only say "this is a number of things": the number speaks for itself. */
const COUNT_UNITS = new Set(['count', 'items'])

/** `97.3 %`, `12 days`, `3` (for a count), or an em dash when there is no value. */
export function formatValue(value: number | null | undefined, unit: string | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const n = formatNumber(value)
  return unit && !COUNT_UNITS.has(unit) ? `${n} ${unit}` : n
}

export function directionText(direction: KriDirection | string): string {
  switch (direction) {
    case 'higher_is_worse':
      return 'Higher is worse'
    case 'lower_is_worse':
      return 'Lower is worse'
    default:
      return direction.replace(/_/g, ' ')
  }
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", or "never". */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return 'never'
  const diffSec = Math.round((now - t) / 1000)
  const future = diffSec < 0
  const s = Math.abs(diffSec)
  let text: string
  if (s < 45) return 'just now'
  else if (s < 3600) text = `${Math.max(1, Math.round(s / 60))} min`
  else if (s < 86400) text = `${Math.round(s / 3600)} h`
  else if (s < 86400 * 45) text = `${Math.round(s / 86400)} d`
  else if (s < 86400 * 365) text = `${Math.round(s / (86400 * 30))} mo`
  else text = `${Math.round(s / (86400 * 365))} y`
  return future ? `in ${text}` : `${text} ago`
}

export function formatRole(role: string): string {
  const words = role.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
