import { describe, expect, it } from 'vitest'
import { matchMembers, moveLabel, nextStatuses, ownerText } from './tasks'

describe('tasks', () => {
  it('offers only the moves the server allows: closed tasks only reopen', () => {
    expect(nextStatuses('done')).toEqual(['open'])
    expect(nextStatuses('cancelled')).toEqual(['open'])
    expect(nextStatuses('open')).toEqual(['in_progress', 'waiting_approval', 'done', 'cancelled'])
    expect(moveLabel('done', 'open')).toBe('Reopen')
    expect(moveLabel('open', 'waiting_approval')).toBe('Mark waiting for approval')
  })

  it('names the owner: a member, a role, or nobody', () => {
    expect(ownerText({ owner_name: 'Ada', owner_role: null })).toBe('Ada')
    expect(ownerText({ owner_name: null, owner_role: 'tenant_admin' })).toBe('Any tenant admin')
    expect(ownerText({ owner_name: null, owner_role: null })).toBe('Unassigned')
  })

  it('searches members by name, case-insensitively', () => {
    const members = [
      { id: '1', display_name: 'Ada Lovelace', role: 'tenant_admin' },
      { id: '2', display_name: 'Bob Builder', role: 'tenant_user' },
    ]
    expect(matchMembers(members, 'LOVE').map((m) => m.id)).toEqual(['1'])
    expect(matchMembers(members, '  ')).toHaveLength(2)
  })
})
