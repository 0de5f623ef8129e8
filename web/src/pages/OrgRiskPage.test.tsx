import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { Schema } from '../api/client'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, masterAdmin, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const PATH = '/api/orgs/o-1/tenants/t-1/risks/r-1/explanation'

const explanation: Schema<'OrgRiskExplanation'> = {
  tenant_id: 't-1',
  tenant_name: 'Acme Health',
  direction: 'higher is worse',
  formula: 'score = 100 × (…)',
  risk: {
    risk_id: 'r-1',
    slug: 'breach',
    title: 'Data breach',
    status: 'open',
    score: 86.25,
    severity: 'critical',
    kri_count: 2,
    control_count: 1,
    red_kris: 1,
    amber_kris: 1,
    stale_kris: 0,
    computed_at: '2026-12-01T09:00:00Z',
    accepted_until: null,
  },
  contributions: [
    { kind: 'kri', id: 'k-1', name: 'Unpatched hosts', slug: 'unpatched', state: 'red', worst_points: 60, mean_points: 12.5, gap_points: 0, contribution: 72.5, share: 0.84 },
    { kind: 'control', id: 'c-1', name: 'MFA everywhere', slug: 'mfa', state: 'partial', worst_points: 0, mean_points: 0, gap_points: 7.5, contribution: 7.5, share: 0.09 },
  ],
}

describe('OrgRiskPage', () => {
  it("shows a tenant's risk read-only: score, severity and each share, with no link into the tenant", async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    const api = mockApi({ 'GET /api/me': jsonResponse(me(masterAdmin)), [`GET ${PATH}`]: jsonResponse(explanation) })
    renderApp('/orgs/o-1/tenants/t-1/risks/r-1')
    await waitFor(() => expect(screen.getByTestId('org-risk-title')).toHaveTextContent('Data breach'))
    expect(screen.getByText('Acme Health · read-only')).toBeInTheDocument()
    expect(screen.getByTestId('risk-score')).toHaveAttribute('data-severity', 'critical')
    const rows = screen.getAllByTestId('contribution')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('Unpatched hosts')
    expect(rows[0]).toHaveTextContent('84 %')
    expect(within(rows[0] as HTMLElement).queryByRole('link')).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Back to the organization' })).toHaveAttribute('href', '/orgs/o-1')
    expect(api.callsTo(`GET ${PATH}`)).toHaveLength(1)
  })

  it("says so when the risk is not the organization's", async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    mockApi({
      'GET /api/me': jsonResponse(me(masterAdmin)),
      [`GET ${PATH}`]: problem(404, "No such risk among this organization's tenants."),
    })
    renderApp('/orgs/o-1/tenants/t-1/risks/r-1')
    expect(await screen.findByRole('alert')).toHaveTextContent('No such risk')
  })
})
