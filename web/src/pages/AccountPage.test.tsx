import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { getSession, sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

async function fill(current: string, next: string, confirmation = next) {
  const user = userEvent.setup()
  if (current) await user.type(await screen.findByLabelText('Current password'), current)
  await user.type(await screen.findByLabelText('New password'), next)
  await user.type(screen.getByLabelText('Confirm new password'), confirmation)
  await user.click(screen.getByRole('button', { name: 'Change password' }))
}

// The account page also shows the bell and one's notification preferences.
const NOTIFICATIONS = {
  'GET /api/me/notifications/unread-count': jsonResponse({ unread: 0 }),
  'GET /api/me/notification-preferences': jsonResponse({ digest: false, events: [] }),
}

describe('AccountPage password form', () => {
  it('changes the password and keeps the fresh session it answers with', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      ...NOTIFICATIONS,
      'GET /api/me': jsonResponse(me()),
      'POST /api/auth/password': jsonResponse(authResponse({ access_token: 'tok-fresh' })),
    })
    renderApp('/account')
    await fill('the old password', 'a brand new long password')
    expect(await screen.findByRole('status')).toHaveTextContent('other devices have been signed out')
    expect(api.callsTo('POST /api/auth/password')[0]?.body).toEqual({
      current_password: 'the old password',
      new_password: 'a brand new long password',
    })
    await waitFor(() => expect(getSession()?.token).toBe('tok-fresh'))
    expect(screen.getByLabelText('Current password')).toHaveValue('')
  })

  it('shows the server refusing a wrong current password', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      ...NOTIFICATIONS,
      'GET /api/me': jsonResponse(me()),
      'POST /api/auth/password': problem(400, 'The current password is not correct; nothing was changed.'),
    })
    renderApp('/account')
    await fill('not it', 'a brand new long password')
    expect(await screen.findByRole('alert')).toHaveTextContent('current password is not correct')
  })

  it('checks the fields before sending anything', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({ ...NOTIFICATIONS, 'GET /api/me': jsonResponse(me()) })
    renderApp('/account')
    await fill('', 'a brand new long password', 'a different long password')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Enter your current password.')
    expect(api.callsTo('POST /api/auth/password')).toHaveLength(0)
  })
})
