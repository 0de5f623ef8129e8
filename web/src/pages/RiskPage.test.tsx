import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, control, jsonResponse, listPage, me, modelKri, outcome, problem, risk } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

function routes() {
  return {
    'GET /api/me': jsonResponse(me()),
    'GET /api/risks/r-1': jsonResponse(risk({ id: 'r-1', title: 'Ransomware outbreak' })),
    'GET /api/risks/r-1/links': jsonResponse({ kri_ids: ['k-1'], control_ids: ['c-1'], outcome_ids: [] }),
    'GET /api/risks/r-1/acceptances': jsonResponse([]),
    'GET /api/kris': jsonResponse(listPage([modelKri({ id: 'k-1', name: 'Open vulns' }), modelKri({ id: 'k-2', name: 'MFA adoption' })])),
    'GET /api/controls': jsonResponse(listPage([control({ id: 'c-1', name: 'EDR' }), control({ id: 'c-2', name: 'Backups' })])),
    'GET /api/outcomes': jsonResponse(listPage([outcome({ id: 'o-1', name: 'Data breach' })])),
  }
}

describe('RiskPage links editor', () => {
  it('PUTs every kind with the checked ids', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      ...routes(),
      'PUT /api/risks/r-1/links': (call) => jsonResponse(call.body),
    })
    const user = userEvent.setup()
    renderApp('/risks/r-1')
    const kris = await screen.findByRole('group', { name: 'KRIs' })
    expect(screen.getByTestId('risk-title')).toHaveTextContent('Ransomware outbreak')
    expect(within(kris).getByLabelText('Open vulns')).toBeChecked()
    await user.click(within(kris).getByLabelText('Open vulns'))
    await user.click(within(kris).getByLabelText('MFA adoption'))
    await user.click(within(screen.getByRole('group', { name: 'Controls' })).getByLabelText('Backups'))
    await user.click(within(screen.getByRole('group', { name: 'Outcomes' })).getByLabelText('Data breach'))
    await user.click(screen.getByRole('button', { name: 'Save links' }))
    await waitFor(() => expect(api.callsTo('PUT /api/risks/r-1/links')).toHaveLength(1))
    expect(api.callsTo('PUT /api/risks/r-1/links')[0]?.body).toEqual({
      kri_ids: ['k-2'],
      control_ids: ['c-1', 'c-2'],
      outcome_ids: ['o-1'],
    })
  })

  it('shows a 404 from the links PUT inline', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({ ...routes(), 'PUT /api/risks/r-1/links': problem(404, 'Unknown control id.') })
    const user = userEvent.setup()
    renderApp('/risks/r-1')
    await user.click(await screen.findByRole('button', { name: 'Save links' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Unknown control id.')
  })

  it('finds a KRI to link by searching its name, keeping hidden choices selected', async () => {
    setSession(sessionFromAuth(authResponse()))
    const many = Array.from({ length: 9 }, (_, i) => modelKri({ id: `k-${i + 1}`, name: i === 0 ? 'Open vulns' : `Indicator ${i + 1}` }))
    const api = mockApi({
      ...routes(),
      'GET /api/kris': jsonResponse(listPage(many)),
      'PUT /api/risks/r-1/links': (call) => jsonResponse(call.body),
    })
    const user = userEvent.setup()
    renderApp('/risks/r-1')
    const kris = await screen.findByRole('group', { name: 'KRIs' })
    await user.type(within(kris).getByRole('searchbox', { name: 'Search KRIs' }), 'indicator 7')
    expect(within(kris).getAllByRole('checkbox')).toHaveLength(1)
    expect(within(kris).getByText('1 selected · 1 of 9 match')).toBeInTheDocument()
    await user.click(within(kris).getByLabelText('Indicator 7'))
    await user.click(screen.getByRole('button', { name: 'Save links' }))
    await waitFor(() => expect(api.callsTo('PUT /api/risks/r-1/links')).toHaveLength(1))
    expect((api.callsTo('PUT /api/risks/r-1/links')[0]?.body as { kri_ids: string[] }).kri_ids).toEqual(['k-1', 'k-7'])
  })
})
