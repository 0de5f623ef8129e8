import { describe, expect, it } from 'vitest'
import type { KriStatus } from './api'
import { formatValue, relativeTime, sortKris } from './kri'

describe('sortKris', () => {
  it('orders red, amber, stale, no_data, green, then by name', () => {
    const input: { name: string; status: KriStatus }[] = [
      { name: 'Zeta', status: 'green' },
      { name: 'Alpha', status: 'green' },
      { name: 'Patching', status: 'no_data' },
      { name: 'Backups', status: 'stale' },
      { name: 'EDR coverage', status: 'amber' },
      { name: 'Phishing', status: 'red' },
      { name: 'admin accounts', status: 'red' },
      { name: 'Certificates', status: 'amber' },
    ]
    const sorted = sortKris(input)
    expect(sorted.map((k) => `${k.status}:${k.name}`)).toEqual([
      'red:admin accounts',
      'red:Phishing',
      'amber:Certificates',
      'amber:EDR coverage',
      'stale:Backups',
      'no_data:Patching',
      'green:Alpha',
      'green:Zeta',
    ])
  })

  it('does not mutate its input', () => {
    const input: { name: string; status: KriStatus }[] = [
      { name: 'B', status: 'green' },
      { name: 'A', status: 'red' },
    ]
    const copy = [...input]
    sortKris(input)
    expect(input).toEqual(copy)
  })
})

describe('formatValue', () => {
  it('formats value and unit', () => {
    expect(formatValue(97.3, '%')).toBe('97.3 %')
    expect(formatValue(0, 'days')).toBe('0 days')
    expect(formatValue(5, '')).toBe('5')
    expect(formatValue(3, 'count')).toBe('3')
    expect(formatValue(null, '%')).toBe('—')
  })
})

describe('relativeTime', () => {
  const now = Date.parse('2025-01-01T12:00:00Z')
  it('renders compact relative times', () => {
    expect(relativeTime(null, now)).toBe('never')
    expect(relativeTime('2025-01-01T11:59:50Z', now)).toBe('just now')
    expect(relativeTime('2025-01-01T11:55:00Z', now)).toBe('5 min ago')
    expect(relativeTime('2025-01-01T09:00:00Z', now)).toBe('3 h ago')
    expect(relativeTime('2024-12-30T12:00:00Z', now)).toBe('2 d ago')
  })
})
