import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, control, jsonResponse, listPage, me, modelKri, noContent, problem, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const tenantUser: UserSummary = { ...tenantAdmin, id: 'u-2', email: 'bob@acme.test', role: 'tenant_user' }
const kris = [modelKri({ id: 'k-1', slug: 'open_vulns', name: 'Open vulns' }), modelKri({ id: 'k-2', slug: 'mfa_pct', name: 'MFA adoption' })]

describe('ModelPage', () => {
  it('redirects /model to the KRI tab and lists rows without edit controls for a reader', async () => {
    setSession(sessionFromAuth(authResponse({ user: tenantUser })))
    const api = mockApi({ 'GET /api/me': jsonResponse(me(tenantUser)), 'GET /api/kris': jsonResponse(listPage(kris)) })
    const user = userEvent.setup()
    renderApp('/model')
    const rows = await screen.findAllByTestId('model-row')
    expect(screen.getByTestId('location')).toHaveTextContent('/model/kris')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveAttribute('data-slug', 'open_vulns')
    expect(within(rows[0]!).getByRole('link', { name: 'Open vulns' })).toHaveAttribute('href', '/kris/k-1')
    expect(screen.queryByRole('button', { name: /^Edit / })).not.toBeInTheDocument()
    expect(screen.queryByRole('form', { name: 'Create KRI' })).not.toBeInTheDocument()

    await user.type(screen.getByLabelText('Search'), 'mfa')
    await waitFor(() => expect(api.callsTo('GET /api/kris').some((c) => c.path.includes('q=mfa'))).toBe(true))
  })

  it('creates a KRI and shows a 409 problem inline; client checks stop a bad slug', async () => {
    setSession(sessionFromAuth(authResponse()))
    let taken = false
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/kris': jsonResponse(listPage(kris)),
      'POST /api/kris': (call) =>
        taken
          ? problem(409, 'The slug open_vulns is taken.')
          : ((taken = true), jsonResponse(modelKri({ id: 'k-3', ...(call.body as object) }), 201)),
    })
    const user = userEvent.setup()
    renderApp('/model/kris')
    const form = await screen.findByRole('form', { name: 'Create KRI' })

    await user.type(within(form).getByLabelText('Slug'), 'Bad Slug')
    await user.type(within(form).getByLabelText('Name'), 'Open vulns')
    await user.click(within(form).getByRole('button', { name: 'Create KRI' }))
    expect(await screen.findByText(/Slug: use 2–80 lowercase/)).toBeInTheDocument()
    expect(api.callsTo('POST /api/kris')).toHaveLength(0)

    await user.clear(within(form).getByLabelText('Slug'))
    await user.type(within(form).getByLabelText('Slug'), 'open_vulns')
    await user.selectOptions(within(form).getByLabelText('Direction'), 'higher_is_worse')
    await user.type(within(form).getByLabelText('Warn threshold'), '5')
    await user.type(within(form).getByLabelText('Critical threshold'), '10')
    await user.type(within(form).getByLabelText('Unit'), 'count')
    await user.click(within(form).getByRole('button', { name: 'Create KRI' }))
    await waitFor(() => expect(api.callsTo('POST /api/kris')).toHaveLength(1))
    expect(api.callsTo('POST /api/kris')[0]?.body).toEqual({
      slug: 'open_vulns',
      name: 'Open vulns',
      unit: 'count',
      direction: 'higher_is_worse',
      warn: 5,
      critical: 10,
    })
    expect(await screen.findByText('Created the KRI.')).toBeInTheDocument()
    expect(within(form).getByLabelText('Slug')).toHaveValue('')

    // The same slug again: the server's 409 shows in the form.
    await user.type(within(form).getByLabelText('Slug'), 'open_vulns')
    await user.type(within(form).getByLabelText('Name'), 'Open vulns')
    await user.type(within(form).getByLabelText('Warn threshold'), '5')
    await user.type(within(form).getByLabelText('Critical threshold'), '10')
    await user.click(within(form).getByRole('button', { name: 'Create KRI' }))
    const alert = await screen.findByText('The slug open_vulns is taken.')
    expect(alert.closest('[role="alert"]')).not.toBeNull()
  })

  it('edits and deletes a control (confirmed), sending lists and nullable fields', async () => {
    setSession(sessionFromAuth(authResponse()))
    const edr = control({ id: 'c-1', name: 'EDR on all endpoints' })
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/controls': jsonResponse(listPage([edr])),
      'PATCH /api/controls/c-1': (call) => jsonResponse({ ...edr, ...(call.body as object) }),
      'DELETE /api/controls/c-1': noContent(),
    })
    const user = userEvent.setup()
    renderApp('/model/controls')
    await user.click(await screen.findByRole('button', { name: 'Edit EDR on all endpoints' }))
    const form = screen.getByRole('form', { name: 'Edit control' })
    expect(within(form).queryByLabelText('Slug')).not.toBeInTheDocument()
    await user.clear(within(form).getByLabelText('ATT&CK techniques'))
    await user.type(within(form).getByLabelText('ATT&CK techniques'), 'T1059.001, T1566')
    await user.selectOptions(within(form).getByLabelText('Effectiveness'), 'partial')
    await user.click(within(form).getByRole('button', { name: 'Save control' }))
    await waitFor(() => expect(api.callsTo('PATCH /api/controls/c-1')).toHaveLength(1))
    expect(api.callsTo('PATCH /api/controls/c-1')[0]?.body).toEqual({
      effectiveness: 'partial',
      attack_techniques: ['T1059.001', 'T1566'],
    })

    await user.click(screen.getByRole('button', { name: 'Delete EDR on all endpoints' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete control?' })
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(api.callsTo('DELETE /api/controls/c-1')).toHaveLength(1))
  })

  it('deletes the selected controls together after one confirmation', async () => {
    setSession(sessionFromAuth(authResponse()))
    const rows = [control({ id: 'c-1', name: 'EDR' }), control({ id: 'c-2', name: 'Backups' }), control({ id: 'c-3', name: 'MFA' })]
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/controls': jsonResponse(listPage(rows)),
      'POST /api/controls/bulk-delete': jsonResponse({ deleted: 2 }),
    })
    const user = userEvent.setup()
    renderApp('/model/controls')
    await user.click(await screen.findByRole('checkbox', { name: 'Select EDR' }))
    await user.click(screen.getByRole('checkbox', { name: 'Select MFA' }))
    const toolbar = screen.getByRole('toolbar', { name: 'Selected rows' })
    expect(toolbar).toHaveTextContent('2 selected')
    await user.click(within(toolbar).getByRole('button', { name: 'Delete selected' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete 2 Controls?' })
    expect(dialog).toHaveTextContent('EDR, MFA')
    await user.click(within(dialog).getByRole('button', { name: 'Delete all' }))
    await waitFor(() => expect(api.callsTo('POST /api/controls/bulk-delete')).toHaveLength(1))
    expect(api.callsTo('POST /api/controls/bulk-delete')[0]?.body).toEqual({ ids: ['c-1', 'c-3'] })
  })
})
