import { describe, expect, it } from 'vitest'
import { formatScore, formatShare, formatTrend, scoreBand } from './posture'

describe('posture display helpers', () => {
  it('bands a score: critical ≥ 75, high ≥ 50, medium ≥ 25, else low', () => {
    expect([100, 75, 74.9, 50, 49.9, 25, 24.9, 0].map(scoreBand)).toEqual([
      'critical', 'critical', 'high', 'high', 'medium', 'medium', 'low', 'low',
    ])
  })

  it('formats scores, shares and trends', () => {
    expect(formatScore(78.25)).toBe('78.3')
    expect(formatScore(null)).toBe('—')
    expect(formatShare(0.125)).toBe('12.5 %')
    expect(formatShare(null)).toBe('—')
    expect(formatTrend(3.24)).toEqual({ text: '+3.2 ▲', direction: 'worse' })
    expect(formatTrend(-1)).toEqual({ text: '−1.0 ▼', direction: 'better' })
    expect(formatTrend(0.01)).toEqual({ text: '0.0', direction: 'flat' })
    expect(formatTrend(null)).toEqual({ text: '—', direction: 'none' })
  })
})
