import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Source } from '../integrations'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, problem } from '../test/fixtures'
import { catalog, integrationsMe, source, tenantUser } from '../test/integrationFixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

function signIn(user = authResponse().user) {
  setSession(sessionFromAuth(authResponse({ user })))
}

describe('IntegrationsPage', () => {
  it('groups the catalog by source type and links the nav entry', async () => {
    signIn()
    mockApi({
      'GET /api/me': jsonResponse(integrationsMe()),
      'GET /api/integrations/catalog': jsonResponse(catalog),
      'GET /api/sources': jsonResponse([]),
    })
    renderApp('/integrations')
    const groups = await screen.findAllByTestId('catalog-group')
    expect(groups.map((g) => g.getAttribute('data-group'))).toEqual(['vendor', 'push', 'artifact', 'manual'])
    expect(within(groups[0]!).getByRole('heading', { name: 'Vendor APIs' })).toBeInTheDocument()
    expect(within(groups[0]!).getAllByTestId('catalog-entry').map((e) => e.getAttribute('data-vendor'))).toEqual(['demo', 'okta', 'tenable-io'])
    expect(within(groups[1]!).getByRole('heading', { name: 'Push' })).toBeInTheDocument()
    expect(within(groups[1]!).getByText('Push API')).toBeInTheDocument()
    expect(within(groups[2]!).getByRole('heading', { name: 'File upload' })).toBeInTheDocument()
    expect(within(groups[3]!).getByRole('heading', { name: 'Manual entry' })).toBeInTheDocument()
    expect(screen.getByText('No sources yet. Add one from the catalog below.')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Integrations' })).toHaveAttribute('href', '/integrations')
  })

  it('generates the form from config_fields: secrets as empty password inputs, defaults, hints, KRIs', async () => {
    signIn()
    mockApi({
      'GET /api/me': jsonResponse(integrationsMe()),
      'GET /api/integrations/catalog': jsonResponse(catalog),
      'GET /api/sources': jsonResponse([]),
    })
    const user = userEvent.setup()
    renderApp('/integrations')
    await user.click(await screen.findByRole('button', { name: 'Add Okta' }))
    const form = screen.getByRole('form', { name: 'Add Okta source' })
    // The form opens below the catalog: it takes the focus (and scrolls into view).
    await waitFor(() => expect(form.contains(document.activeElement)).toBe(true))
    const token = within(form).getByLabelText('API token')
    expect(token).toHaveAttribute('type', 'password')
    expect(token).toHaveValue('')
    expect(token).toHaveAccessibleDescription('A read-only admin token.')
    expect(within(form).getByLabelText('Org URL')).toHaveAttribute('type', 'url')
    expect(within(form).getByLabelText('Org URL')).toHaveAccessibleDescription(/https:\/\/acme\.okta\.com\. An https:\/\/ URL\./)
    expect(within(form).getByLabelText('Region')).toHaveValue('us')
    expect(within(form).getByLabelText('Page size (optional)')).toHaveValue(200)
    expect(within(form).getByLabelText('Name')).toHaveValue('Okta')
    expect(within(form).getByLabelText('Schedule')).toHaveValue('daily')
    expect(within(form).getByLabelText('Enabled')).toBeChecked()
    const kri = screen.getByTestId('connector-kri')
    expect(kri).toHaveTextContent('MFA adoption')
    expect(kri).toHaveTextContent('Formula: enrolled / active users × 100')
  })

  it('shows client checks and the server 422 next to each field', async () => {
    signIn()
    const api = mockApi({
      'GET /api/me': jsonResponse(integrationsMe()),
      'GET /api/integrations/catalog': jsonResponse(catalog),
      'GET /api/sources': jsonResponse([]),
      'POST /api/sources': problem(422, "The source's settings are not valid: config.org_url: must be an https:// URL.", {
        errors: { 'config.org_url': 'must be an https:// URL', 'credentials.api_token': 'API token is required', 'config.page_size': 'must be a whole number' },
      }),
    })
    const user = userEvent.setup()
    renderApp('/integrations')
    await user.click(await screen.findByRole('button', { name: 'Add Okta' }))
    const form = screen.getByRole('form', { name: 'Add Okta source' })

    // Client side: required fields, https only; nothing is sent.
    await user.type(within(form).getByLabelText('Org URL'), 'http://acme.okta.com')
    await user.click(within(form).getByRole('button', { name: 'Add source' }))
    expect(within(form).getByLabelText('Org URL')).toHaveAccessibleDescription(/must be an https:\/\/ URL/)
    expect(within(form).getByLabelText('Org URL')).toHaveAttribute('aria-invalid', 'true')
    expect(within(form).getByLabelText('API token')).toHaveAccessibleDescription(/API token is required/)
    expect(api.callsTo('POST /api/sources')).toHaveLength(0)

    // Server side: each error of the 422 next to its field.
    await user.clear(within(form).getByLabelText('Org URL'))
    await user.type(within(form).getByLabelText('Org URL'), 'https://acme.okta.com')
    await user.type(within(form).getByLabelText('API token'), 'secret-token')
    await user.click(within(form).getByRole('button', { name: 'Add source' }))
    await waitFor(() => expect(api.callsTo('POST /api/sources')).toHaveLength(1))
    await waitFor(() => expect(within(form).getByLabelText('Org URL')).toHaveAccessibleDescription(/must be an https:\/\/ URL/))
    expect(within(form).getByLabelText('API token')).toHaveAccessibleDescription(/A read-only admin token\. API token is required/)
    expect(within(form).getByLabelText('Page size (optional)')).toHaveAccessibleDescription(/must be a whole number/)
    expect(screen.getByRole('alert')).toHaveTextContent("The source's settings are not valid")
    expect(api.callsTo('POST /api/sources')[0]?.body).toEqual({
      vendor_id: 'okta',
      name: 'Okta',
      schedule: 'daily',
      enabled: true,
      config: { org_url: 'https://acme.okta.com', region: 'us', page_size: 200 },
      credentials: { api_token: 'secret-token' },
    })
  })

  it('creates a source, which then appears in the list', async () => {
    signIn()
    let sources: Source[] = []
    const api = mockApi({
      'GET /api/me': jsonResponse(integrationsMe()),
      'GET /api/integrations/catalog': jsonResponse(catalog),
      'GET /api/sources': () => jsonResponse(sources),
      'POST /api/sources': (call) => {
        const body = call.body as { name: string; schedule: Source['schedule'] }
        const created = source({ id: 's-9', name: body.name, schedule: body.schedule, last_run_at: null, last_run_status: null })
        sources = [created]
        return jsonResponse(created, 201)
      },
    })
    const user = userEvent.setup()
    renderApp('/integrations')
    await user.click(await screen.findByRole('button', { name: 'Add Okta' }))
    const form = screen.getByRole('form', { name: 'Add Okta source' })
    await user.clear(within(form).getByLabelText('Name'))
    await user.type(within(form).getByLabelText('Name'), 'Okta (production)')
    await user.selectOptions(within(form).getByLabelText('Schedule'), 'hourly')
    await user.type(within(form).getByLabelText('Org URL'), 'https://acme.okta.com')
    await user.type(within(form).getByLabelText('API token'), 'tok')
    await user.click(within(form).getByRole('button', { name: 'Add source' }))

    const row = await screen.findByTestId('source-row')
    expect(within(row).getByRole('link', { name: 'Okta (production)' })).toHaveAttribute('href', '/integrations/s-9')
    expect(row).toHaveTextContent('Okta')
    expect(row).toHaveTextContent('Hourly')
    expect(row).toHaveTextContent('Enabled')
    expect(row).toHaveTextContent('Never run')
    expect(row).toHaveTextContent('No failures')
    expect(api.callsTo('POST /api/sources')[0]?.body).toMatchObject({ name: 'Okta (production)', schedule: 'hourly' })
    expect(screen.queryByRole('form', { name: 'Add Okta source' })).not.toBeInTheDocument()
    expect(screen.getByRole('status')).toHaveTextContent('Added Okta (production).')
    // One source per connector: the catalog links to it instead of offering Add.
    expect(screen.queryByRole('button', { name: 'Add Okta' })).not.toBeInTheDocument()
  })

  it('shows failures and backoff as text', async () => {
    signIn()
    mockApi({
      'GET /api/me': jsonResponse(integrationsMe()),
      'GET /api/integrations/catalog': jsonResponse(catalog),
      'GET /api/sources': jsonResponse([
        source({ last_run_status: 'failed', consecutive_failures: 3, backoff_until: '2999-01-01T00:00:00Z', enabled: false }),
      ]),
    })
    renderApp('/integrations')
    const row = await screen.findByTestId('source-row')
    expect(row).toHaveTextContent('✕ Failed')
    expect(row).toHaveTextContent('3 consecutive failures; backing off until')
    expect(row).toHaveTextContent('Disabled')
  })

  it('a tenant user (no integrations:manage) sees no write controls', async () => {
    signIn(tenantUser)
    mockApi({
      'GET /api/me': jsonResponse(integrationsMe(tenantUser)),
      'GET /api/integrations/catalog': jsonResponse(catalog),
      'GET /api/sources': jsonResponse([source()]),
    })
    renderApp('/integrations')
    expect(await screen.findByTestId('source-row')).toBeInTheDocument()
    await screen.findAllByTestId('catalog-entry')
    expect(screen.queryByRole('button', { name: /^Add / })).not.toBeInTheDocument()
  })

  it('is forbidden without integrations:read', async () => {
    signIn(tenantUser)
    mockApi({ 'GET /api/me': jsonResponse(me(tenantUser)) })
    renderApp('/integrations')
    expect(await screen.findByText('You do not have access to this page.')).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Integrations' })).not.toBeInTheDocument()
  })
})

