// Display helpers for rolled-up posture scores (org rollup, carrier portfolio).
import type { Severity } from './api'
import { formatNumber } from './kri'

/**
 * The severity band of a posture score, for display only (the server's bands are authoritative
 * where it sends them): critical ≥ 75, high ≥ 50, medium ≥ 25, else low.
 */
export function scoreBand(score: number): Exclude<Severity, 'unassessed'> {
  if (score >= 75) return 'critical'
  if (score >= 50) return 'high'
  if (score >= 25) return 'medium'
  return 'low'
}

/** A score with one decimal, or an em dash. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined || !Number.isFinite(score) ? '—' : score.toFixed(1)
}

/** A 0–1 share as a percentage (`12.5 %`), or an em dash. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—'
  return `${formatNumber(Math.round(share * 1000) / 10)} %`
}

/** A count, or an em dash when unknown. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : String(n)
}

export type TrendDirection = 'worse' | 'better' | 'flat' | 'none'

/** A 30-day score change (positive = worse): `+3.2 ▲`, `−1.0 ▼`, `0.0`, or `—`. */
export function formatTrend(trend: number | null | undefined): { text: string; direction: TrendDirection } {
  if (trend === null || trend === undefined || !Number.isFinite(trend)) return { text: '—', direction: 'none' }
  const abs = Math.abs(trend).toFixed(1)
  if (abs === '0.0') return { text: '0.0', direction: 'flat' }
  return trend > 0 ? { text: `+${abs} ▲`, direction: 'worse' } : { text: `−${abs} ▼`, direction: 'better' }
}
