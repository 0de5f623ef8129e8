import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { PendingInvite } from '../invites'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, noContent, userOut } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const invite: PendingInvite = {
  id: 'inv-1',
  email: 'grace@acme.test',
  role: 'tenant_user',
  tenant_id: 't-1',
  created_at: '2026-12-01T09:00:00Z',
  expires_at: '2026-12-08T09:00:00Z',
  email_status: 'sent',
  email_error: null,
}

describe('PendingInvites on the tenant users page', () => {
  it('lists pending invites with their e-mail state, resends and revokes', async () => {
    setSession(sessionFromAuth(authResponse()))
    let pending = [invite]
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/me/notifications/unread-count': jsonResponse({ unread: 0 }),
      'GET /api/tenant/users': jsonResponse([userOut()]),
      'GET /api/tenant/invites': () => jsonResponse(pending),
      'POST /api/tenant/invites/inv-1/resend': () => {
        pending = [{ ...invite, email_status: 'pending' }]
        return noContent()
      },
      'POST /api/tenant/invites/inv-1/revoke': () => {
        pending = []
        return noContent()
      },
    })
    const user = userEvent.setup()
    renderApp('/tenant/users')
    const row = await screen.findByTestId('pending-invite')
    expect(within(row).getByText('E-mailed')).toBeInTheDocument()

    await user.click(within(row).getByRole('button', { name: 'Resend to grace@acme.test' }))
    await waitFor(() => expect(api.callsTo('POST /api/tenant/invites/inv-1/resend')).toHaveLength(1))
    expect(await within(await screen.findByTestId('pending-invite')).findByText('Sending')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Revoke invite of grace@acme.test' }))
    await waitFor(() => expect(api.callsTo('POST /api/tenant/invites/inv-1/revoke')).toHaveLength(1))
    expect(await screen.findByText('No pending invites.')).toBeInTheDocument()
  })
})
