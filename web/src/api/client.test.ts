import { describe, expect, it } from 'vitest'
import { ProblemError } from '../api'
import { authedFetch, getSession, sessionFromAuth, setSession } from '../session'
import { authResponse, dashboard, jsonResponse, kri, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { answer, api, pathOf } from './client'

describe('the typed client', () => {
  it('sends the session token and answers the body', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'a1' })))
    const calls = mockApi({ 'GET /api/dashboard': jsonResponse(dashboard([kri()])) })
    const body = answer(await api.GET('/api/dashboard'))
    expect(body.tenant.name).toBeTruthy()
    expect(calls.calls[0]?.token).toBe('a1')
    expect(calls.calls[0]?.path).toBe('/api/dashboard')
  })

  it('refreshes once on a 401 and retries with the new token', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    let first = true
    const calls = mockApi({
      'GET /api/dashboard': (call) => {
        if (first) {
          first = false
          return problem(401, 'expired', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' })
        }
        return call.token === 'new' ? jsonResponse(dashboard([])) : problem(401, 'still old')
      },
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'new' })),
    })
    await api.GET('/api/dashboard')
    expect(calls.callsTo('POST /api/auth/refresh')).toHaveLength(1)
    expect(calls.callsTo('GET /api/dashboard').map((c) => c.token)).toEqual(['old', 'new'])
  })

  it('sends JSON bodies and throws problems with their members', async () => {
    setSession(sessionFromAuth(authResponse()))
    const calls = mockApi({ 'POST /api/risks': problem(422, 'title is required', { errors: [{ location: 'body.title', message: 'required' }] }) })
    const failure = api.POST('/api/risks', { body: { title: '' } as never })
    await expect(failure).rejects.toBeInstanceOf(ProblemError)
    await expect(failure).rejects.toMatchObject({ status: 422, detail: 'title is required' })
    expect(calls.calls[0]?.body).toEqual({ title: '' })
  })

  it('has one refresh path: concurrent 401s from typed and raw calls share one refresh', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    let refreshes = 0
    const expired = () => problem(401, 'expired', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' })
    const calls = mockApi({
      'GET /api/dashboard': (call) => (call.token === 'new' ? jsonResponse(dashboard([])) : expired()),
      'GET /api/me/tokens': (call) => (call.token === 'new' ? jsonResponse([]) : expired()),
      'GET /api/exports/kris.csv': (call) => (call.token === 'new' ? new Response('id\n') : expired()),
      'POST /api/auth/refresh': async () => {
        refreshes += 1
        // Slow enough that every caller's 401 arrives while this refresh is in flight.
        await new Promise((resolve) => setTimeout(resolve, 10))
        return jsonResponse(authResponse({ access_token: 'new' }))
      },
    })
    const [board, tokens, csv] = await Promise.all([
      api.GET('/api/dashboard').then(answer),
      api.GET('/api/me/tokens').then(answer),
      authedFetch('/api/exports/kris.csv').then((r) => r.text()),
    ])
    expect(board.kris).toEqual([])
    expect(tokens).toEqual([])
    expect(csv).toBe('id\n')
    expect(refreshes).toBe(1)
    expect(calls.callsTo('POST /api/auth/refresh')).toHaveLength(1)
    expect(getSession()?.token).toBe('new')
  })

  it('fills a document path for the raw helper, encoding each parameter', () => {
    expect(pathOf('/api/reports/{report_id}/pdf', { report_id: 'a b/c' })).toBe('/api/reports/a%20b%2Fc/pdf')
    expect(pathOf('/api/memory/documents')).toBe('/api/memory/documents')
    expect(() => pathOf('/api/reports/{report_id}/pdf')).toThrow(/report_id/)
  })
})
