import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import type { Task } from '../tasks'
import { authResponse, jsonResponse, listPage, me } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

function task(overrides: Partial<Task> = {}): Task {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    title: 'Patch the web tier',
    description: '',
    subject_kind: null,
    subject_id: null,
    subject_name: null,
    owner_user_id: null,
    owner_name: null,
    owner_role: null,
    due_date: null,
    status: 'open',
    overdue: false,
    workflow_run_id: null,
    created_by: null,
    created_at: '2026-12-01T09:00:00Z',
    updated_at: '2026-12-01T09:00:00Z',
    closed_at: null,
    ...overrides,
  }
}

const members = [
  { id: 'u-1', display_name: 'Ada Lovelace', role: 'tenant_admin' },
  { id: 'u-2', display_name: 'Bob Builder', role: 'tenant_user' },
]

describe('TasksPage', () => {
  it('lists tasks with owner and overdue, filters, and creates one for a picked member', async () => {
    setSession(sessionFromAuth(authResponse()))
    const late = task({ id: 't-1', title: 'Rotate keys', owner_user_id: 'u-2', owner_name: 'Bob Builder', due_date: '2020-01-01', overdue: true })
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/members': jsonResponse(members),
      'GET /api/tasks': jsonResponse(listPage([late, task({ id: 't-2', title: 'Review vendors', owner_role: 'tenant_admin' })])),
      'POST /api/tasks': (call) => jsonResponse(task({ id: 't-3', ...(call.body as object) }), 201),
    })
    const user = userEvent.setup()
    renderApp('/tasks')
    const rows = await screen.findAllByTestId('task-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('Rotate keys')
    expect(rows[0]).toHaveTextContent('Bob Builder')
    expect(within(rows[0]!).getByText('Overdue')).toBeInTheDocument()
    expect(rows[1]).toHaveTextContent('Any tenant admin')
    expect(api.callsTo('GET /api/tasks')[0]!.path).toContain('status=open')

    await user.click(screen.getByRole('checkbox', { name: 'Only overdue' }))
    await waitFor(() => expect(api.calls.some((c) => c.path.includes('overdue=true'))).toBe(true))

    await user.type(screen.getByRole('textbox', { name: 'Title' }), 'Fix backups')
    const newTask = screen.getByRole('region', { name: 'New task' })
    await user.type(within(newTask).getByRole('searchbox', { name: /Search members/ }), 'bob')
    await user.selectOptions(within(newTask).getByRole('combobox', { name: 'Owner' }), 'u-2')
    await user.click(screen.getByRole('button', { name: 'Create task' }))
    await waitFor(() => expect(api.callsTo('POST /api/tasks')).toHaveLength(1))
    expect(api.callsTo('POST /api/tasks')[0]!.body).toEqual({ title: 'Fix backups', description: '', owner_user_id: 'u-2', due_date: null })
  })

  it('moves the selected tasks together from the bulk bar', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/members': jsonResponse(members),
      'GET /api/tasks': jsonResponse(listPage([task({ id: 't-1', title: 'One' }), task({ id: 't-2', title: 'Two' })])),
      'POST /api/tasks/bulk': jsonResponse({ changed: 2, unchanged: 0 }),
    })
    const user = userEvent.setup()
    renderApp('/tasks')
    await screen.findAllByTestId('task-row')
    await user.click(screen.getByRole('checkbox', { name: 'Select all rows' }))
    await user.click(screen.getByRole('button', { name: 'Mark done' }))
    await waitFor(() => expect(api.callsTo('POST /api/tasks/bulk')).toHaveLength(1))
    expect(api.callsTo('POST /api/tasks/bulk')[0]!.body).toEqual({ ids: ['t-1', 't-2'], action: 'status', status: 'done' })
  })
})
