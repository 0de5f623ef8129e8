import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { CarrierConsent, UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, noContent, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const granted: CarrierConsent = {
  carrier_id: 'c-1',
  carrier_name: 'Safe Insurance',
  consent_granted_at: '2025-01-01T00:00:00Z',
  revoked_at: null,
}
const revoked: CarrierConsent = {
  carrier_id: 'c-2',
  carrier_name: 'Other Mutual',
  consent_granted_at: '2025-01-01T00:00:00Z',
  revoked_at: '2025-02-01T00:00:00Z',
}
// A relationship starts with consent granted (the column is never null); this one was revoked.
const never: CarrierConsent = {
  carrier_id: 'c-3',
  carrier_name: 'New Re',
  consent_granted_at: '2025-01-01T00:00:00Z',
  revoked_at: '2025-01-02T00:00:00Z',
}

function rowOf(name: string): HTMLElement {
  const row = screen.getAllByTestId('consent-row').find((r) => within(r).queryByText(name))
  if (!row) throw new Error(`no row for ${name}`)
  return row
}

describe('CarrierConsentPage', () => {
  it('lists carriers with their consent and offers grant / revoke', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/tenant/carriers': jsonResponse([granted, revoked, never]),
    })
    renderApp('/tenant/carriers')
    const rows = await screen.findAllByTestId('consent-row')
    expect(rows).toHaveLength(3)
    expect(rows.map((r) => r.getAttribute('data-consent'))).toEqual(['granted', 'none', 'none'])
    expect(within(rowOf('Safe Insurance')).getByRole('button', { name: 'Revoke access' })).toBeInTheDocument()
    expect(within(rowOf('Other Mutual')).getByRole('button', { name: 'Grant access' })).toBeInTheDocument()
    expect(rowOf('Other Mutual')).toHaveTextContent('Access revoked')
    expect(within(rowOf('New Re')).getByRole('button', { name: 'Grant access' })).toBeInTheDocument()
    expect(rowOf('New Re')).toHaveTextContent('Access revoked')
    expect(screen.getByRole('link', { name: 'Carriers' })).toHaveAttribute('href', '/tenant/carriers')
  })

  it('shows an empty list', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({ 'GET /api/me': jsonResponse(me()), 'GET /api/tenant/carriers': jsonResponse([]) })
    renderApp('/tenant/carriers')
    expect(await screen.findByText('No carriers are available.')).toBeInTheDocument()
  })

  it('grants access with a PUT', async () => {
    setSession(sessionFromAuth(authResponse()))
    let list = [granted, never]
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/tenant/carriers': () => jsonResponse(list),
      'PUT /api/tenant/carriers/c-3/consent': () => {
        list = [granted, { ...never, consent_granted_at: '2025-03-01T00:00:00Z', revoked_at: null }]
        return noContent()
      },
    })
    const user = userEvent.setup()
    renderApp('/tenant/carriers')
    await screen.findAllByTestId('consent-row')
    await user.click(within(rowOf('New Re')).getByRole('button', { name: 'Grant access' }))
    await waitFor(() => expect(api.callsTo('PUT /api/tenant/carriers/c-3/consent')).toHaveLength(1))
    expect(await within(rowOf('New Re')).findByRole('button', { name: 'Revoke access' })).toBeInTheDocument()
  })

  it('revokes access only after confirmation, with a DELETE', async () => {
    setSession(sessionFromAuth(authResponse()))
    let list = [granted]
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/tenant/carriers': () => jsonResponse(list),
      'DELETE /api/tenant/carriers/c-1/consent': () => {
        list = [{ ...granted, revoked_at: '2025-03-01T00:00:00Z' }]
        return noContent()
      },
    })
    const user = userEvent.setup()
    renderApp('/tenant/carriers')
    await screen.findAllByTestId('consent-row')

    await user.click(within(rowOf('Safe Insurance')).getByRole('button', { name: 'Revoke access' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Revoke access for Safe Insurance?' })
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument()
    expect(api.callsTo('DELETE /api/tenant/carriers/c-1/consent')).toHaveLength(0)

    await user.click(within(rowOf('Safe Insurance')).getByRole('button', { name: 'Revoke access' }))
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke access' }))
    await waitFor(() => expect(api.callsTo('DELETE /api/tenant/carriers/c-1/consent')).toHaveLength(1))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument())
    expect(await within(rowOf('Safe Insurance')).findByRole('button', { name: 'Grant access' })).toBeInTheDocument()
    expect(api.callsTo('PUT /api/tenant/carriers/c-1/consent')).toHaveLength(0)
  })

  it('hides the page and its link without carrier_consent:manage', async () => {
    const tenantUser: UserSummary = { ...tenantAdmin, id: 'u-2', role: 'tenant_user' }
    setSession(sessionFromAuth(authResponse({ user: tenantUser })))
    const api = mockApi({ 'GET /api/me': jsonResponse(me(tenantUser)) })
    renderApp('/tenant/carriers')
    expect(await screen.findByText('You do not have access to this page.')).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Carriers' })).not.toBeInTheDocument()
    expect(api.callsTo('GET /api/tenant/carriers')).toHaveLength(0)
  })
})
