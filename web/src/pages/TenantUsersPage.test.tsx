import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, noContent, tenantAdmin, userOut } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const users = [
  userOut({ id: 'u-1', email: 'ada@acme.test', display_name: 'Ada Lovelace', role: 'tenant_admin', mfa_enrolled: true, last_login_at: '2025-01-01T09:00:00Z' }),
  userOut({ id: 'u-2', email: 'bob@acme.test', display_name: 'Bob Builder', role: 'tenant_user', mfa_enrolled: true }),
  userOut({ id: 'u-3', email: 'cy@acme.test', display_name: 'Cy Young', role: 'tenant_user', is_active: false }),
]

const tenantUser: UserSummary = { ...tenantAdmin, id: 'u-2', email: 'bob@acme.test', role: 'tenant_user' }

function rowOf(email: string): HTMLElement {
  const row = screen.getAllByTestId('user-row').find((r) => within(r).queryByText(email))
  if (!row) throw new Error(`no row for ${email}`)
  return row
}

describe('TenantUsersPage', () => {
  it('lists users and hides manage actions without tenant_users:manage', async () => {
    setSession(sessionFromAuth(authResponse({ user: tenantUser })))
    mockApi({
      'GET /api/me': jsonResponse(me(tenantUser)),
      'GET /api/tenant/users': jsonResponse(users),
    })
    renderApp('/tenant/users')

    const rows = await screen.findAllByTestId('user-row')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toHaveTextContent('ada@acme.test')
    expect(rows[0]).toHaveTextContent('Ada Lovelace')
    expect(rows[0]).toHaveTextContent('Tenant admin')
    expect(rows[2]).toHaveTextContent('Disabled')
    expect(screen.queryByRole('button', { name: 'Disable' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Reset MFA' })).not.toBeInTheDocument()
    expect(screen.queryByRole('combobox', { name: /Change role/ })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Invite user' })).not.toBeInTheDocument()
    expect(screen.queryByRole('group', { name: 'Require MFA' })).not.toBeInTheDocument()
  })

  it('lets a tenant admin change roles, disable, reset MFA (confirmed), invite and set the MFA policy', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/tenant/users': jsonResponse(users),
      'PATCH /api/tenant/users/u-2': (call) => jsonResponse({ ...users[1], ...(call.body as object) }),
      'POST /api/tenant/users/u-2/mfa-reset': noContent(),
      'POST /api/tenant/invites': jsonResponse(
        {
          id: 'i-1',
          email: 'new@acme.test',
          role: 'tenant_user',
          tenant_id: 't-1',
          expires_at: '2025-01-08T09:00:00Z',
          token: 'secret',
          accept_url: 'https://draxis.test/invite?token=secret',
        },
        201,
      ),
      'PUT /api/tenant/mfa-policy': jsonResponse({ level: 'tenant', required: true }),
    })
    const user = userEvent.setup()
    renderApp('/tenant/users')
    await screen.findAllByTestId('user-row')

    // No actions on one's own row.
    expect(within(rowOf('ada@acme.test')).queryByRole('button')).not.toBeInTheDocument()

    const bob = rowOf('bob@acme.test')
    await user.selectOptions(within(bob).getByRole('combobox', { name: 'Change role for bob@acme.test' }), 'tenant_admin')
    await waitFor(() => expect(api.callsTo('PATCH /api/tenant/users/u-2')[0]?.body).toEqual({ role: 'tenant_admin' }))
    await waitFor(() => expect(rowOf('bob@acme.test')).toHaveTextContent('Tenant admin'))

    await user.click(within(rowOf('bob@acme.test')).getByRole('button', { name: 'Disable' }))
    await waitFor(() => expect(api.callsTo('PATCH /api/tenant/users/u-2')[1]?.body).toEqual({ is_active: false }))
    expect(await within(rowOf('bob@acme.test')).findByRole('button', { name: 'Enable' })).toBeInTheDocument()

    await user.click(within(rowOf('bob@acme.test')).getByRole('button', { name: 'Reset MFA' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Reset MFA?' })
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(api.callsTo('POST /api/tenant/users/u-2/mfa-reset')).toHaveLength(0)
    await user.click(within(rowOf('bob@acme.test')).getByRole('button', { name: 'Reset MFA' }))
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Reset MFA' }))
    await waitFor(() => expect(api.callsTo('POST /api/tenant/users/u-2/mfa-reset')).toHaveLength(1))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument())

    await user.type(screen.getByLabelText('Email'), 'new@acme.test')
    await user.selectOptions(screen.getByLabelText('Invite as'), 'tenant_user')
    await user.click(screen.getByRole('button', { name: 'Invite user' }))
    expect(await screen.findByTestId('invite-url')).toHaveTextContent('https://draxis.test/invite?token=secret')
    expect(api.callsTo('POST /api/tenant/invites')[0]?.body).toEqual({ email: 'new@acme.test', role: 'tenant_user' })
    await user.click(screen.getByRole('button', { name: 'Copy link' }))
    expect(await navigator.clipboard.readText()).toBe('https://draxis.test/invite?token=secret')

    const policy = screen.getByRole('group', { name: 'Require MFA' })
    await user.click(within(policy).getByLabelText('Required'))
    await user.click(screen.getByRole('button', { name: 'Save MFA policy' }))
    expect(await screen.findByText('Saved: MFA is required at the tenant level.')).toBeInTheDocument()
    expect(api.callsTo('PUT /api/tenant/mfa-policy')[0]?.body).toEqual({ required: true })

    await user.click(within(policy).getByLabelText('Inherit'))
    await user.click(screen.getByRole('button', { name: 'Save MFA policy' }))
    await waitFor(() => expect(api.callsTo('PUT /api/tenant/mfa-policy')[1]?.body).toEqual({ required: null }))
  })

  it('shows "no access" to a role without tenant_users:read', async () => {
    const carrier: UserSummary = { ...tenantAdmin, role: 'carrier_user', tenant_id: null, org_id: null, carrier_id: 'c-1' }
    setSession(sessionFromAuth(authResponse({ user: carrier })))
    const api = mockApi({ 'GET /api/me': jsonResponse(me(carrier)) })
    renderApp('/tenant/users')
    expect(await screen.findByText('You do not have access to this page.')).toBeInTheDocument()
    expect(api.callsTo('GET /api/tenant/users')).toHaveLength(0)
  })
})
