import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../../session'
import { authResponse, jsonResponse, listPage, me, problem, risk, tenantAdmin } from '../../test/fixtures'
import { mockApi } from '../../test/mockApi'
import { renderApp } from '../../test/render'
import type { UserSummary } from '../../identity'
import type { Finding, VendorProfile, VendorSummary } from '../../vendors'
// Loaded up front: the app imports these pages lazily, and the first import is slow under load.
import './VendorPage'
import './VendorsPage'

const SLOW = { timeout: 5000 }

const vendor: VendorProfile['vendor'] = {
  id: 'v-1',
  slug: 'payroll',
  name: 'Payroll SaaS',
  category: 'HR',
  tier: 1,
  data_elements: [],
  owner: '',
  owner_user_id: null,
  owner_name: 'Alice Admin',
  due_date: null,
  review_date: null,
  criticality: 'high',
  data_access: 'restricted',
  services: ['Payroll'],
  subprocessors: [],
  contract_start: null,
  contract_end: null,
  website: 'https://payroll.example.com',
  app_match: [],
  attested_integrations: [],
  notes: '',
  created_at: '2025-01-01T09:00:00Z',
  updated_at: '2025-01-01T09:00:00Z',
}

function profile(overrides: Partial<VendorProfile> = {}): VendorProfile {
  return {
    vendor,
    contacts: [],
    risks: [
      { risk_id: 'r-1', slug: 'fraud', title: 'Payroll fraud', status: 'accepted', score: 40, severity: 'medium', accepted_until: '2027-03-01' },
    ],
    cadence: { months: 12, next_due: '2026-01-15', current: false, overdue: true },
    last_assessment: { id: 'a-1', completed_on: '2025-01-15', score: 71, rating: 'medium' },
    open_findings: { low: 0, medium: 1, high: 0, critical: 0, total: 1 },
    ...overrides,
  }
}

const finding: Finding = {
  id: 'f-1',
  vendor_id: 'v-1',
  vendor_name: 'Payroll SaaS',
  assessment_id: null,
  question_id: null,
  source: 'drift',
  severity: 'medium',
  title: 'Unattested Slack integration',
  detail: '',
  status: 'open',
  created_at: '2025-01-01T09:00:00Z',
  last_seen_at: '2025-01-01T09:00:00Z',
  resolved_at: null,
  resolved_by: null,
  resolved_by_name: null,
  resolution: null,
}

function routes() {
  return {
    'GET /api/me': jsonResponse(me()),
    'GET /api/vendors/v-1/profile': jsonResponse(profile()),
    'GET /api/vendors/v-1/findings': jsonResponse(listPage([finding])),
    'GET /api/risks': jsonResponse(listPage([risk({ id: 'r-1', title: 'Payroll fraud' }), risk({ id: 'r-2', title: 'Outage' })])),
    'GET /api/members': jsonResponse([]),
  }
}

describe('VendorPage', { timeout: 20_000 }, () => {
  it('shows the schedule, an accepted risk, and links another risk', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({ ...routes(), 'PUT /api/vendors/v-1/risks': (call) => jsonResponse(call.body) })
    const user = userEvent.setup()
    renderApp('/vendors/v-1')
    expect(await screen.findByTestId('next-due', {}, SLOW)).toHaveTextContent('Overdue')
    expect(screen.getByTestId('vendor-name')).toHaveTextContent('Payroll SaaS')
    const linked = screen.getByTestId('vendor-risk')
    expect(within(linked).getByTestId('accepted-badge')).toHaveTextContent('Accepted until 2027-03-01')
    expect(screen.getByRole('link', { name: 'https://payroll.example.com' })).toHaveAttribute('rel', 'noopener noreferrer')

    const picker = await screen.findByLabelText('Risk to link', {}, SLOW)
    await waitFor(() => expect(within(picker).getByRole('option', { name: 'Outage' })).toBeInTheDocument())
    expect(within(picker).queryByRole('option', { name: 'Payroll fraud' })).not.toBeInTheDocument()
    await user.selectOptions(picker, 'r-2')
    await user.click(screen.getByRole('button', { name: 'Link risk' }))
    await waitFor(() => expect(api.callsTo('PUT /api/vendors/v-1/risks')).toHaveLength(1))
    expect(api.callsTo('PUT /api/vendors/v-1/risks')[0]?.body).toEqual({ risk_ids: ['r-1', 'r-2'] })
  })

  it('adds a contact and shows a duplicate e-mail refusal', async () => {
    setSession(sessionFromAuth(authResponse()))
    let taken = false
    const api = mockApi({
      ...routes(),
      'POST /api/vendors/v-1/contacts': (call) =>
        taken ? problem(409, 'The vendor already has a contact with that e-mail.') : ((taken = true), jsonResponse({ id: 'c-1', vendor_id: 'v-1', role: '', created_at: '2025-01-01T09:00:00Z', ...(call.body as object) }, 201)),
    })
    const user = userEvent.setup()
    renderApp('/vendors/v-1')
    const form = await screen.findByRole('form', { name: 'Add contact' }, SLOW)
    await user.type(within(form).getByLabelText('Contact name'), 'Vera')
    await user.type(within(form).getByLabelText('Contact e-mail'), 'vera@vendor.example')
    await user.click(within(form).getByLabelText('Primary contact'))
    await user.click(within(form).getByRole('button', { name: 'Add contact' }))
    await waitFor(() => expect(api.callsTo('POST /api/vendors/v-1/contacts')).toHaveLength(1))
    expect(api.callsTo('POST /api/vendors/v-1/contacts')[0]?.body).toEqual({ name: 'Vera', email: 'vera@vendor.example', role: '', is_primary: true })
    await user.type(within(form).getByLabelText('Contact name'), 'Vera')
    await user.type(within(form).getByLabelText('Contact e-mail'), 'vera@vendor.example')
    await user.click(within(form).getByRole('button', { name: 'Add contact' }))
    expect(await screen.findByText(/already has a contact with that e-mail/, {}, SLOW)).toBeInTheDocument()
  })

  it('resolves a finding only with a reason', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      ...routes(),
      'POST /api/vendor-findings/f-1/resolve': (call) => jsonResponse({ ...finding, status: 'resolved', resolution: (call.body as { reason: string }).reason }),
    })
    const user = userEvent.setup()
    renderApp('/vendors/v-1')
    const row = await screen.findByTestId('vendor-finding', {}, SLOW)
    await user.click(within(row).getByRole('button', { name: 'Resolve' }))
    const dialog = screen.getByRole('dialog')
    expect(within(dialog).getByRole('button', { name: 'Resolve finding' })).toBeDisabled()
    await user.type(within(dialog).getByLabelText('Reason'), 'Integration removed')
    await user.click(within(dialog).getByRole('button', { name: 'Resolve finding' }))
    await waitFor(() => expect(api.callsTo('POST /api/vendor-findings/f-1/resolve')).toHaveLength(1))
    expect(api.callsTo('POST /api/vendor-findings/f-1/resolve')[0]?.body).toEqual({ reason: 'Integration removed' })
  })

  it('shows no edit controls to a reader', async () => {
    const reader: UserSummary = { ...tenantAdmin, id: 'u-2', email: 'bob@acme.test', role: 'tenant_user' }
    setSession(sessionFromAuth(authResponse({ user: reader })))
    mockApi({ ...routes(), 'GET /api/me': jsonResponse(me(reader)) })
    renderApp('/vendors/v-1')
    await screen.findByTestId('vendor-finding', {}, SLOW)
    expect(screen.queryByRole('form', { name: 'Add contact' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Resolve' })).not.toBeInTheDocument()
    expect(screen.queryByRole('form', { name: 'Edit vendor' })).not.toBeInTheDocument()
  })
})

const summary = (overrides: Partial<VendorSummary>): VendorSummary => ({
  id: 'v-1',
  slug: 'payroll',
  name: 'Payroll SaaS',
  tier: 1,
  criticality: 'high',
  data_access: 'restricted',
  owner_user_id: null,
  owner_name: null,
  last_score: null,
  last_rating: null,
  last_completed_on: null,
  next_due: '2026-01-15',
  current: false,
  overdue: false,
  open_findings: 0,
  ...overrides,
})

describe('VendorsPage', { timeout: 20_000 }, () => {
  it('lists vendors with the overdue highlighted, filters by tier, and saves the policy', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/tprm/vendors': jsonResponse(
        listPage([summary({ overdue: true, open_findings: 2 }), summary({ id: 'v-2', name: 'Mail relay', tier: 3, last_score: 90, last_rating: 'low' })]),
      ),
      'GET /api/tprm/policy': jsonResponse({ tier1_months: 12, tier2_months: 24, tier3_months: 36, reminder_days: 7, link_days: 30, requirements: '', updated_at: null }),
      'PUT /api/tprm/policy': (call) => jsonResponse({ ...(call.body as object), updated_at: '2026-01-01T00:00:00Z' }),
    })
    const user = userEvent.setup()
    renderApp('/vendors')
    const rows = await screen.findAllByTestId('vendor-row', {}, SLOW)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveAttribute('data-overdue', 'true')
    expect(within(rows[0]!).getByText(/overdue/)).toBeInTheDocument()
    expect(within(rows[0]!).getByRole('link', { name: 'Payroll SaaS' })).toHaveAttribute('href', '/vendors/v-1')
    expect(within(rows[1]!).getByText('90 (low)')).toBeInTheDocument()

    await user.selectOptions(screen.getByLabelText('Tier filter'), '3')
    await waitFor(() => expect(api.callsTo('GET /api/tprm/vendors').some((c) => c.path.includes('tier=3'))).toBe(true))

    const form = await screen.findByRole('form', { name: 'Reassessment policy' })
    const tier1 = within(form).getByLabelText('Tier 1 cadence (months)')
    await user.clear(tier1)
    await user.type(tier1, '6')
    await user.click(within(form).getByRole('button', { name: 'Save policy' }))
    await waitFor(() => expect(api.callsTo('PUT /api/tprm/policy')).toHaveLength(1))
    expect(api.callsTo('PUT /api/tprm/policy')[0]?.body).toMatchObject({ tier1_months: 6, tier2_months: 24 })
  })
})
