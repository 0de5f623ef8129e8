import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Preferences } from '../notifications'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const prefs: Preferences = {
  digest: false,
  events: [
    { event: 'task.assigned', description: 'A task was assigned to you.', email: true },
    { event: 'kri.stale', description: 'A KRI you own has no fresh value.', email: true },
  ],
}

describe('NotificationPreferences on the account page', () => {
  it('saves the events not to e-mail and the digest choice', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/me/notifications/unread-count': jsonResponse({ unread: 0 }),
      'GET /api/me/notification-preferences': jsonResponse(prefs),
      'PUT /api/me/notification-preferences': (call) => jsonResponse({ ...prefs, ...(call.body as object) }),
    })
    const user = userEvent.setup()
    renderApp('/account')
    await user.click(await screen.findByRole('checkbox', { name: 'A KRI you own has no fresh value.' }))
    await user.click(screen.getByRole('checkbox', { name: /daily digest/ }))
    await user.click(screen.getByRole('button', { name: 'Save preferences' }))
    await waitFor(() => expect(api.callsTo('PUT /api/me/notification-preferences')).toHaveLength(1))
    expect(api.callsTo('PUT /api/me/notification-preferences')[0]?.body).toEqual({
      digest: true,
      email_off: ['kri.stale'],
    })
    expect(await screen.findByRole('status')).toHaveTextContent('Saved.')
  })
})
