import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Acceptance } from '../acceptance'
import { earliestExpiry } from '../acceptance'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, control, jsonResponse, listPage, me, risk, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const tenantUser = { ...tenantAdmin, id: 'u-2', email: 'bob@acme.test', display_name: 'Bob', role: 'tenant_user' as const }

function acceptance(overrides: Partial<Acceptance> = {}): Acceptance {
  return {
    id: 'a-1',
    risk_id: 'r-1',
    risk_slug: 'ransomware',
    risk_title: 'Ransomware outbreak',
    justification: 'EDR everywhere by June',
    requested_by: 'u-2',
    requested_by_name: 'Bob',
    requested_at: '2026-12-01T09:00:00Z',
    approver_role: 'tenant_admin',
    expires_at: '2027-06-30',
    compensating_control_id: 'c-1',
    compensating_control_name: 'EDR',
    status: 'pending',
    in_force: false,
    decided_by: null,
    decided_by_name: null,
    decided_at: null,
    reason: null,
    ended_by: null,
    ended_at: null,
    ...overrides,
  }
}

function routes(who = me(), acceptances: Acceptance[] = []) {
  return {
    'GET /api/me': jsonResponse(who),
    'GET /api/risks/r-1': jsonResponse(risk({ id: 'r-1', title: 'Ransomware outbreak' })),
    'GET /api/risks/r-1/links': jsonResponse({ kri_ids: [], control_ids: [], outcome_ids: [] }),
    'GET /api/risks/r-1/acceptances': jsonResponse(acceptances),
    'GET /api/kris': jsonResponse(listPage([])),
    'GET /api/controls': jsonResponse(listPage([control({ id: 'c-1', name: 'EDR' })])),
    'GET /api/outcomes': jsonResponse(listPage([])),
  }
}

describe('Risk acceptance on the risk page', () => {
  it('a member requests acceptance with a justification, an expiry and a compensating control', async () => {
    setSession(sessionFromAuth(authResponse({ user: tenantUser })))
    const api = mockApi({
      ...routes(me(tenantUser)),
      'POST /api/risks/r-1/acceptances': (call) => jsonResponse(acceptance(call.body as Partial<Acceptance>), 201),
    })
    const user = userEvent.setup()
    renderApp('/risks/r-1')
    const form = await screen.findByRole('form', { name: 'Request acceptance' })
    await user.type(within(form).getByLabelText('Justification'), 'EDR everywhere by June')
    const until = within(form).getByLabelText('Accepted until (UTC day)')
    expect(until).toHaveAttribute('min', earliestExpiry())
    await user.type(until, '2027-06-30')
    await waitFor(() => expect(within(form).getByRole('option', { name: 'EDR' })).toBeInTheDocument())
    await user.selectOptions(within(form).getByLabelText('Compensating control'), 'c-1')
    await user.click(within(form).getByRole('button', { name: 'Request acceptance' }))
    await waitFor(() => expect(api.callsTo('POST /api/risks/r-1/acceptances')).toHaveLength(1))
    expect(api.callsTo('POST /api/risks/r-1/acceptances')[0]?.body).toEqual({
      justification: 'EDR everywhere by June',
      expires_at: '2027-06-30',
      compensating_control_id: 'c-1',
    })
  })

  it("an admin approves another member's request", async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      ...routes(me(), [acceptance()]),
      'POST /api/risk-acceptances/a-1/approve': jsonResponse(acceptance({ status: 'approved', in_force: true })),
    })
    const user = userEvent.setup()
    renderApp('/risks/r-1')
    const active = await screen.findByTestId('active-acceptance')
    expect(active).toHaveAttribute('data-status', 'pending')
    expect(within(active).getByText('Compensating control: EDR')).toBeInTheDocument()
    await user.click(within(active).getByRole('button', { name: 'Approve' }))
    await waitFor(() => expect(api.callsTo('POST /api/risk-acceptances/a-1/approve')).toHaveLength(1))
    expect(api.callsTo('POST /api/risk-acceptances/a-1/approve')[0]?.body).toEqual({ reason: null })
    // Rejecting needs a reason: the button waits for one.
    expect(within(active).getByRole('button', { name: 'Reject' })).toBeDisabled()
  })

  it('offers no approval of one’s own request', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi(routes(me(), [acceptance({ requested_by: tenantAdmin.id, requested_by_name: tenantAdmin.display_name })]))
    renderApp('/risks/r-1')
    const active = await screen.findByTestId('active-acceptance')
    expect(within(active).queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument()
    expect(within(active).queryByRole('button', { name: 'Reject' })).not.toBeInTheDocument()
    expect(within(active).getByRole('button', { name: 'Withdraw' })).toBeInTheDocument()
    expect(within(active).getByTestId('awaiting-approver')).toHaveTextContent('Another tenant admin must approve')
  })

  it('shows an approved acceptance as a badge with its expiry, and the history', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi(
      routes(me(), [
        acceptance({ id: 'a-2', status: 'approved', in_force: true, decided_by: 'u-1', decided_by_name: 'Ada Lovelace' }),
        acceptance({ id: 'a-1', status: 'rejected', reason: 'Too long' }),
      ]),
    )
    renderApp('/risks/r-1')
    const active = await screen.findByTestId('active-acceptance')
    expect(within(active).getByTestId('accepted-badge')).toHaveTextContent('Accepted until 2027-06-30')
    const rows = within(screen.getByTestId('acceptance-history')).getAllByTestId('acceptance-row')
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['approved', 'rejected'])
    expect(rows[1]).toHaveTextContent('Too long')
  })
})
