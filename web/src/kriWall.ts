// The KRI wall's rules: search, filter by status, group by domain, and a trend from history.
import type { Kri, KriDirection, KriStatus } from './api'
import { sortKris } from './kri'

export interface WallFilter {
  /** Case-insensitive text in the name, slug or source. */
  q: string
  /** Only these statuses; empty means all. */
  statuses: readonly KriStatus[]
}

export function filterKris<T extends Kri>(kris: readonly T[], filter: WallFilter): T[] {
  const q = filter.q.trim().toLowerCase()
  return kris.filter(
    (k) =>
      (filter.statuses.length === 0 || filter.statuses.includes(k.status)) &&
      (!q || [k.name, k.slug, k.source ?? ''].some((text) => text.toLowerCase().includes(q))),
  )
}

export const NO_DOMAIN = 'Other'

export interface KriGroup<T> {
  domain: string
  kris: T[]
  /** How many of the group are red: the worst groups come first. */
  red: number
}

/** Groups by domain (the KRI's category), worst first (most red, then amber), then by name. */
export function groupKris<T extends Kri>(kris: readonly T[], domainOf: (kri: T) => string | null | undefined): KriGroup<T>[] {
  const groups = new Map<string, T[]>()
  for (const kri of kris) {
    const domain = domainOf(kri)?.trim() || NO_DOMAIN
    groups.set(domain, [...(groups.get(domain) ?? []), kri])
  }
  const count = (list: readonly T[], status: KriStatus) => list.filter((k) => k.status === status).length
  return [...groups.entries()]
    .map(([domain, list]) => ({ domain, kris: sortKris(list), red: count(list, 'red') }))
    .sort(
      (a, b) =>
        b.red - a.red ||
        count(b.kris, 'amber') - count(a.kris, 'amber') ||
        (a.domain === NO_DOMAIN ? 1 : 0) - (b.domain === NO_DOMAIN ? 1 : 0) ||
        a.domain.localeCompare(b.domain),
    )
}

export type Trend = 'worse' | 'better' | 'flat'

/**
 * Whether a KRI got worse or better over its points: last against first, with changes under
 * 1% of the range between the thresholds (or of the first value) read as flat.
 */
export function trendOf(values: readonly number[], direction: KriDirection, warn: number, critical: number): Trend | null {
  if (values.length < 2) return null
  const first = values[0] as number
  const last = values[values.length - 1] as number
  const scale = Math.abs(critical - warn) || Math.abs(first) || 1
  const change = last - first
  if (Math.abs(change) < scale * 0.01) return 'flat'
  const rising = change > 0
  return rising === (direction === 'higher_is_worse') ? 'worse' : 'better'
}
