import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, dashboard, jsonResponse, kri, listPage, me, modelKri } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const kris = [
  kri({ id: 'a', name: 'EDR coverage', status: 'red', direction: 'lower_is_worse', warn: 90, critical: 80 }),
  kri({ id: 'b', name: 'MFA adoption', status: 'amber' }),
  kri({ id: 'c', name: 'Phishing clicks', status: 'green' }),
]

function history(values: number[]) {
  return jsonResponse({
    kri_id: 'a',
    bucket: 'day',
    start: '2026-11-21T00:00:00Z',
    end: '2026-12-05T00:00:00Z',
    warn: 90,
    critical: 80,
    direction: 'lower_is_worse',
    points: values.map((v, i) => ({ t: `2026-11-${21 + i}T00:00:00Z`, value: v, min: v, max: v, last: v, n: 1 })),
  })
}

describe('the KRI wall on the dashboard', () => {
  it('groups by domain, filters by status and text, and shows a table with trends', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard(kris)),
      'GET /api/kris': jsonResponse(
        listPage([modelKri({ id: 'a', category: 'Endpoint' }), modelKri({ id: 'b', category: 'Identity' }), modelKri({ id: 'c', category: 'Identity' })]),
      ),
      'GET /api/kris/a/observations': history([95, 85]),
      'GET /api/kris/b/observations': history([]),
      'GET /api/kris/c/observations': history([]),
    })
    const user = userEvent.setup()
    renderApp('/')
    await waitFor(() => expect(screen.getAllByTestId('kri-group').map((g) => g.getAttribute('aria-label'))).toEqual(['Endpoint', 'Identity']))
    expect(within(screen.getByRole('region', { name: 'Identity' })).getAllByTestId('kri-tile')).toHaveLength(2)

    await user.selectOptions(screen.getByLabelText('Status'), 'amber')
    expect(screen.getAllByTestId('kri-tile').map((t) => t.getAttribute('data-status'))).toEqual(['amber'])
    await user.selectOptions(screen.getByLabelText('Status'), 'all')
    await user.type(screen.getByLabelText('Find a KRI'), 'edr')
    expect(screen.getAllByTestId('kri-tile')).toHaveLength(1)

    await user.click(screen.getByLabelText('Table'))
    const row = await screen.findByTestId('kri-row')
    expect(row).toHaveAttribute('data-status', 'red')
    // EDR coverage fell from 95 to 85: lower is worse, so it is getting worse.
    expect(await within(row).findByTestId('kri-trend')).toHaveAttribute('data-trend', 'worse')
  })
})
