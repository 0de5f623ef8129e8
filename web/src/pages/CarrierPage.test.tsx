import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

describe('CarrierPage', () => {
  it('sends a carrier user home to /carrier and lists insureds', async () => {
    const carrier: UserSummary = {
      id: 'u-c',
      email: 'cara@carrier.test',
      display_name: 'Cara',
      role: 'carrier_user',
      org_id: null,
      tenant_id: null,
      tenant_name: null,
      carrier_id: 'c-1',
    }
    setSession(sessionFromAuth(authResponse({ user: carrier })))
    mockApi({
      'GET /api/me': jsonResponse(me(carrier)),
      'GET /api/carrier/insureds': jsonResponse([
        { tenant_id: 't-1', tenant_name: 'Acme Health', consent_granted_at: '2025-01-01T00:00:00Z' },
      ]),
    })
    renderApp('/')
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/carrier'))
    expect(await screen.findByRole('heading', { name: 'Portfolio', level: 1 })).toBeInTheDocument()
    expect(await screen.findByTestId('insured-row')).toHaveTextContent('Acme Health')
    expect(screen.getByRole('link', { name: 'Portfolio' })).toHaveAttribute('href', '/carrier')
  })
})
