import { describe, expect, it } from 'vitest'
import { filterKris, groupKris, NO_DOMAIN, trendOf } from './kriWall'
import { kri } from './test/fixtures'

const red = kri({ id: '1', slug: 'edr', name: 'EDR coverage', status: 'red', source: 'Demo data' })
const amber = kri({ id: '2', slug: 'mfa', name: 'MFA adoption', status: 'amber', source: null })
const green = kri({ id: '3', slug: 'patch', name: 'Patch latency', status: 'green', source: null })

describe('the KRI wall', () => {
  it('searches names, slugs and sources and filters by status', () => {
    expect(filterKris([red, amber, green], { q: 'mfa', statuses: [] })).toEqual([amber])
    expect(filterKris([red, amber, green], { q: 'demo', statuses: [] })).toEqual([red])
    expect(filterKris([red, amber, green], { q: '', statuses: ['red', 'green'] })).toEqual([red, green])
  })

  it('groups by domain, worst group first, unknown domains last', () => {
    const domains: Record<string, string | null> = { '1': 'Endpoint', '2': 'Identity', '3': null }
    const groups = groupKris([green, amber, red], (k) => domains[k.id])
    expect(groups.map((g) => [g.domain, g.kris.map((k) => k.id)])).toEqual([
      ['Endpoint', ['1']],
      ['Identity', ['2']],
      [NO_DOMAIN, ['3']],
    ])
  })

  it('reads a trend against the KRI direction', () => {
    expect(trendOf([10, 20], 'higher_is_worse', 5, 15)).toBe('worse')
    expect(trendOf([10, 20], 'lower_is_worse', 50, 30)).toBe('better')
    expect(trendOf([10, 10.01], 'higher_is_worse', 5, 15)).toBe('flat')
    expect(trendOf([10], 'higher_is_worse', 5, 15)).toBeNull()
  })
})
