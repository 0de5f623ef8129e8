import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, problem, tenantAdmin, userOut } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

// The shared bulk bar (DataTable + useBulkActions), through the tenant users page.
const users = [
  userOut({ id: tenantAdmin.id, email: tenantAdmin.email, role: 'tenant_admin' }),
  userOut({ id: 'u-2', email: 'bob@acme.test', role: 'tenant_user' }),
  userOut({ id: 'u-3', email: 'cy@acme.test', role: 'tenant_user' }),
]

function setup(answer: () => Response) {
  setSession(sessionFromAuth(authResponse({ user: tenantAdmin })))
  return mockApi({
    'GET /api/me': jsonResponse(me(tenantAdmin)),
    'GET /api/tenant/users': jsonResponse(users),
    'POST /api/tenant/users/bulk-active': answer,
    'GET /api/tenant/invites': jsonResponse([]),
  })
}

describe('bulk actions', () => {
  it('selects all, confirms, leaves oneself out and sends one request', async () => {
    const api = setup(() => jsonResponse(users.slice(1).map((u) => ({ ...u, is_active: false }))))
    const user = userEvent.setup()
    renderApp('/tenant/users')
    await screen.findAllByTestId('user-row')
    expect(screen.queryByRole('toolbar', { name: 'Selected rows' })).not.toBeInTheDocument()
    await user.click(screen.getByRole('checkbox', { name: 'Select all rows' }))
    const bar = screen.getByRole('toolbar', { name: 'Selected rows' })
    expect(bar).toHaveTextContent('3 selected')
    await user.click(within(bar).getByRole('button', { name: 'Disable selected' }))
    const dialog = screen.getByRole('alertdialog')
    expect(dialog).toHaveTextContent('Disable 2 users?')
    expect(dialog).toHaveTextContent('bob@acme.test, cy@acme.test')
    expect(dialog).toHaveTextContent('Left out: 1')
    await user.click(within(dialog).getByRole('button', { name: 'Disable all' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument())
    expect(api.callsTo('POST /api/tenant/users/bulk-active').map((c) => c.body)).toEqual([{ ids: ['u-2', 'u-3'], is_active: false }])
    await waitFor(() => expect(screen.queryByRole('toolbar', { name: 'Selected rows' })).not.toBeInTheDocument())
  })

  it('cancel sends nothing and keeps the selection; a refusal shows why and keeps it too', async () => {
    const api = setup(() => problem(404, 'No such user (id u-3); nothing was changed.'))
    const user = userEvent.setup()
    renderApp('/tenant/users')
    await screen.findAllByTestId('user-row')
    await user.click(screen.getByRole('checkbox', { name: 'Select cy@acme.test' }))
    await user.click(screen.getByRole('button', { name: 'Enable selected' }))
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }))
    expect(api.callsTo('POST /api/tenant/users/bulk-active')).toHaveLength(0)
    expect(screen.getByRole('toolbar', { name: 'Selected rows' })).toHaveTextContent('1 selected')
    await user.click(screen.getByRole('button', { name: 'Enable selected' }))
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Enable all' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('id u-3')
    expect(screen.getByRole('toolbar', { name: 'Selected rows' })).toHaveTextContent('1 selected')
  })
})
