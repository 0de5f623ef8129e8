import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, modelKri, noContent, problem } from '../test/fixtures'
import {
  catalog,
  integrationsMe,
  kriStore,
  runPage,
  runRequest,
  source,
  sourceRun,
  tenantUser,
} from '../test/integrationFixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

function signIn(user = authResponse().user) {
  setSession(sessionFromAuth(authResponse({ user })))
}

const base = {
  'GET /api/me': jsonResponse(integrationsMe()),
  'GET /api/integrations/catalog': jsonResponse(catalog),
  'GET /api/sources/s-1': jsonResponse(source()),
  'GET /api/sources/s-1/runs': jsonResponse(runPage([])),
}

describe('SourcePage', () => {
  it('Test shows the ok and the failed message', async () => {
    signIn()
    let ok = true
    const api = mockApi({
      ...base,
      'POST /api/sources/s-1/test': () =>
        jsonResponse(ok ? { ok: true, message: 'Signed in to acme.okta.com', elapsed_ms: 420 } : { ok: false, message: 'Okta answered 401: the token is invalid', elapsed_ms: 310 }),
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-1')
    await user.click(await screen.findByRole('button', { name: 'Test connection' }))
    const result = await screen.findByTestId('test-result')
    expect(result).toHaveTextContent('Connection OK: Signed in to acme.okta.com (420 ms)')

    ok = false
    await user.click(screen.getByRole('button', { name: 'Test connection' }))
    await waitFor(() => expect(screen.getByTestId('test-result')).toHaveTextContent('Connection failed: Okta answered 401: the token is invalid'))
    expect(api.callsTo('POST /api/sources/s-1/test')).toHaveLength(2)
  })

  it('Run now polls the request every 2 s until it succeeds, then shows the run', async () => {
    signIn()
    let polls = 0
    let runs = runPage([])
    const api = mockApi({
      ...base,
      'GET /api/sources/s-1/runs': () => jsonResponse(runs),
      'POST /api/sources/s-1/run': jsonResponse(runRequest(), 202),
      'GET /api/run-requests/rq-1': () => {
        polls += 1
        if (polls < 2) return jsonResponse(runRequest({ status: 'launched', launched_at: '2026-11-27T06:00:03Z' }))
        runs = runPage([sourceRun()])
        return jsonResponse(runRequest({ status: 'succeeded', launched_at: '2026-11-27T06:00:03Z', finished_at: '2026-11-27T06:00:08Z', source_run_id: 'r-1' }))
      },
      'GET /api/runs/r-1': jsonResponse(sourceRun()),
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-1')
    expect(await screen.findByText('No runs yet.')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Run now' }))
    const status = await screen.findByTestId('request-status')
    expect(status.closest('[aria-live="polite"]')).not.toBeNull()
    await waitFor(() => expect(status).toHaveTextContent('Run status: Running'))
    expect(screen.getByRole('button', { name: 'Run now' })).toBeDisabled()

    await waitFor(() => expect(status).toHaveTextContent('Run status: Done'), { timeout: 4000 })
    await waitFor(() => expect(screen.getByTestId('request-run')).toHaveTextContent('3 rows written, 0 skipped, 120 items fetched'))
    const row = await screen.findByTestId('run-row')
    expect(row).toHaveTextContent('Run now')
    expect(row).toHaveTextContent('✓ Done')
    expect(screen.getByRole('button', { name: 'Run now' })).toBeEnabled()
    // No more polling once finished.
    const count = api.callsTo('GET /api/run-requests/rq-1').length
    await new Promise((r) => setTimeout(r, 50))
    expect(api.callsTo('GET /api/run-requests/rq-1')).toHaveLength(count)
  }, 10_000)

  it('shows the 409 detail when a run is already pending', async () => {
    signIn()
    mockApi({ ...base, 'POST /api/sources/s-1/run': problem(409, 'A run of this source is already pending or running.') })
    const user = userEvent.setup()
    renderApp('/integrations/s-1')
    await user.click(await screen.findByRole('button', { name: 'Run now' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('A run of this source is already pending or running.')
    expect(screen.queryByTestId('request-status')).not.toBeInTheDocument()
  })

  it('run history: failed runs show their error, warnings are listed, pages go on', async () => {
    signIn()
    const api = mockApi({
      ...base,
      'GET /api/sources/s-1/runs': jsonResponse(
        runPage([sourceRun({ id: 'r-2', status: 'failed', trigger: 'schedule', error: 'Okta answered 503', rows_written: 0 }), sourceRun({ warnings: ['2 users without a status'] })], 45),
      ),
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-1')
    const rows = await screen.findAllByTestId('run-row')
    expect(rows[0]).toHaveTextContent('✕ Failed')
    expect(rows[0]).toHaveTextContent('Error: Okta answered 503')
    expect(within(rows[1]!).getByRole('listitem')).toHaveTextContent('2 users without a status')
    expect(screen.getByText('1–2 of 45')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Next' }))
    await waitFor(() => expect(api.calls.some((c) => c.path === '/api/sources/s-1/runs?limit=20&offset=20')).toBe(true))
  })

  it('edits settings: secrets show "••• set", are never prefilled, and only typed ones are sent', async () => {
    signIn()
    const api = mockApi({
      ...base,
      'PATCH /api/sources/s-1': (call) => jsonResponse({ ...source(), ...(call.body as object) }),
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-1')
    const form = await screen.findByRole('form', { name: 'Edit source' })
    const token = within(form).getByLabelText('API token')
    expect(token).toHaveAttribute('type', 'password')
    expect(token).toHaveValue('')
    expect(token).toHaveAttribute('placeholder', '••• set')
    expect(within(form).getByLabelText('Org URL')).toHaveValue('https://acme.okta.com')
    expect(within(form).getByLabelText('Region')).toHaveValue('eu')

    await user.click(within(form).getByRole('button', { name: 'Save source' }))
    expect(await screen.findByText('Nothing to save: no field changed.')).toBeInTheDocument()

    await user.selectOptions(within(form).getByLabelText('Schedule'), 'weekly')
    await user.click(within(form).getByLabelText('Enabled'))
    await user.click(within(form).getByRole('button', { name: 'Save source' }))
    await waitFor(() => expect(api.callsTo('PATCH /api/sources/s-1')).toHaveLength(1))
    expect(api.callsTo('PATCH /api/sources/s-1')[0]?.body).toEqual({ schedule: 'weekly', enabled: false })

    await user.type(within(form).getByLabelText('API token'), 'new-token')
    await user.click(within(form).getByRole('button', { name: 'Save source' }))
    await waitFor(() => expect(api.callsTo('PATCH /api/sources/s-1')).toHaveLength(2))
    expect(api.callsTo('PATCH /api/sources/s-1')[1]?.body).toEqual({ credentials: { api_token: 'new-token' } })
    await waitFor(() => expect(within(form).getByLabelText('API token')).toHaveValue(''))
  })

  it('deletes the source after a confirmation that KRIs stay', async () => {
    signIn()
    const api = mockApi({ ...base, 'DELETE /api/sources/s-1': noContent(), 'GET /api/sources': jsonResponse([]) })
    const user = userEvent.setup()
    renderApp('/integrations/s-1')
    await user.click(await screen.findByRole('button', { name: 'Delete source' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete source?' })
    expect(dialog).toHaveTextContent('Its KRIs and their history stay.')
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/integrations'))
    expect(api.callsTo('DELETE /api/sources/s-1')).toHaveLength(1)
  })

  it('push: confirms the replacement, then shows the token once with copy and curl', async () => {
    signIn()
    const push = source({ id: 's-2', vendor_id: 'external-push', source_type: 'external_push', name: 'CI pipeline', schedule: 'manual', config: {}, credentials_set: [] })
    const api = mockApi({
      ...base,
      'GET /api/sources/s-2': jsonResponse(push),
      'GET /api/sources/s-2/runs': jsonResponse(runPage([])),
      ...kriStore([modelKri({ id: 'k-1', slug: 'build_failures', name: 'Build failures', source_id: 's-2' })]).routes,
      'POST /api/sources/s-2/push-token': jsonResponse({ token: 'dxp_secret123', prefix: 'dxp_secret', created_at: '2026-11-27T06:00:00Z' }, 201),
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-2')
    expect(await screen.findByRole('form', { name: 'Edit source' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Run now' })).not.toBeInTheDocument()
    expect(screen.getByLabelText('Schedule')).toBeDisabled()
    expect(await screen.findByTestId('accepted-slugs')).toHaveTextContent('Accepted kri_slug values: build_failures.')

    await user.click(screen.getByRole('button', { name: 'Create push token' }))
    const confirm = screen.getByRole('alertdialog', { name: 'Create a new push token?' })
    expect(confirm).toHaveTextContent('the previous token stops working at once')
    expect(api.callsTo('POST /api/sources/s-2/push-token')).toHaveLength(0)
    await user.click(within(confirm).getByRole('button', { name: 'Create token' }))

    const dialog = await screen.findByRole('dialog', { name: 'Push token' })
    expect(within(dialog).getByTestId('push-token')).toHaveTextContent('dxp_secret123')
    expect(dialog).toHaveTextContent('shown only once')
    const curl = within(dialog).getByTestId('push-curl')
    expect(curl).toHaveTextContent(`curl -X POST ${window.location.origin}/api/push/kri-values`)
    expect(curl).toHaveTextContent('-H "Authorization: Bearer dxp_secret123"')
    expect(curl).toHaveTextContent(`-d '{"values":[{"kri_slug":"build_failures","value":12}]}'`)
    await user.click(within(dialog).getByRole('button', { name: 'Copy token' }))
    expect(await within(dialog).findByText('Copied')).toBeInTheDocument()
    expect(await navigator.clipboard.readText()).toBe('dxp_secret123')

    await user.click(within(dialog).getByRole('button', { name: 'Done' }))
    expect(screen.queryByRole('dialog', { name: 'Push token' })).not.toBeInTheDocument()
    expect(screen.queryByText('dxp_secret123')).not.toBeInTheDocument()
  })

  it('artifact: a refused file shows the row-level error table; an accepted one is followed', async () => {
    signIn()
    const artifact = source({ id: 's-3', vendor_id: 'artifact', source_type: 'artifact', name: 'Quarterly export', schedule: 'manual', config: {}, credentials_set: [] })
    let refuse = true
    const api = mockApi({
      ...base,
      'GET /api/sources/s-3': jsonResponse(artifact),
      'GET /api/sources/s-3/runs': jsonResponse(runPage([])),
      ...kriStore([modelKri({ id: 'k-1', slug: 'backup_age_days', source_id: 's-3' })]).routes,
      'POST /api/sources/s-3/artifact': () =>
        refuse
          ? problem(422, 'Nothing was accepted: 2 rows have problems.', {
              errors: [
                { row: 3, column: 'value', message: 'not a number' },
                { row: 7, column: 'kri_slug', message: 'unknown KRI "mfa"' },
              ],
              error_count: 2,
            })
          : jsonResponse({ batch_id: 'b-1', accepted: 4, request_id: 'rq-7' }, 202),
      'GET /api/run-requests/rq-7': jsonResponse(runRequest({ id: 'rq-7', status: 'pending' })),
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-3')
    const form = await screen.findByRole('form', { name: 'Upload values' })
    const file = new File(['kri_slug,value,observed_at\nx,abc,2026-11-26T00:00:00Z\n'], 'values.csv', { type: 'text/csv' })
    await user.upload(within(form).getByLabelText('File (CSV or JSON)'), file)
    await user.click(within(form).getByRole('button', { name: 'Upload' }))

    const table = await screen.findByRole('table', { name: 'Problems in the file' })
    const rows = within(table).getAllByTestId('row-error')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('3valuenot a number')
    expect(rows[1]).toHaveTextContent('7kri_slugunknown KRI "mfa"')
    expect(screen.getByRole('alert')).toHaveTextContent('Nothing was accepted')
    const sent = api.fetchMock.mock.calls.find(([url]) => url === '/api/sources/s-3/artifact')
    const body = sent?.[1]?.body
    expect(body).toBeInstanceOf(FormData)
    expect((body as FormData).get('file')).toBeInstanceOf(File)

    refuse = false
    await user.upload(within(form).getByLabelText('File (CSV or JSON)'), file)
    await user.click(within(form).getByRole('button', { name: 'Upload' }))
    expect(await screen.findByText('Accepted 4 values; a run will write them.')).toBeInTheDocument()
    expect(screen.queryByRole('table', { name: 'Problems in the file' })).not.toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId('request-status')).toHaveTextContent('Run status: Queued'))
  })

  it('artifact: refuses a file over 5 MB without sending it', async () => {
    signIn()
    const artifact = source({ id: 's-3', vendor_id: 'artifact', source_type: 'artifact', name: 'Quarterly export', schedule: 'manual', config: {}, credentials_set: [] })
    const api = mockApi({
      ...base,
      'GET /api/sources/s-3': jsonResponse(artifact),
      'GET /api/sources/s-3/runs': jsonResponse(runPage([])),
      ...kriStore([modelKri({ id: 'k-1', slug: 'backup_age_days', source_id: 's-3' })]).routes,
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-3')
    const form = await screen.findByRole('form', { name: 'Upload values' })
    const big = new File(['x'], 'big.csv', { type: 'text/csv' })
    Object.defineProperty(big, 'size', { value: 6 * 1024 * 1024 })
    await user.upload(within(form).getByLabelText('File (CSV or JSON)'), big)
    await user.click(within(form).getByRole('button', { name: 'Upload' }))
    expect(within(form).getByLabelText('File (CSV or JSON)')).toHaveAccessibleDescription(/larger than 5 MB/)
    expect(api.callsTo('POST /api/sources/s-3/artifact')).toHaveLength(0)
  })

  it('manual entry offers exactly the wired KRIs and posts the right body', async () => {
    signIn()
    const manual = source({ id: 's-4', vendor_id: 'manual', source_type: 'manual', name: 'Hand-entered', schedule: 'manual', config: {}, credentials_set: [] })
    const api = mockApi({
      ...base,
      'GET /api/sources/s-4': jsonResponse(manual),
      'GET /api/sources/s-4/runs': jsonResponse(runPage([])),
      ...kriStore([
        modelKri({ id: 'k-1', slug: 'awareness_pct', name: 'Awareness training', source_id: 's-4' }),
        modelKri({ id: 'k-2', slug: 'tabletop_days', name: 'Days since tabletop', source_id: 's-4' }),
        // Neither unwired KRIs nor another source's are accepted, so neither is offered.
        modelKri({ id: 'k-3', slug: 'open_critical_vulns', source_id: null }),
        modelKri({ id: 'k-4', slug: 'mfa_adoption_pct', source_id: 's-1' }),
      ]).routes,
      'POST /api/sources/s-4/values': jsonResponse({ batch_id: 'b-2', accepted: 1, request_id: 'rq-8' }, 202),
      'GET /api/run-requests/rq-8': jsonResponse(runRequest({ id: 'rq-8', source_id: 's-4', status: 'succeeded' })),
    })
    const user = userEvent.setup()
    renderApp('/integrations/s-4')
    const form = await screen.findByRole('form', { name: 'Enter a value' })
    const kri = within(form).getByLabelText('KRI')
    // Only the wired KRIs: not the catalog's phish_click_pct (not wired here), nor others.
    expect(within(kri).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['awareness_pct', 'tabletop_days'])
    expect(api.calls.some((c) => c.path === '/api/kris?limit=500&offset=0&source_id=s-4')).toBe(true)

    await user.selectOptions(kri, 'tabletop_days')
    await user.type(within(form).getByLabelText('Value'), '42.5')
    await user.type(within(form).getByLabelText('Observed at (optional)'), '2026-11-26T09:30')
    await user.type(within(form).getByLabelText('Note (optional)'), 'From the Q4 exercise')
    await user.click(within(form).getByRole('button', { name: 'Enter value' }))
    await waitFor(() => expect(api.callsTo('POST /api/sources/s-4/values')).toHaveLength(1))
    expect(api.callsTo('POST /api/sources/s-4/values')[0]?.body).toEqual({
      kri_slug: 'tabletop_days',
      value: 42.5,
      observed_at: new Date('2026-11-26T09:30').toISOString(),
      note: 'From the Q4 exercise',
    })
    expect(await screen.findByText('Value accepted; a run will write it.')).toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId('request-status')).toHaveTextContent('Run status: Done'))
  })

  it('a tenant user sees the source and its runs but no write controls', async () => {
    signIn(tenantUser)
    mockApi({ ...base, 'GET /api/me': jsonResponse(integrationsMe(tenantUser)), 'GET /api/sources/s-1/runs': jsonResponse(runPage([sourceRun()])) })
    renderApp('/integrations/s-1')
    expect(await screen.findByTestId('run-row')).toBeInTheDocument()
    expect(screen.getByTestId('source-name')).toHaveTextContent('Okta (production)')
    expect(screen.getByTestId('source-credentials')).toHaveTextContent('api_token')
    for (const name of ['Test connection', 'Run now', 'Save source', 'Delete source']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument()
    }
    expect(screen.queryByRole('form')).not.toBeInTheDocument()
  })
  describe('KRIs fed by this source', () => {
    const push = source({ id: 's-2', vendor_id: 'external-push', source_type: 'external_push', name: 'CI pipeline', schedule: 'manual', config: {}, credentials_set: [] })
    const pushRoutes = { ...base, 'GET /api/sources/s-2': jsonResponse(push), 'GET /api/sources/s-2/runs': jsonResponse(runPage([])) }

    it('lists the wired KRIs, wires an unwired one and unwires one, refreshing the lists', async () => {
      signIn()
      const store = kriStore([
        modelKri({ id: 'k-1', slug: 'build_failures', name: 'Build failures', unit: 'count', source_id: 's-2' }),
        modelKri({ id: 'k-2', slug: 'deploy_lead_days', name: 'Deploy lead time', unit: 'days', source_id: null }),
        modelKri({ id: 'k-3', slug: 'mfa_adoption_pct', name: 'MFA adoption', source_id: 's-1' }),
      ])
      const api = mockApi({ ...pushRoutes, ...store.routes })
      const user = userEvent.setup()
      renderApp('/integrations/s-2')

      const list = await screen.findByRole('list', { name: 'KRIs fed by this source' })
      expect(within(list).getAllByTestId('wired-kri')).toHaveLength(1)
      expect(within(list).getByRole('link', { name: 'Build failures' })).toHaveAttribute('href', '/kris/k-1')
      expect(list).toHaveTextContent('build_failures · count · Higher is worse · warn 5, critical 10')
      expect(api.calls.some((c) => c.path === '/api/kris?limit=500&offset=0&source_id=s-2')).toBe(true)
      expect(screen.getByRole('link', { name: 'Risk model page' })).toHaveAttribute('href', '/model/kris')

      // Only KRIs without a source are offered (not k-1, wired here, nor k-3, wired elsewhere).
      const form = await screen.findByRole('form', { name: 'Wire a KRI' })
      const select = within(form).getByLabelText('KRI without a source')
      expect(within(select).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['k-2'])
      expect(api.calls.some((c) => c.path === '/api/kris?limit=500&offset=0')).toBe(true)

      const listCalls = api.callsTo('GET /api/kris').length
      const sourceCalls = api.callsTo('GET /api/sources/s-2').length
      await user.click(within(form).getByRole('button', { name: 'Wire' }))
      await waitFor(() => expect(api.callsTo('PATCH /api/kris/k-2')).toHaveLength(1))
      expect(api.callsTo('PATCH /api/kris/k-2')[0]?.body).toEqual({ source_id: 's-2' })
      await waitFor(() => expect(screen.getAllByTestId('wired-kri')).toHaveLength(2))
      expect(api.callsTo('GET /api/kris').length).toBeGreaterThan(listCalls)
      expect(api.callsTo('GET /api/sources/s-2').length).toBeGreaterThan(sourceCalls)
      // The push help text follows the wired list.
      expect(screen.getByTestId('accepted-slugs')).toHaveTextContent('build_failures, deploy_lead_days')
      expect(await screen.findByText('Every KRI already has a source: there is none to wire.')).toBeInTheDocument()

      await user.click(screen.getByRole('button', { name: 'Unwire Build failures' }))
      await waitFor(() => expect(api.callsTo('PATCH /api/kris/k-1')).toHaveLength(1))
      expect(api.callsTo('PATCH /api/kris/k-1')[0]?.body).toEqual({ source_id: null })
      await waitFor(() => expect(screen.getAllByTestId('wired-kri')).toHaveLength(1))
      expect(screen.getByTestId('wired-kri')).toHaveTextContent('Deploy lead time')
      expect(screen.getByTestId('accepted-slugs')).toHaveTextContent('deploy_lead_days')
      expect(screen.getByTestId('accepted-slugs')).not.toHaveTextContent('build_failures')
    })

    it('shows the problem when wiring or unwiring is refused', async () => {
      signIn()
      const store = kriStore([
        modelKri({ id: 'k-1', slug: 'build_failures', name: 'Build failures', source_id: 's-2' }),
        modelKri({ id: 'k-2', slug: 'deploy_lead_days', name: 'Deploy lead time', source_id: null }),
      ])
      mockApi({
        ...pushRoutes,
        ...store.routes,
        'PATCH /api/kris/k-2': problem(404, 'A kri refers to something that does not exist.'),
        'PATCH /api/kris/k-1': problem(403, 'You may not change the risk model.'),
      })
      const user = userEvent.setup()
      renderApp('/integrations/s-2')
      const form = await screen.findByRole('form', { name: 'Wire a KRI' })
      await user.click(within(form).getByRole('button', { name: 'Wire' }))
      expect(await screen.findByRole('alert')).toHaveTextContent('A kri refers to something that does not exist.')
      expect(screen.getAllByTestId('wired-kri')).toHaveLength(1)

      await user.click(screen.getByRole('button', { name: 'Unwire Build failures' }))
      await waitFor(() => expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('You may not change the risk model.'))).toBe(true))
      expect(screen.getAllByTestId('wired-kri')).toHaveLength(1)
    })

    it('with no KRI wired, says to wire one first instead of showing an empty form', async () => {
      signIn()
      const manual = source({ id: 's-4', vendor_id: 'manual', source_type: 'manual', name: 'Hand-entered', schedule: 'manual', config: {}, credentials_set: [] })
      const artifact = source({ id: 's-3', vendor_id: 'artifact', source_type: 'artifact', name: 'Quarterly export', schedule: 'manual', config: {}, credentials_set: [] })
      mockApi({
        ...base,
        'GET /api/sources/s-4': jsonResponse(manual),
        'GET /api/sources/s-4/runs': jsonResponse(runPage([])),
        'GET /api/sources/s-3': jsonResponse(artifact),
        'GET /api/sources/s-3/runs': jsonResponse(runPage([])),
        ...kriStore([modelKri({ id: 'k-9', slug: 'open_critical_vulns', source_id: null })]).routes,
      })
      const { unmount } = renderApp('/integrations/s-4')
      expect(await screen.findByTestId('manual-empty')).toHaveTextContent('Wire a KRI to this source first')
      expect(screen.queryByRole('form', { name: 'Enter a value' })).not.toBeInTheDocument()
      expect(screen.getByTestId('wired-empty')).toBeInTheDocument()
      unmount()

      renderApp('/integrations/s-3')
      expect(await screen.findByTestId('accepted-slugs')).toHaveTextContent('Wire a KRI to this source first')
      expect(screen.queryByRole('form', { name: 'Upload values' })).not.toBeInTheDocument()
    })

    it('a user without risk_model:write sees the wired KRIs but cannot wire or unwire', async () => {
      signIn(tenantUser)
      const api = mockApi({
        ...pushRoutes,
        'GET /api/me': jsonResponse(integrationsMe(tenantUser)),
        ...kriStore([modelKri({ id: 'k-1', slug: 'build_failures', name: 'Build failures', source_id: 's-2' })]).routes,
      })
      renderApp('/integrations/s-2')
      expect(await screen.findByTestId('wired-kri')).toHaveTextContent('Build failures')
      expect(screen.queryByRole('button', { name: /Unwire/ })).not.toBeInTheDocument()
      expect(screen.queryByRole('form', { name: 'Wire a KRI' })).not.toBeInTheDocument()
      expect(api.calls.some((c) => c.path === '/api/kris?limit=500&offset=0')).toBe(false)
    })

    it('is not shown for a vendor API source', async () => {
      signIn()
      const api = mockApi(base)
      renderApp('/integrations/s-1')
      expect(await screen.findByRole('button', { name: 'Run now' })).toBeInTheDocument()
      expect(screen.queryByText('KRIs fed by this source')).not.toBeInTheDocument()
      expect(api.callsTo('GET /api/kris')).toHaveLength(0)
    })
  })

  it('stops polling a run request after 5 minutes and points at the scheduler', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    signIn()
    const api = mockApi({
      ...base,
      'POST /api/sources/s-1/run': jsonResponse(runRequest(), 202),
      'GET /api/run-requests/rq-1': () => jsonResponse(runRequest({ status: 'pending' })),
    })
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime })
    renderApp('/integrations/s-1')
    await user.click(await screen.findByRole('button', { name: 'Run now' }))
    const status = await screen.findByTestId('request-status')
    expect(screen.getByRole('button', { name: 'Run now' })).toBeDisabled()

    await act(async () => {
      await vi.advanceTimersByTimeAsync(4 * 60_000)
    })
    expect(api.callsTo('GET /api/run-requests/rq-1').length).toBeGreaterThan(100)
    expect(status).not.toHaveTextContent('Still waiting for the scheduler')

    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000 + 10)
    })
    expect(status).toHaveTextContent('Still waiting for the scheduler — check the Dagster UI')
    expect(status).toHaveTextContent('Run status: Queued')
    expect(screen.getByRole('button', { name: 'Run now' })).toBeEnabled()

    const polls = api.callsTo('GET /api/run-requests/rq-1').length
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10 * 60_000)
    })
    expect(api.callsTo('GET /api/run-requests/rq-1')).toHaveLength(polls)
  }, 20_000)
})
