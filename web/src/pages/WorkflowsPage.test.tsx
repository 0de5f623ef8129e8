import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, problem, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const workflow = {
  id: 'w-1',
  name: 'KRI turns red',
  enabled: true,
  current_version: 2,
  trigger_type: 'kri.colour_changed',
  document: { trigger: { type: 'kri.colour_changed', to: ['red'] }, steps: [{ type: 'wait_until', condition: 'kri_green' }] },
  open_runs: 1,
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-02T10:00:00Z',
}
const run = {
  id: 'r-1',
  workflow_id: 'w-1',
  workflow_name: 'KRI turns red',
  version: 1,
  subject_kind: 'vendor',
  subject_id: 'v-1',
  subject_label: 'Acme Hosting',
  occurrence: 'review@2026-12-01',
  status: 'waiting',
  step: 1,
  steps: [{ status: 'done' }, { status: 'waiting', role: 'tenant_admin', task_id: 't-1' }],
  started_at: '2026-12-03T10:00:00Z',
  updated_at: '2026-12-03T10:00:00Z',
  finished_at: null,
}

function routes() {
  return {
    'GET /api/me': jsonResponse(me(tenantAdmin)),
    'GET /api/workflows': () => jsonResponse([workflow]),
    'GET /api/workflows/runs': () => jsonResponse([run]),
  }
}

describe('WorkflowsPage', () => {
  it('lists workflows and runs, and decides a waiting approval', async () => {
    setSession(sessionFromAuth(authResponse({ user: tenantAdmin })))
    const api = mockApi({ ...routes(), 'POST /api/workflows/runs/r-1/approve': () => jsonResponse({ ...run, status: 'running' }) })
    const user = userEvent.setup()
    renderApp('/workflows')
    const row = await screen.findByTestId('workflow-row')
    expect(row).toHaveTextContent('KRI turns red')
    expect(row).toHaveTextContent('kri.colour_changed')
    const runRow = await screen.findByTestId('workflow-run')
    expect(runRow).toHaveTextContent('Acme Hosting')
    expect(runRow).toHaveTextContent('step 2: waiting')
    await user.click(within(runRow).getByRole('button', { name: 'Approve' }))
    await waitFor(() => expect(api.callsTo('POST /api/workflows/runs/r-1/approve')).toHaveLength(1))
  })

  it('validates the document live: the server names the path of a problem, the preview shows firings', async () => {
    setSession(sessionFromAuth(authResponse({ user: tenantAdmin })))
    mockApi({
      ...routes(),
      'POST /api/workflows/preview': (call) => {
        const body = call.body as { document: { steps: { title?: string }[] } }
        if (body.document.steps[0]?.title === 'Fix {nope}') {
          return problem(422, 'Invalid request', { errors: [{ location: 'body.document.steps.0.create_task.title', message: 'unknown placeholder {nope}' }] })
        }
        return jsonResponse({ total: 1, firings: [{ subject_kind: 'kri', subject_id: 'k-1', subject_label: 'Patch latency', occurrence: 'red@x', owner_user_id: null, steps: ['Open task'] }] })
      },
    })
    const user = userEvent.setup()
    renderApp('/workflows')
    await user.click(await screen.findByTestId('workflow-new'))
    expect(await screen.findByTestId('workflow-preview', {}, { timeout: 3000 })).toHaveTextContent('Would fire on 1 subject now.')
    const title = screen.getByLabelText(/Task title/)
    await user.clear(title)
    await user.type(title, 'Fix {{nope}')
    await waitFor(() => expect(screen.getByTestId('workflow-validation')).toHaveTextContent('steps.0.create_task.title: unknown placeholder {nope}'), { timeout: 3000 })
    expect(screen.getByTestId('workflow-save')).toBeDisabled()
  })
})
