import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Notification, NotificationPage } from '../notifications'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, noContent } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

function note(id: string, title: string, read = false): Notification {
  return {
    id,
    event: 'task.assigned',
    title,
    body: 'Fix the patch backlog.',
    link: '/model/kris',
    subject_kind: null,
    subject_id: null,
    created_at: '2026-12-05T09:00:00Z',
    read_at: read ? '2026-12-05T10:00:00Z' : null,
  }
}

describe('NotificationsPage and the bell', () => {
  it('shows the unread count in the header, lists notifications and marks them read', async () => {
    setSession(sessionFromAuth(authResponse()))
    let items = [note('n-1', 'Patch backlog is red'), note('n-2', 'Review the phishing KRI', true)]
    const unread = () => items.filter((i) => i.read_at === null).length
    const page = (): NotificationPage => ({ items, unread: unread(), next_before: null })
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/me/notifications/unread-count': () => jsonResponse({ unread: unread() }),
      'GET /api/me/notifications': () => jsonResponse(page()),
      'POST /api/me/notifications/n-1/read': () => {
        items = items.map((i) => (i.id === 'n-1' ? { ...i, read_at: '2026-12-05T11:00:00Z' } : i))
        return noContent()
      },
    })
    const user = userEvent.setup()
    renderApp('/notifications')

    const bell = await screen.findByTestId('notification-bell')
    await waitFor(() => expect(within(bell).getByTestId('notification-badge')).toHaveTextContent('1'))
    expect(bell).toHaveAccessibleName('Notifications, 1 unread')
    const rows = await screen.findAllByTestId('notification')
    expect(rows.map((r) => r.getAttribute('data-unread'))).toEqual(['true', 'false'])
    expect(within(rows[0] as HTMLElement).getByRole('link', { name: 'Patch backlog is red' })).toHaveAttribute(
      'href',
      '/model/kris',
    )

    await user.click(screen.getByRole('button', { name: 'Mark read: Patch backlog is red' }))
    await waitFor(() => expect(api.callsTo('POST /api/me/notifications/n-1/read')).toHaveLength(1))
    await waitFor(() => expect(screen.queryByTestId('notification-badge')).toBeNull())
    expect(screen.getByTestId('notification-bell')).toHaveAccessibleName('Notifications, none unread')
  })

  it('marks everything read at once', async () => {
    setSession(sessionFromAuth(authResponse()))
    let items = [note('n-1', 'One'), note('n-2', 'Two')]
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/me/notifications/unread-count': () => jsonResponse({ unread: items.filter((i) => !i.read_at).length }),
      'GET /api/me/notifications': () =>
        jsonResponse({ items, unread: items.filter((i) => !i.read_at).length, next_before: null }),
      'POST /api/me/notifications/read-all': () => {
        items = items.map((i) => ({ ...i, read_at: '2026-12-05T11:00:00Z' }))
        return jsonResponse({ marked: 2 })
      },
    })
    const user = userEvent.setup()
    renderApp('/notifications')
    await user.click(await screen.findByRole('button', { name: 'Mark all read' }))
    await waitFor(() => expect(api.callsTo('POST /api/me/notifications/read-all')).toHaveLength(1))
    await waitFor(() => expect(screen.getAllByTestId('notification').every((r) => r.dataset.unread === 'false')).toBe(true))
  })
})
