import { screen, waitFor, within } from '@testing-library/react'
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

describe('Dashboard risk posture', () => {
  it('shows the posture, top risks by severity and outcomes; KRI tiles link to their page', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse({
        ...dashboard([kri({ id: 'k-1', status: 'red' })]),
        posture: {
          score: 62.5,
          stale_share: 0.25,
          risks: { critical: 1, high: 2, medium: 3, low: 4, unassessed: 5 },
          computed_at: '2025-01-01T09:00:00Z',
        },
        top_risks: [
          { id: 'r-1', title: 'Ransomware outbreak', status: 'open', score: 91, severity: 'critical' },
          { id: 'r-2', title: 'Vendor breach', status: 'mitigating', score: 55, severity: 'medium' },
          { id: 'r-3', title: 'Insider fraud', status: 'open', score: null, severity: 'unassessed' },
        ],
        outcomes: [
          { id: 'o-1', name: 'Data breach', score: 80, severity: 'high' },
          { id: 'o-2', name: 'Outage', score: 20, severity: 'low' },
        ],
      }),
    })
    renderApp('/')
    const risks = await screen.findAllByTestId('top-risk')
    expect(risks.map((r) => r.getAttribute('data-severity'))).toEqual(['critical', 'medium', 'unassessed'])
    expect(risks[0]).toHaveTextContent('Critical')
    expect(risks[0]).toHaveTextContent('Ransomware outbreak')
    expect(risks[0]).toHaveTextContent('91')
    expect(risks[2]).toHaveTextContent('—')
    expect(within(risks[0]!).getByRole('link', { name: 'Ransomware outbreak' })).toHaveAttribute('href', '/risks/r-1')

    const outcomes = screen.getAllByTestId('outcome-row')
    expect(outcomes.map((o) => o.getAttribute('data-severity'))).toEqual(['high', 'low'])
    expect(outcomes[0]).toHaveTextContent('Data breach')
    expect(outcomes[0]).toHaveTextContent('High')

    expect(screen.getByTestId('posture-score')).toHaveTextContent('62.5')
    expect(screen.getByTestId('posture-stale')).toHaveTextContent('25 %')
    expect(screen.getByTestId('posture-risks-critical')).toHaveTextContent('1')
    expect(screen.getByTestId('posture-risks-unassessed')).toHaveTextContent('5')
    expect(screen.queryByTestId('posture-empty')).not.toBeInTheDocument()

    const tile = screen.getByTestId('kri-tile')
    expect(within(tile).getByRole('link', { name: 'MFA adoption' })).toHaveAttribute('href', '/kris/k-1')
    expect(screen.getByTestId('tenant-name')).toHaveTextContent('Acme Health')
  })

  it('says the posture is not rolled up yet when it is null', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard([])),
    })
    renderApp('/')
    expect(await screen.findByTestId('posture-empty')).toHaveTextContent('Not rolled up yet')
    expect(screen.queryByTestId('posture-score')).not.toBeInTheDocument()
    expect(screen.queryAllByTestId('top-risk')).toHaveLength(0)
    expect(screen.getByText('No scored risks yet.')).toBeInTheDocument()
  })

  it('shows the Risk model link with risk_model:read', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard([])),
    })
    renderApp('/')
    expect(await screen.findByRole('link', { name: 'Risk model' })).toHaveAttribute('href', '/model')
  })
})
