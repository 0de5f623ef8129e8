import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, dashboard, jsonResponse, me } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'
import { HeatCellRisks } from './HeatCellRisks'

describe('An accepted risk is shown as accepted beside its severity', () => {
  it('in a heat-map cell list, keeping its severity', () => {
    render(
      <HeatCellRisks
        cell={{
          severity: 'high',
          red_kris: '1',
          count: 2,
          risks: [
            { id: 'r-1', tenant_id: 't-1', title: 'Legacy VPN', score: 60, accepted_until: '2027-03-31' },
            { id: 'r-2', tenant_id: 't-1', title: 'Phishing', score: 55, accepted_until: null },
          ],
        }}
        tenantName={() => 'Acme'}
        onClose={() => {}}
      />,
    )
    const [accepted, plain] = screen.getAllByTestId('heat-cell-risk')
    expect(within(accepted!).getByTestId('accepted-badge')).toHaveTextContent('Accepted until 2027-03-31')
    expect(accepted).toHaveTextContent('High')
    expect(within(plain!).queryByTestId('accepted-badge')).not.toBeInTheDocument()
  })

  it("among the dashboard's top risks", async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse({
        ...dashboard([]),
        top_risks: [{ id: 'r-1', title: 'Legacy VPN', status: 'accepted', score: 80, severity: 'critical', accepted_until: '2027-03-31' }],
      }),
    })
    renderApp('/')
    const top = await screen.findByTestId('top-risk')
    expect(top).toHaveAttribute('data-severity', 'critical')
    expect(within(top).getByTestId('accepted-badge')).toHaveTextContent('Accepted until 2027-03-31')
  })

  it('on the acceptances page, where an admin approves a pending request', async () => {
    setSession(sessionFromAuth(authResponse()))
    const pending = {
      id: 'a-1',
      risk_id: 'r-1',
      risk_slug: 'legacy_vpn',
      risk_title: 'Legacy VPN',
      justification: 'Replaced in Q2',
      requested_by: 'u-2',
      requested_by_name: 'Bob',
      requested_at: '2026-12-01T09:00:00Z',
      approver_role: 'tenant_admin',
      expires_at: '2027-03-31',
      compensating_control_id: null,
      compensating_control_name: null,
      status: 'pending',
      in_force: false,
      decided_by: null,
      decided_by_name: null,
      decided_at: null,
      reason: null,
      ended_by: null,
      ended_at: null,
    }
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/risk-acceptances?status=pending&limit=500': jsonResponse({ items: [pending], total: 1, limit: 500, offset: 0 }),
      'GET /api/risk-acceptances?status=approved&limit=500': jsonResponse({ items: [], total: 0, limit: 500, offset: 0 }),
      'POST /api/risk-acceptances/a-1/approve': jsonResponse({ ...pending, status: 'approved', in_force: true }),
    })
    const user = userEvent.setup()
    renderApp('/acceptances')
    const item = await screen.findByTestId('pending-acceptance')
    expect(item).toHaveTextContent('Legacy VPN until 2027-03-31, requested by Bob')
    await user.click(within(item).getByRole('button', { name: 'Approve' }))
    await waitFor(() => expect(api.callsTo('POST /api/risk-acceptances/a-1/approve')).toHaveLength(1))
  })
})
