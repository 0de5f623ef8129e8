import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  authedFetch,
  bootstrapSession,
  getAuthState,
  getSession,
  REFRESH_LEAD_MS,
  sessionFromAuth,
  setSession,
} from './session'
import { answer, api as client, refreshOn } from './api/client'
import { authResponse, jsonResponse, problem } from './test/fixtures'
import { mockApi } from './test/mockApi'

afterEach(() => {
  vi.useRealTimers()
})

describe('bootstrapSession', () => {
  it('starts loading and signs in from the refresh cookie (200)', async () => {
    const api = mockApi({ 'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'fresh' })) })
    expect(getAuthState().status).toBe('loading')
    await bootstrapSession()
    expect(getAuthState().status).toBe('signed-in')
    expect(getSession()?.token).toBe('fresh')
    expect(getSession()?.user.email).toBe('ada@acme.test')
    expect(api.calls[0]?.credentials).toBe('same-origin')
    expect(window.sessionStorage.length).toBe(0)
  })

  it('settles as signed out on a 401', async () => {
    mockApi({ 'POST /api/auth/refresh': problem(401, 'No session to refresh; sign in.') })
    await bootstrapSession()
    expect(getAuthState().status).toBe('signed-out')
  })

  it('settles as signed out when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    await bootstrapSession()
    expect(getAuthState().status).toBe('signed-out')
  })

  it('refreshes only once when called twice (StrictMode)', async () => {
    const api = mockApi({ 'POST /api/auth/refresh': jsonResponse(authResponse()) })
    await Promise.all([bootstrapSession(), bootstrapSession()])
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
  })
})

// Signed-in calls through the typed client (api/client.ts) and its session fetch.
const getMe = async () => answer(await client.GET('/api/me'))
const getDashboard = async () => answer(await client.GET('/api/dashboard'))
const verify = async () => answer(await client.POST('/api/auth/mfa/verify', { body: { code: '123456' }, ...refreshOn('challenge') }))
const recover = async () =>
  answer(await client.POST('/api/auth/mfa/recover', { body: { recovery_code: 'abcd-efgh' }, ...refreshOn('challenge') }))

describe('the session fetch (withAccessToken)', () => {
  it('sends the bearer token', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'a1' })))
    const api = mockApi({ 'GET /api/me': jsonResponse({ ok: true }) })
    await expect(getMe()).resolves.toEqual({ ok: true })
    expect(api.calls[0]?.token).toBe('a1')
  })

  it('on a 401 refreshes once and retries once with the new token', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    const api = mockApi({
      'GET /api/me': (call) => (call.token === 'new' ? jsonResponse({ ok: true }) : problem(401, 'expired')),
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'new' })),
    })
    await expect(getMe()).resolves.toEqual({ ok: true })
    expect(api.calls.map((c) => `${c.method} ${c.path} ${c.token ?? '-'}`)).toEqual([
      'GET /api/me old',
      'POST /api/auth/refresh -',
      'GET /api/me new',
    ])
    expect(getSession()?.token).toBe('new')
  })

  it('shares one refresh between concurrent 401s', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    const api = mockApi({
      'GET /api/dashboard': (call) => (call.token === 'new' ? jsonResponse('a') : problem(401, 'expired')),
      'GET /api/me': (call) => (call.token === 'new' ? jsonResponse('b') : problem(401, 'expired')),
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'new' })),
    })
    await expect(Promise.all([getDashboard(), getMe()])).resolves.toEqual(['a', 'b'])
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
  })

  it('clears the session when the refresh fails', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    const api = mockApi({
      'GET /api/me': problem(401, 'expired'),
      'POST /api/auth/refresh': problem(401, 'This session has ended; sign in again.'),
    })
    await expect(getMe()).rejects.toMatchObject({ status: 401, detail: 'expired' })
    expect(getAuthState().status).toBe('signed-out')
    expect(api.callsTo('GET /api/me')).toHaveLength(1)
  })

  it('clears the session when the retry is refused too (no second refresh)', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    const api = mockApi({
      'GET /api/me': problem(401, 'expired'),
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'new' })),
    })
    await expect(getMe()).rejects.toMatchObject({ status: 401 })
    expect(api.callsTo('GET /api/me')).toHaveLength(2)
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
    expect(getAuthState().status).toBe('signed-out')
  })

  it("in 'challenge' mode treats a 401 without WWW-Authenticate as a wrong code, not an expired token", async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    const api = mockApi({
      'POST /api/auth/mfa/verify': (call) =>
        call.token === 'old'
          ? problem(401, 'That authentication code is not valid.')
          : jsonResponse({ ok: true }),
      'POST /api/auth/mfa/recover': (call) =>
        call.token === 'new'
          ? jsonResponse({ ok: true })
          : problem(401, 'expired', {}, { 'WWW-Authenticate': 'Bearer realm="draxis"' }),
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'new' })),
    })
    await expect(verify()).rejects.toMatchObject({
      status: 401,
      detail: 'That authentication code is not valid.',
    })
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(0)
    expect(getAuthState().status).toBe('signed-in')

    await expect(recover()).resolves.toEqual({ ok: true })
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
  })

  it('does not refresh on other errors, and marks MFA pending on 403 mfa-required', async () => {
    setSession(sessionFromAuth(authResponse({ mfa: { required: false, enrolled: true, verified: false } })))
    const api = mockApi({
      'GET /api/me': problem(403, 'MFA first', { type: 'https://draxis.dev/problems/mfa-required' }),
    })
    await expect(getMe()).rejects.toMatchObject({ status: 403 })
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(0)
    expect(getSession()?.mfa).toEqual({ required: true, enrolled: true, verified: false })
  })
})

describe('background refresh', () => {
  it('refreshes shortly before the access token expires', async () => {
    vi.useFakeTimers()
    const api = mockApi({ 'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'next' })) })
    setSession(sessionFromAuth(authResponse({ access_token: 'first', expires_in: 900 })))
    await vi.advanceTimersByTimeAsync(900_000 - REFRESH_LEAD_MS - 1_000)
    expect(api.calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
    expect(getSession()?.token).toBe('next')
  })
})

describe('authedFetch', () => {
  it('answers the raw response; on a 401 refreshes once and retries the opening once', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'old' })))
    const api = mockApi({
      'POST /api/stream': (call) =>
        call.token === 'new' ? new Response('event: x\ndata: 1\n\n', { headers: { 'Content-Type': 'text/event-stream' } }) : problem(401, 'expired'),
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'new' })),
    })
    const res = await authedFetch('/api/stream', { method: 'POST', headers: { Accept: 'text/event-stream' }, body: '{}' })
    await expect(res.text()).resolves.toBe('event: x\ndata: 1\n\n')
    expect(api.calls.map((c) => `${c.method} ${c.path} ${c.token ?? '-'}`)).toEqual([
      'POST /api/stream old',
      'POST /api/auth/refresh -',
      'POST /api/stream new',
    ])
  })

  it('rejects with the problem of a refusal', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'a1' })))
    mockApi({ 'POST /api/stream': problem(409, 'The session has ended.') })
    await expect(authedFetch('/api/stream', { method: 'POST' })).rejects.toMatchObject({ status: 409, detail: 'The session has ended.' })
  })
})
