import { describe, expect, it } from 'vitest'
import { signInErrors } from '../pages/LoginPage'
import { actorText, targetText } from '../pages/AuditLogPage'
import { documentTitle } from './documentTitle'
import { hitHref } from './GlobalSearch'

describe('documentTitle', () => {
  it('puts the page first and the product last', () => {
    expect(documentTitle('Risk model')).toBe('Risk model · Draxis')
    expect(documentTitle('  ')).toBe('Draxis')
    expect(documentTitle(undefined)).toBe('Draxis')
  })
})

describe('signInErrors', () => {
  it('asks for what is missing or malformed, in words', () => {
    expect(signInErrors('', '')).toEqual({ email: 'Enter your email address.', password: 'Enter your password.' })
    expect(signInErrors('ada', 'pw').email).toBe('Enter an email address like name@company.com.')
    expect(signInErrors(' ada@acme.test ', 'pw')).toEqual({})
  })
})

describe('global search links', () => {
  it('opens KRIs, risks and sources on their pages and the rest in their lists', () => {
    expect(hitHref({ kind: 'kri', id: 'k1', name: 'x' })).toBe('/kris/k1')
    expect(hitHref({ kind: 'risk', id: 'r1', name: 'x' })).toBe('/risks/r1')
    expect(hitHref({ kind: 'source', id: 's1', name: 'x' })).toBe('/integrations/s1')
    expect(hitHref({ kind: 'vendor', id: 'v1', name: 'x' })).toBe('/model/vendors')
  })
})

describe('audit log names', () => {
  const base = {
    id: 'e1',
    at: '2026-12-01T00:00:00Z',
    actor_user_id: 'u1',
    impersonator_user_id: null,
    scope: 'tenant',
    action: 'user.update',
    target_type: 'user',
    target_id: '0123456789abcdef',
    request_id: null,
    ip: null,
    detail: {},
    actor_name: null,
    actor_email: null,
    impersonator_email: null,
    target_name: null,
  }
  it('names people, and says who it was when the name is not visible', () => {
    expect(actorText({ ...base, actor_name: 'Ada', actor_email: 'ada@acme.test' })).toBe('Ada (ada@acme.test)')
    expect(actorText(base)).toBe('A user outside this tenant')
    expect(actorText({ ...base, actor_user_id: null })).toBe('The system')
    expect(targetText({ ...base, target_name: 'Grace' })).toBe('Grace')
    expect(targetText(base)).toBe('user 01234567')
  })
})
