import { describe, expect, it } from 'vitest'
import { badgeText, safeLink } from './notifications'

describe('notifications', () => {
  it('shows no badge at zero, the count, then 99+', () => {
    expect(badgeText(0)).toBeNull()
    expect(badgeText(7)).toBe('7')
    expect(badgeText(100)).toBe('99+')
  })

  it('follows only in-app paths', () => {
    expect(safeLink('/tasks/1')).toBe('/tasks/1')
    expect(safeLink('//evil.example')).toBeNull()
    expect(safeLink('https://evil.example')).toBeNull()
    expect(safeLink(null)).toBeNull()
  })
})
