import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { MfaState } from '../identity'
import { getSession, sessionFromAuth, setSession } from '../session'
import { authResponse, dashboard, jsonResponse, kri, me, noContent, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const signedOut = {
  'POST /api/auth/refresh': problem(401, 'No session to refresh; sign in.'),
  'GET /api/auth/needs-setup': jsonResponse({ needs_setup: false }),
}

async function signIn(password = 'correct horse battery') {
  const user = userEvent.setup()
  await user.type(await screen.findByLabelText('Email'), 'ada@acme.test')
  await user.type(screen.getByLabelText('Password'), password)
  await user.click(screen.getByRole('button', { name: 'Sign in' }))
  return user
}

describe('LoginPage', () => {
  it('shows the problem detail from a failed login', async () => {
    const api = mockApi({ ...signedOut, 'POST /api/auth/login': problem(401, 'Invalid email or password.') })
    renderApp('/login')
    await signIn('wrong')

    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password')
    const [call] = api.callsTo('POST /api/auth/login')
    expect(call?.body).toEqual({ email: 'ada@acme.test', password: 'wrong' })
    expect(call?.credentials).toBe('same-origin')
    expect(getSession()).toBeNull()
  })

  it('shows a 429 with when to try again', async () => {
    mockApi({
      ...signedOut,
      'POST /api/auth/login': problem(429, 'Too many failed sign-ins.', {}, { 'Retry-After': '30' }),
    })
    renderApp('/login')
    await signIn()
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Too many failed sign-ins.')
    expect(alert).toHaveTextContent('try again in 30 seconds')
  })

  it('redirects to /setup on first run', async () => {
    mockApi({ ...signedOut, 'GET /api/auth/needs-setup': jsonResponse({ needs_setup: true }) })
    renderApp('/login')
    expect(await screen.findByRole('heading', { name: 'Set up Draxis' })).toBeInTheDocument()
    expect(screen.getByTestId('location')).toHaveTextContent('/setup')
  })

  it('signs in, keeps the token in memory only, shows the dashboard, and signs out', async () => {
    const api = mockApi({
      ...signedOut,
      'POST /api/auth/login': jsonResponse(authResponse()),
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(
        dashboard([
          kri({ id: 'a', name: 'MFA adoption', status: 'green' }),
          kri({ id: 'b', name: 'Patch latency', status: 'red', value: 41, unit: 'days' }),
          kri({ id: 'c', name: 'Backups', status: 'stale' }),
        ]),
      ),
      'POST /api/auth/logout': noContent(),
    })
    renderApp('/login')
    const user = await signIn()

    const tiles = await screen.findAllByTestId('kri-tile')
    expect(tiles.map((t) => t.getAttribute('data-status'))).toEqual(['red', 'stale', 'green'])
    expect(screen.getByTestId('tenant-name')).toHaveTextContent('Acme Health')
    expect(screen.getByTestId('user-email')).toHaveTextContent('ada@acme.test')
    expect(screen.getByTestId('user-role')).toHaveTextContent('Tenant admin')
    expect(await screen.findByRole('link', { name: 'Users' })).toHaveAttribute('href', '/tenant/users')
    expect(screen.queryByRole('link', { name: 'Platform' })).not.toBeInTheDocument()

    expect(window.sessionStorage.length).toBe(0)
    expect(window.localStorage.length).toBe(0)
    expect(api.callsTo('GET /api/dashboard')[0]?.token).toBe('tok-123')

    await user.click(screen.getByRole('button', { name: /^Account/ }))
    await user.click(screen.getByRole('button', { name: 'Sign out' }))
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(api.callsTo('POST /api/auth/logout')).toHaveLength(1)
    expect(api.callsTo('POST /api/auth/logout')[0]?.token).toBe('tok-123')
    expect(getSession()).toBeNull()
  })

  it.each<[string, string, MfaState, string]>([
    ['not enrolled', '/mfa/enroll', { required: true, enrolled: false, verified: false }, 'Set up two-factor authentication'],
    ['enrolled, unverified', '/mfa/verify', { required: true, enrolled: true, verified: false }, 'Two-factor authentication'],
  ])('routes a user whose MFA is required and %s to %s', async (_, path, mfa, heading) => {
    mockApi({
      ...signedOut,
      'POST /api/auth/login': jsonResponse(authResponse({ mfa })),
      'POST /api/auth/mfa/enroll': jsonResponse({ secret: 'JBSWY3DPEHPK3PXP', provisioning_uri: 'otpauth://totp/Draxis:ada?secret=JBSWY3DPEHPK3PXP' }),
    })
    renderApp('/login')
    await signIn()
    expect(await screen.findByRole('heading', { name: heading })).toBeInTheDocument()
    expect(screen.getByTestId('location')).toHaveTextContent(path)
  })

  it('routes a verified MFA session home', async () => {
    mockApi({
      ...signedOut,
      'POST /api/auth/login': jsonResponse(authResponse({ mfa: { required: true, enrolled: true, verified: true } })),
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard([])),
    })
    renderApp('/login')
    await signIn()
    expect(await screen.findByTestId('tenant-name')).toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/))
  })
})

describe('LoginPage says why it sent someone here', () => {
  const needsSetup = { 'GET /api/auth/needs-setup': jsonResponse({ needs_setup: false }) }

  async function reasonShown() {
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(screen.getByTestId('location')).toHaveTextContent('/login')
    return screen.queryByRole('status')
  }

  it('says nothing to a visitor who was never signed in', async () => {
    mockApi(signedOut)
    renderApp('/')
    expect(await reasonShown()).toBeNull()
  })

  it('says the session ended when the refresh cookie no longer works', async () => {
    mockApi({
      ...needsSetup,
      'POST /api/auth/refresh': problem(401, 'This session has ended.', {
        type: 'https://draxis.dev/problems/session-ended',
      }),
    })
    renderApp('/')
    expect(await reasonShown()).toHaveTextContent('Your session has ended')
  })

  it('says how long to wait when the refresh is throttled, from Retry-After', async () => {
    mockApi({
      ...needsSetup,
      'POST /api/auth/refresh': problem(429, 'Too many requests.', {}, { 'Retry-After': '67' }),
    })
    renderApp('/')
    expect(await reasonShown()).toHaveTextContent('try again in 67 seconds')
  })

  it('says the server could not be reached', async () => {
    mockApi({
      ...needsSetup,
      'POST /api/auth/refresh': problem(503, 'The database is unavailable.'),
    })
    renderApp('/')
    expect(await reasonShown()).toHaveTextContent('Could not reach the Draxis server')
  })

  it('says the session was used elsewhere when a mid-session refresh finds it replayed', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      ...needsSetup,
      'GET /api/me': problem(401, 'Token expired'),
      'GET /api/dashboard': problem(401, 'Token expired'),
      'POST /api/auth/refresh': problem(401, 'Signed out.', {
        type: 'https://draxis.dev/problems/session-replayed',
      }),
    })
    renderApp('/')
    expect(await reasonShown()).toHaveTextContent('another tab or device')
  })

  it('forgets the reason once the person signs in again', async () => {
    mockApi({
      ...needsSetup,
      'POST /api/auth/refresh': problem(401, 'Ended.', { type: 'https://draxis.dev/problems/session-ended' }),
      'POST /api/auth/login': jsonResponse(authResponse()),
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard([])),
      'POST /api/auth/logout': noContent(),
    })
    renderApp('/')
    expect(await reasonShown()).toHaveTextContent('Your session has ended')
    const user = await signIn()
    await user.click(await screen.findByRole('button', { name: /^Account/ }))
    await user.click(await screen.findByRole('button', { name: 'Sign out' }))
    expect(await reasonShown()).toBeNull()
  })
})
