import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { OrgOut, TenantRollup, UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, masterAdmin, me, noContent, problem, tenantOut, userOut } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const org: OrgOut = {
  id: 'o-1',
  slug: 'partner',
  name: 'Partner Co',
  kind: 'partner',
  created_at: '2025-01-01T00:00:00Z',
  disabled_at: null,
  tenant_count: 2,
}
const tenants = [
  tenantOut({ id: 't-1', slug: 'acme', name: 'Acme Health' }),
  tenantOut({ id: 't-2', slug: 'old', name: 'Old Corp', deleted_at: '2025-02-01T00:00:00Z' }),
]

const rollup: TenantRollup[] = [
  {
    tenant_id: 't-1',
    slug: 'acme',
    name: 'Acme Health',
    posture_score: 78.25,
    kri_count: 12,
    kris_red: 3,
    kris_amber: 2,
    kris_green: 7,
    stale_share: 0.125,
    risks_critical: 2,
    risks_high: 4,
    computed_at: '2025-03-01T09:00:00Z',
    overdue_tasks: 0,
  },
  {
    tenant_id: 't-3',
    slug: 'beta',
    name: 'Beta Bank',
    posture_score: 30,
    kri_count: 4,
    kris_red: 0,
    kris_amber: 1,
    kris_green: 3,
    stale_share: 0,
    risks_critical: 0,
    risks_high: 1,
    computed_at: '2025-03-01T09:00:00Z',
    overdue_tasks: 0,
  },
  {
    tenant_id: 't-4',
    slug: 'new',
    name: 'Newco',
    posture_score: null,
    kri_count: null,
    kris_red: null,
    kris_amber: null,
    kris_green: null,
    stale_share: null,
    risks_critical: null,
    risks_high: null,
    computed_at: null,
    overdue_tasks: 0,
  },
]

function orgApi(extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    'GET /api/me': jsonResponse(me(masterAdmin)),
    'GET /api/orgs/o-1': jsonResponse(org),
    'GET /api/orgs/o-1/tenants': jsonResponse(tenants),
    'GET /api/orgs/o-1/rollup': jsonResponse(rollup),
    'GET /api/orgs/o-1/invites': jsonResponse([]),
    'GET /api/orgs/o-1/users': jsonResponse([
      userOut({ id: masterAdmin.id, email: masterAdmin.email, role: 'master_admin', tenant_id: null }),
      userOut({ id: 'u-5', email: 'ann@acme.test', role: 'tenant_admin', tenant_id: 't-1' }),
    ]),
    ...extra,
  })
}

describe('OrgPage', () => {
  it('shows the organization, its tenants and users', async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    orgApi()
    renderApp('/org')
    await waitFor(() => expect(screen.getByTestId('org-name')).toHaveTextContent('Partner Co'))
    const rows = await screen.findAllByTestId('tenant-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('acme')
    expect(within(rows[0] as HTMLElement).getByRole('button', { name: 'Impersonate' })).toBeInTheDocument()
    // A deleted tenant offers no actions.
    expect(within(rows[1] as HTMLElement).queryByRole('button')).not.toBeInTheDocument()
    const users = await screen.findAllByTestId('user-row')
    expect(users[1]).toHaveTextContent('Acme Health')
    expect(screen.getByRole('link', { name: 'Organization' })).toHaveAttribute('href', '/org')
  })

  it('shows the posture rollup above the tenants, worst first, with display bands', async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    const api = orgApi()
    renderApp('/org')
    const rows = await screen.findAllByTestId('rollup-row')
    expect(rows.map((r) => r.getAttribute('data-tenant-id'))).toEqual(['t-1', 't-3', 't-4'])
    const [acme, beta, newco] = rows as [HTMLElement, HTMLElement, HTMLElement]
    expect(acme).toHaveTextContent('Acme Health')
    expect(within(acme).getByTestId('rollup-score')).toHaveTextContent('78.3')
    expect(within(acme).getByTestId('severity-badge')).toHaveTextContent('Critical')
    expect(acme).toHaveTextContent('12.5 %')
    expect(within(beta).getByTestId('rollup-score')).toHaveTextContent('30.0')
    expect(within(beta).getByTestId('severity-badge')).toHaveTextContent('Medium')
    // Not rolled up yet: dashes, no band.
    // One presentation of a score everywhere (PostureScore): none yet reads "Not assessed yet".
    expect(within(newco).getByTestId('rollup-score')).toHaveTextContent('Not assessed yet')
    // The posture section comes before the tenants table.
    const firstTenant = (await screen.findAllByTestId('tenant-row'))[0] as HTMLElement
    expect(acme.compareDocumentPosition(firstTenant) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    expect(api.callsTo('GET /api/orgs/o-1/rollup')).toHaveLength(1)
  })

  it('says so when there is nothing to roll up', async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    orgApi({ 'GET /api/orgs/o-1/rollup': jsonResponse([]) })
    renderApp('/org')
    expect(await screen.findByText('No tenants to roll up yet.')).toBeInTheDocument()
    expect(screen.queryByTestId('rollup-row')).not.toBeInTheDocument()
  })

  it('shows a 409 from "Create tenant" inline', async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    const api = orgApi({ 'POST /api/orgs/o-1/tenants': problem(409, "The slug 'acme' is taken; choose another.") })
    const user = userEvent.setup()
    renderApp('/org')
    await screen.findAllByTestId('tenant-row')
    await user.type(screen.getByLabelText('Slug'), 'acme')
    await user.type(screen.getByLabelText('Display name'), 'Acme Again')
    await user.click(screen.getByRole('button', { name: 'Create tenant' }))
    expect(await screen.findByRole('alert')).toHaveTextContent("The slug 'acme' is taken")
    expect(api.callsTo('POST /api/orgs/o-1/tenants')[0]?.body).toEqual({ slug: 'acme', name: 'Acme Again' })
  })

  it('deletes a tenant after confirmation', async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    const api = orgApi({ 'DELETE /api/orgs/o-1/tenants/t-1': noContent() })
    const user = userEvent.setup()
    renderApp('/org')
    const [acme] = await screen.findAllByTestId('tenant-row')
    await user.click(within(acme as HTMLElement).getByRole('button', { name: 'Delete' }))
    await user.click(within(screen.getByRole('alertdialog', { name: 'Delete Acme Health?' })).getByRole('button', { name: 'Delete tenant' }))
    await waitFor(() => expect(api.callsTo('DELETE /api/orgs/o-1/tenants/t-1')).toHaveLength(1))
  })

  it('invites a tenant user into a chosen tenant', async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    const api = orgApi({
      'POST /api/orgs/o-1/invites': jsonResponse(
        {
          id: 'i-1',
          email: 'new@acme.test',
          role: 'tenant_user',
          tenant_id: 't-1',
          expires_at: '2025-01-08T00:00:00Z',
          token: 'x',
          accept_url: 'https://draxis.test/invite?token=x',
        },
        201,
      ),
    })
    const user = userEvent.setup()
    renderApp('/org')
    await screen.findAllByTestId('tenant-row')
    await user.type(screen.getByLabelText('Email'), 'new@acme.test')
    // Only live tenants are offered.
    expect(within(screen.getByLabelText('Tenant')).getAllByRole('option').map((o) => o.textContent)).toEqual(['Acme Health'])
    await user.click(screen.getByRole('button', { name: 'Invite user' }))
    expect(await screen.findByTestId('invite-url')).toHaveTextContent('https://draxis.test/invite?token=x')
    expect(api.callsTo('POST /api/orgs/o-1/invites')[0]?.body).toEqual({ email: 'new@acme.test', role: 'tenant_user', tenant_id: 't-1' })

    // A master admin takes no tenant.
    await user.selectOptions(screen.getByLabelText('Invite as'), 'master_admin')
    expect(screen.queryByLabelText('Tenant')).not.toBeInTheDocument()
  })

  it('lets a superadmin open any organization at /orgs/:orgId', async () => {
    const superadmin: UserSummary = { ...masterAdmin, id: 'u-0', role: 'superadmin', org_id: null }
    setSession(sessionFromAuth(authResponse({ user: superadmin })))
    orgApi({ 'GET /api/me': jsonResponse(me(superadmin)) })
    renderApp('/orgs/o-1')
    await waitFor(() => expect(screen.getByTestId('org-name')).toHaveTextContent('Partner Co'))
    expect(screen.queryByRole('link', { name: 'Organization' })).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Platform' })).toBeInTheDocument()
  })
})

describe('OrgPage heat map click-through', () => {
  const cells = ['critical', 'high', 'medium', 'low', 'unassessed'].flatMap((severity) =>
    ['0', '1', '2', '3+'].map((red_kris) => ({ severity, red_kris, count: 0, risks: [] as unknown[] })),
  )
  const critical = cells.find((c) => c.severity === 'critical' && c.red_kris === '2')!
  critical.count = 2
  critical.risks = [
    { id: 'r-1', tenant_id: 't-1', title: 'Ransomware outage', score: 91.25 },
    { id: 'r-2', tenant_id: 't-3', title: 'Payment fraud', score: 84 },
  ]
  const heatmap = { rows: ['critical', 'high', 'medium', 'low', 'unassessed'], columns: ['0', '1', '2', '3+'], x_axis: 'x', y_axis: 'y', cells }
  const history = {
    direction: 'higher_is_better',
    tenants: [
      { tenant_id: 't-1', tenant_name: 'Acme Health', score: null, band: 'unassessed', computed_at: null, points: [] },
      { tenant_id: 't-3', tenant_name: 'Beta Bank', score: null, band: 'unassessed', computed_at: null, points: [] },
    ],
  }

  it("lists a cell's risks with tenant, name, score and severity", async () => {
    setSession(sessionFromAuth(authResponse({ user: masterAdmin })))
    orgApi({
      'GET /api/orgs/o-1/heatmap': jsonResponse(heatmap),
      'GET /api/orgs/o-1/posture-history': jsonResponse(history),
    })
    const user = userEvent.setup()
    renderApp('/org')
    const button = await screen.findByRole('button', { name: /2 Critical risks with 2 red KRIs/ })
    expect(screen.queryByTestId('heat-cell-risks')).not.toBeInTheDocument()
    await user.click(button)
    expect(button).toHaveAttribute('aria-pressed', 'true')
    const rows = await screen.findAllByTestId('heat-cell-risk')
    expect(rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.textContent))).toEqual([
      ['Acme Health', 'Ransomware outage', '91.3', 'Critical'],
      ['Beta Bank', 'Payment fraud', '84.0', 'Critical'],
    ])
    await user.click(screen.getByRole('button', { name: 'Close the list' }))
    expect(screen.queryByTestId('heat-cell-risks')).not.toBeInTheDocument()
  })
})
