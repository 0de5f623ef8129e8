import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { UserSummary } from '../identity'
import type { KriHistory } from '../riskModel'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, listPage, me, modelKri, outcome, problem, risk, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const theKri = modelKri({ id: 'k-1', name: 'Open critical vulnerabilities', direction: 'higher_is_worse', warn: 5, critical: 10 })

const history: KriHistory = {
  kri_id: 'k-1',
  bucket: 'day',
  start: '2025-01-01T00:00:00Z',
  end: '2025-01-04T00:00:00Z',
  warn: 5,
  critical: 10,
  direction: 'higher_is_worse',
  points: [
    { t: '2025-01-01T00:00:00Z', value: 3, min: 2, max: 4, last: 3, n: 4 },
    { t: '2025-01-02T00:00:00Z', value: 7, min: 6, max: 8, last: 7, n: 4 },
    { t: '2025-01-03T00:00:00Z', value: 12, min: 11, max: 13, last: 12, n: 4 },
  ],
}

const tenantUser: UserSummary = { ...tenantAdmin, id: 'u-2', email: 'bob@acme.test', role: 'tenant_user' }

function routes(extra: Record<string, Response | ((c: { body: unknown }) => Response)> = {}) {
  return {
    'GET /api/kris/k-1': jsonResponse(theKri),
    'GET /api/kris/k-1/observations': jsonResponse(history),
    'GET /api/kris/k-1/links': jsonResponse({ risk_ids: ['r-1'], outcome_ids: [] }),
    'GET /api/risks': jsonResponse(listPage([risk({ id: 'r-1', title: 'Ransomware outbreak' }), risk({ id: 'r-2', title: 'Vendor breach' })])),
    'GET /api/outcomes': jsonResponse(listPage([outcome({ id: 'o-1', name: 'Data breach' })])),
    ...extra,
  }
}

describe('KriPage', () => {
  it('shows the definition, the chart with thresholds and read-only links to a reader', async () => {
    setSession(sessionFromAuth(authResponse({ user: tenantUser })))
    const api = mockApi({ 'GET /api/me': jsonResponse(me(tenantUser)), ...routes() })
    renderApp('/kris/k-1')
    expect(await screen.findByTestId('kri-chart')).toBeInTheDocument()
    expect(screen.getByTestId('kri-name')).toHaveTextContent('Open critical vulnerabilities')
    expect(screen.getByTestId('threshold-warn-label')).toHaveTextContent('Warn 5')
    expect(screen.getByTestId('threshold-critical-label')).toHaveTextContent('Critical 10')
    expect(api.callsTo('GET /api/kris/k-1/observations')[0]?.path).toContain('bucket=day')
    expect(await screen.findByRole('link', { name: 'Ransomware outbreak' })).toHaveAttribute('href', '/risks/r-1')
    expect(screen.queryByRole('button', { name: 'Save KRI' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Save links' })).not.toBeInTheDocument()

    const user = userEvent.setup()
    await user.selectOptions(screen.getByLabelText('Bucket'), 'week')
    await waitFor(() => expect(api.callsTo('GET /api/kris/k-1/observations').some((c) => c.path.includes('bucket=week'))).toBe(true))
  })

  it('checks the thresholds against the direction before saving, then PATCHes the changes', async () => {
    setSession(sessionFromAuth(authResponse()))
    let current = theKri
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      ...routes(),
      'GET /api/kris/k-1': () => jsonResponse(current),
      'PATCH /api/kris/k-1': (call) => {
        current = { ...current, ...(call.body as object) }
        return jsonResponse(current)
      },
    })
    const user = userEvent.setup()
    renderApp('/kris/k-1')
    const form = await screen.findByRole('form', { name: 'Edit KRI' })

    // Higher is worse: warn must stay below critical.
    await user.clear(within(form).getByLabelText('Warn threshold'))
    await user.type(within(form).getByLabelText('Warn threshold'), '12')
    await user.click(within(form).getByRole('button', { name: 'Save KRI' }))
    expect(await screen.findByText(/warn threshold must be below the critical threshold/)).toBeInTheDocument()
    expect(screen.getByText(/warn threshold must be below/).closest('[role="alert"]')).not.toBeNull()
    expect(api.callsTo('PATCH /api/kris/k-1')).toHaveLength(0)

    // Flipping the direction makes 12 > 10 valid.
    await user.selectOptions(within(form).getByLabelText('Direction'), 'lower_is_worse')
    await user.click(within(form).getByRole('button', { name: 'Save KRI' }))
    await waitFor(() => expect(api.callsTo('PATCH /api/kris/k-1')).toHaveLength(1))
    expect(api.callsTo('PATCH /api/kris/k-1')[0]?.body).toEqual({ direction: 'lower_is_worse', warn: 12 })
    expect(await screen.findByText('KRI saved.')).toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId('kri-warn')).toHaveTextContent('12'))
  })

  it('shows the server’s problem inline', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      ...routes(),
      'PATCH /api/kris/k-1': problem(422, 'Thresholds do not fit the direction.', {
        errors: [{ location: 'body.warn', message: 'must be below critical' }],
      }),
    })
    const user = userEvent.setup()
    renderApp('/kris/k-1')
    const form = await screen.findByRole('form', { name: 'Edit KRI' })
    await user.clear(within(form).getByLabelText('Critical threshold'))
    await user.type(within(form).getByLabelText('Critical threshold'), '20')
    await user.click(within(form).getByRole('button', { name: 'Save KRI' }))
    const alert = await screen.findByText('Thresholds do not fit the direction.')
    expect(alert.closest('[role="alert"]')).toHaveTextContent('warn: must be below critical')
  })

  it('saves the KRI’s links with the checked risks and outcomes', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      ...routes(),
      'PUT /api/kris/k-1/links': (call) => jsonResponse({ risk_ids: [], outcome_ids: [], ...(call.body as object) }),
    })
    const user = userEvent.setup()
    renderApp('/kris/k-1')
    const risks = await screen.findByRole('group', { name: 'Risks' })
    expect(within(risks).getByLabelText('Ransomware outbreak')).toBeChecked()
    await user.click(within(risks).getByLabelText('Vendor breach'))
    await user.click(within(screen.getByRole('group', { name: 'Outcomes' })).getByLabelText('Data breach'))
    await user.click(screen.getByRole('button', { name: 'Save links' }))
    await waitFor(() => expect(api.callsTo('PUT /api/kris/k-1/links')).toHaveLength(1))
    expect(api.callsTo('PUT /api/kris/k-1/links')[0]?.body).toEqual({ risk_ids: ['r-1', 'r-2'], outcome_ids: ['o-1'] })
    expect(await screen.findByText('Links saved.')).toBeInTheDocument()
  })

  it('names the source of the KRI and links to it instead of showing its id', async () => {
    setSession(sessionFromAuth(authResponse({ user: tenantUser })))
    mockApi({
      'GET /api/me': jsonResponse(me(tenantUser)),
      ...routes({ 'GET /api/kris/k-1': jsonResponse({ ...theKri, source_id: 's-1' }) }),
      'GET /api/sources/s-1': jsonResponse({ id: 's-1', name: 'Okta production' }),
    })
    renderApp('/kris/k-1')
    const link = await within(await screen.findByTestId('kri-source')).findByRole('link', { name: 'Okta production' })
    expect(link).toHaveAttribute('href', '/integrations/s-1')
    expect(screen.getByTestId('kri-source')).not.toHaveTextContent('s-1')
  })
})
