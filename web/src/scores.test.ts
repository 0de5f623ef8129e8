import { describe, expect, it } from 'vitest'
import { bandOf, postureLabel } from './scores'

describe('the one presentation of a posture score', () => {
  it('states the score, its band and the direction', () => {
    expect(postureLabel(72.59, 'high')).toBe('72.6 · High (higher is worse)')
    expect(postureLabel(null, 'unassessed')).toBe('Not assessed yet')
  })
  it('bands by the server thresholds at their boundaries', () => {
    expect([bandOf(75), bandOf(74.99), bandOf(50), bandOf(25), bandOf(24.9), bandOf(null)]).toEqual([
      'critical',
      'high',
      'high',
      'medium',
      'low',
      'unassessed',
    ])
  })
})
