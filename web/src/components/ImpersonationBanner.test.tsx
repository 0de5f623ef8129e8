import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { UserSummary } from '../identity'
import { getSession, sessionFromAuth, sessionFromImpersonation, setSession } from '../session'
import {
  authResponse,
  dashboard,
  impersonationStart,
  jsonResponse,
  kri,
  masterAdmin,
  me,
  noContent,
  problem,
  tenantOut,
} from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

/** Who the impersonation token says you are: the actor, as tenant admin of the target tenant. */
const actingUser: UserSummary = {
  ...masterAdmin,
  role: 'tenant_admin',
  tenant_id: 't-1',
  tenant_name: 'Acme Health',
}
const start = impersonationStart()
const impersonatedMe = me(actingUser, {
  impersonation: start.impersonation,
  permissions: ['self', 'dashboard:read', 'tenant_users:read', 'tenant_audit:read'],
})

const orgRoutes = {
  'GET /api/orgs/o-1': jsonResponse({
    id: 'o-1',
    slug: 'partner',
    name: 'Partner Co',
    kind: 'partner',
    created_at: '2025-01-01T00:00:00Z',
    disabled_at: null,
    tenant_count: 1,
  }),
  'GET /api/orgs/o-1/tenants': jsonResponse([tenantOut({ id: 't-1', slug: 'acme', name: 'Acme Health' })]),
  'GET /api/orgs/o-1/users': jsonResponse([]),
}

describe('Impersonation', () => {
  it('shows the banner and stops: ends the impersonation, restores the actor, goes to /org', async () => {
    setSession(sessionFromImpersonation(start, impersonatedMe))
    const api = mockApi({
      ...orgRoutes,
      'GET /api/me': (call) => jsonResponse(call.token === 'imp-tok' ? impersonatedMe : me(masterAdmin)),
      'GET /api/dashboard': jsonResponse(dashboard([kri({ id: 'a' })])),
      'POST /api/auth/impersonation/stop': noContent(),
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'actor-tok', user: masterAdmin })),
    })
    const user = userEvent.setup()
    renderApp('/')

    const banner = await screen.findByTestId('impersonation-banner')
    expect(banner).toHaveAttribute('role', 'status')
    expect(banner).toHaveTextContent(
      /You are acting as tenant admin of Acme Health — signed in as grace@partner\.test\. Ends at .+\./,
    )
    expect(await screen.findAllByTestId('kri-tile')).toHaveLength(1)
    expect(api.callsTo('GET /api/dashboard')[0]?.token).toBe('imp-tok')

    await user.click(within(banner).getByRole('button', { name: 'Stop impersonating' }))

    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/org'))
    expect(screen.queryByTestId('impersonation-banner')).not.toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId('org-name')).toHaveTextContent('Partner Co'))
    expect(api.callsTo('POST /api/auth/impersonation/stop')[0]?.token).toBe('imp-tok')
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
    expect(getSession()?.token).toBe('actor-tok')
    expect(getSession()?.impersonation).toBeNull()
  })

  it('starts from the org page: Impersonate swaps in the impersonation token and goes to /', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'actor-tok', user: masterAdmin })))
    const api = mockApi({
      ...orgRoutes,
      'GET /api/me': (call) => jsonResponse(call.token === 'imp-tok' ? impersonatedMe : me(masterAdmin)),
      'POST /api/orgs/o-1/tenants/t-1/impersonate': jsonResponse(start, 201),
      'GET /api/dashboard': jsonResponse(dashboard([])),
    })
    const user = userEvent.setup()
    renderApp('/org')

    const row = (await screen.findAllByTestId('tenant-row'))[0]
    if (!row) throw new Error('no tenant row')
    await user.click(within(row).getByRole('button', { name: 'Impersonate' }))

    expect(await screen.findByTestId('impersonation-banner')).toHaveTextContent('Acme Health')
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/))
    expect(getSession()?.token).toBe('imp-tok')
    expect(getSession()?.impersonation?.actor.email).toBe('grace@partner.test')
    await waitFor(() => expect(api.callsTo('GET /api/dashboard')[0]?.token).toBe('imp-tok'))
    expect(screen.getByTestId('user-role')).toHaveTextContent('Tenant admin')
  })

  it('falls back to the actor session when the impersonation token is refused', async () => {
    setSession(sessionFromImpersonation(start, impersonatedMe))
    const api = mockApi({
      ...orgRoutes,
      'GET /api/me': (call) => (call.token === 'imp-tok' ? problem(401, 'expired') : jsonResponse(me(masterAdmin))),
      'GET /api/dashboard': problem(401, 'expired'),
      'POST /api/auth/refresh': jsonResponse(authResponse({ access_token: 'actor-tok', user: masterAdmin })),
    })
    renderApp('/')
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/org'))
    expect(screen.queryByTestId('impersonation-banner')).not.toBeInTheDocument()
    expect(getSession()?.token).toBe('actor-tok')
    // The tenant request is not replayed as the actor.
    expect(api.callsTo('GET /api/dashboard').every((c) => c.token === 'imp-tok')).toBe(true)
  })
})
