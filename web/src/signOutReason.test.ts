import { describe, expect, it } from 'vitest'
import { ProblemError } from './api'
import { signOutMessage, signOutReasonFor } from './signOutReason'

function problem(status: number, type = 'about:blank', retryAfter?: number): ProblemError {
  return new ProblemError({ status, type, title: 'Error', detail: 'x' }, retryAfter)
}

describe('signOutReasonFor', () => {
  it('says nothing to a visitor who simply has no session', () => {
    expect(signOutReasonFor(problem(401), false)).toBeNull()
  })

  it('tells an ended session from a replayed one', () => {
    expect(signOutReasonFor(problem(401, 'https://draxis.dev/problems/session-ended'), false)).toEqual({ kind: 'ended' })
    expect(signOutReasonFor(problem(401, 'https://draxis.dev/problems/session-replayed'), true)).toEqual({
      kind: 'replayed',
    })
    expect(signOutReasonFor(problem(401), true)).toEqual({ kind: 'ended' })
  })

  it('keeps the true wait of a 429 from Retry-After', () => {
    expect(signOutReasonFor(problem(429, 'about:blank', 67), false)).toEqual({ kind: 'throttled', retryAfter: 67 })
    expect(signOutReasonFor(problem(429), true)).toEqual({ kind: 'throttled', retryAfter: null })
  })

  it('calls a network failure or a server error unreachable', () => {
    expect(signOutReasonFor(problem(0), false)).toEqual({ kind: 'unreachable' })
    expect(signOutReasonFor(problem(503), false)).toEqual({ kind: 'unreachable' })
    expect(signOutReasonFor(new TypeError('Failed to fetch'), true)).toEqual({ kind: 'unreachable' })
  })
})

describe('signOutMessage', () => {
  it('says why, and for a 429 how long to wait', () => {
    expect(signOutMessage({ kind: 'ended' })).toMatch(/session has ended.*signed out elsewhere/)
    expect(signOutMessage({ kind: 'replayed' })).toMatch(/another tab or device/)
    expect(signOutMessage({ kind: 'throttled', retryAfter: 818 })).toMatch(/try again in 818 seconds/)
    expect(signOutMessage({ kind: 'throttled', retryAfter: 1 })).toMatch(/try again in 1 second\./)
    expect(signOutMessage({ kind: 'unreachable' })).toMatch(/Could not reach the Draxis server/)
  })
})
