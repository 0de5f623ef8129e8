import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { getAuthState, sessionFromAuth, setSession } from '../session'
import { authResponse, dashboard, jsonResponse, kri, masterAdmin, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

describe('Dashboard routing', () => {
  it('goes to /login when there is no session to restore', async () => {
    const api = mockApi({
      'POST /api/auth/refresh': problem(401, 'No session to refresh; sign in.'),
      'GET /api/auth/needs-setup': jsonResponse({ needs_setup: false }),
    })
    renderApp('/')
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(screen.getByTestId('location')).toHaveTextContent('/login')
    expect(api.callsTo('GET /api/dashboard')).toHaveLength(0)
  })

  it('shows the tenant name and KRI tiles', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard([kri({ id: 'a', status: 'amber' })])),
    })
    renderApp('/')
    expect(await screen.findAllByTestId('kri-tile')).toHaveLength(1)
    expect(screen.getByTestId('tenant-name')).toHaveTextContent('Acme Health')
  })

  it('clears the session and goes to /login when a 401 cannot be refreshed', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': problem(401, 'Token expired'),
      'GET /api/dashboard': problem(401, 'Token expired'),
      'POST /api/auth/refresh': problem(401, 'This session has ended; sign in again.'),
      'GET /api/auth/needs-setup': jsonResponse({ needs_setup: false }),
    })
    renderApp('/')
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(getAuthState().status).toBe('signed-out')
    // One refresh, shared by the concurrent 401s.
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
  })

  it('shows the problem detail when the dashboard fails', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': problem(403, 'Tenant is suspended'),
    })
    renderApp('/')
    expect(await screen.findByRole('alert')).toHaveTextContent('Tenant is suspended')
  })

  it('sends a master admin from / to /org', async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    mockApi({
      'GET /api/me': jsonResponse(me(masterAdmin)),
      'GET /api/orgs/o-1': jsonResponse({ id: 'o-1', slug: 'partner', name: 'Partner Co', kind: 'partner', created_at: '2025-01-01T00:00:00Z', disabled_at: null, tenant_count: 0 }),
      'GET /api/orgs/o-1/tenants': jsonResponse([]),
      'GET /api/orgs/o-1/users': jsonResponse([]),
    })
    renderApp('/')
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/org'))
    await waitFor(() => expect(screen.getByTestId('org-name')).toHaveTextContent('Partner Co'))
  })

  it('sends a 403 mfa-required to the MFA page', async () => {
    setSession(sessionFromAuth(authResponse({ mfa: { required: false, enrolled: true, verified: false } })))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': problem(403, 'Complete MFA first.', { type: 'https://draxis.dev/problems/mfa-required' }),
    })
    renderApp('/')
    expect(await screen.findByLabelText('Authentication code')).toBeInTheDocument()
    expect(screen.getByTestId('location')).toHaveTextContent('/mfa/verify')
  })

  it('renders a 404 page for unknown paths', async () => {
    mockApi({ 'POST /api/auth/refresh': problem(401, 'nope') })
    renderApp('/nope')
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument()
  })
})
