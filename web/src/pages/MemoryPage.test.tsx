import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Fact, MemoryDocument } from '../memory'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, noContent, problem, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { fact, memoryDocument, page, panelMe, tenantUser } from '../test/panelFixtures'
import { renderApp } from '../test/render'

function signIn(user = tenantAdmin) {
  setSession(sessionFromAuth(authResponse({ user })))
}

function routes(facts: Fact[], docs: MemoryDocument[] = [], user = tenantAdmin) {
  return {
    'GET /api/me': jsonResponse(panelMe(user)),
    'GET /api/memory/facts': () => jsonResponse(page(facts)),
    'GET /api/memory/documents': () => jsonResponse(page(docs)),
  }
}

describe('MemoryPage', () => {
  it('lists facts with their origin, linking facts from a panel session', async () => {
    signIn()
    const facts = [fact(), fact({ id: 'f-2', key: 'panel.2026-11-20.ab12', origin: 'panel_session', panel_session_id: 'ps-1', value: 'Close the vendor gap.' })]
    mockApi(routes(facts))
    renderApp('/memory')
    const rows = await screen.findAllByTestId('fact-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveTextContent('dora.register.owner')
    expect(rows[0]).toHaveTextContent('The CFO owns the register of information.')
    expect(rows[0]).toHaveTextContent('Board minutes 2026-10')
    expect(rows[0]).toHaveTextContent('Manual')
    expect(within(rows[1]!).getByRole('link', { name: 'Panel session' })).toHaveAttribute('href', '/panel/ps-1')
    expect(screen.getByRole('tab', { name: 'Facts' })).toHaveAttribute('aria-selected', 'true')
    expect(within(rows[0]!).getByRole('button', { name: 'Edit dora.register.owner' })).toBeInTheDocument()
  })

  it('validates a new fact on the client, then adds it', async () => {
    signIn()
    const facts: Fact[] = []
    const api = mockApi({
      ...routes(facts),
      'POST /api/memory/facts': (call) => {
        const created = fact({ id: 'f-new', ...(call.body as object) })
        facts.push(created)
        return jsonResponse(created, 201)
      },
    })
    const user = userEvent.setup()
    renderApp('/memory')
    const form = await screen.findByRole('form', { name: 'Add fact' })
    await user.type(within(form).getByLabelText('Key'), 'Bad Key!')
    await user.click(within(form).getByRole('button', { name: 'Add fact' }))
    expect(within(form).getByLabelText('Key')).toHaveAttribute('aria-invalid', 'true')
    expect(within(form).getByLabelText('Key')).toHaveAccessibleDescription(/Use lowercase letters, digits/)
    expect(within(form).getByLabelText('Value')).toHaveAccessibleDescription('Value is required')
    expect(within(form).getByLabelText('Citation')).toHaveAccessibleDescription(/Citation is required/)
    expect(api.callsTo('POST /api/memory/facts')).toHaveLength(0)

    await user.clear(within(form).getByLabelText('Key'))
    await user.type(within(form).getByLabelText('Key'), 'insurance.carrier')
    await user.type(within(form).getByLabelText('Value'), 'Beazley, renewal in March.')
    await user.type(within(form).getByLabelText('Citation'), 'Policy schedule 2026')
    await user.click(within(form).getByRole('button', { name: 'Add fact' }))
    await waitFor(() => expect(api.callsTo('POST /api/memory/facts')).toHaveLength(1))
    expect(api.callsTo('POST /api/memory/facts')[0]?.body).toEqual({
      key: 'insurance.carrier',
      value: 'Beazley, renewal in March.',
      citation: 'Policy schedule 2026',
    })
    expect(await screen.findByText('Added insurance.carrier.')).toBeInTheDocument()
    await waitFor(() => expect(screen.getAllByTestId('fact-row')).toHaveLength(1))
    expect(within(form).getByLabelText('Key')).toHaveValue('')
  })

  it('shows a server refusal (409 key taken) via the problem alert', async () => {
    signIn()
    mockApi({ ...routes([]), 'POST /api/memory/facts': problem(409, 'A fact with this key already exists.') })
    const user = userEvent.setup()
    renderApp('/memory')
    const form = await screen.findByRole('form', { name: 'Add fact' })
    await user.type(within(form).getByLabelText('Key'), 'dora.register.owner')
    await user.type(within(form).getByLabelText('Value'), 'x')
    await user.type(within(form).getByLabelText('Citation'), 'y')
    await user.click(within(form).getByRole('button', { name: 'Add fact' }))
    expect(await within(form).findByRole('alert')).toHaveTextContent('A fact with this key already exists.')
    expect(within(form).getByLabelText('Key')).toHaveAccessibleDescription(/This key is already taken/)
  })

  it('edits and deletes a fact', async () => {
    signIn()
    let facts = [fact()]
    const api = mockApi({
      ...routes(facts),
      'GET /api/memory/facts': () => jsonResponse(page(facts)),
      'PATCH /api/memory/facts/f-1': (call) => {
        facts = [{ ...facts[0]!, ...(call.body as object) }]
        return jsonResponse(facts[0])
      },
      'DELETE /api/memory/facts/f-1': () => {
        facts = []
        return noContent()
      },
    })
    const user = userEvent.setup()
    renderApp('/memory')
    await user.click(await screen.findByRole('button', { name: 'Edit dora.register.owner' }))
    const form = screen.getByRole('form', { name: 'Edit fact' })
    await user.clear(within(form).getByLabelText('Value'))
    await user.type(within(form).getByLabelText('Value'), 'The CRO owns it now.')
    await user.click(within(form).getByRole('button', { name: 'Save fact' }))
    await waitFor(() => expect(api.callsTo('PATCH /api/memory/facts/f-1')[0]?.body).toEqual({ value: 'The CRO owns it now.' }))
    expect(await screen.findByText('The CRO owns it now.')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Delete dora.register.owner' }))
    await user.click(within(screen.getByRole('alertdialog', { name: 'Delete fact?' })).getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(api.callsTo('DELETE /api/memory/facts/f-1')).toHaveLength(1))
    expect(await screen.findByText('No facts yet.')).toBeInTheDocument()
  })

  it('lists documents, shows chunks, and uploads a document as multipart', async () => {
    signIn()
    const docs = [memoryDocument()]
    const api = mockApi({
      ...routes([], docs),
      'GET /api/memory/documents': () => jsonResponse(page(docs)),
      'GET /api/memory/documents/d-1': jsonResponse({
        ...docs[0],
        chunks: [{ chunk_no: 1, heading: 'Reporting', page: 3, content: 'Report within 4 hours.' }],
      }),
      'POST /api/memory/documents': () => {
        const created = memoryDocument({ id: 'd-2', title: 'Vendor policy', filename: 'vendors.md', media_type: 'text/markdown', page_count: null, chunk_count: 4 })
        docs.unshift(created)
        return jsonResponse(created, 201)
      },
    })
    const user = userEvent.setup()
    renderApp('/memory')
    await user.click(await screen.findByRole('tab', { name: 'Documents' }))
    const row = await screen.findByTestId('document-row')
    expect(row).toHaveTextContent('Incident response policy')
    expect(row).toHaveTextContent('ir-policy.pdf')
    expect(row).toHaveTextContent('PDF')
    expect(row).toHaveTextContent('244.1 KB')
    expect(row).toHaveTextContent('12')
    expect(row).toHaveTextContent('30')

    await user.click(within(row).getByRole('button', { name: 'View chunks of Incident response policy' }))
    expect(await screen.findByTestId('document-chunk')).toHaveTextContent('#1 · Reporting · page 3')

    const form = screen.getByRole('form', { name: 'Upload a document' })
    const input = within(form).getByLabelText('File')
    expect(input).toHaveAttribute('accept', '.txt,.md,.markdown,.pdf')
    // Client-side check: wrong type.
    await userEvent.setup({ applyAccept: false }).upload(input, new File(['x'], 'data.csv', { type: 'text/csv' }))
    await user.click(within(form).getByRole('button', { name: 'Upload' }))
    expect(input).toHaveAccessibleDescription(/Only text/)
    expect(api.callsTo('POST /api/memory/documents')).toHaveLength(0)

    await user.upload(input, new File(['# Vendors\nAll critical vendors…'], 'vendors.md', { type: 'text/markdown' }))
    await user.type(within(form).getByLabelText('Title (optional)'), 'Vendor policy')
    await user.click(within(form).getByRole('button', { name: 'Upload' }))
    await waitFor(() => expect(api.callsTo('POST /api/memory/documents')).toHaveLength(1))
    const init = api.fetchMock.mock.calls.find(([url, i]) => url === '/api/memory/documents' && i?.method === 'POST')?.[1]
    const body = init?.body as FormData
    expect(body).toBeInstanceOf(FormData)
    expect((body.get('file') as File).name).toBe('vendors.md')
    expect(body.get('title')).toBe('Vendor policy')
    expect(body.has('citation')).toBe(false)
    expect(api.callsTo('POST /api/memory/documents')[0]?.token).toBe('tok-123')
    expect(await screen.findByText('Uploaded Vendor policy: 4 chunks the panel can read.')).toBeInTheDocument()
    await waitFor(() => expect(screen.getAllByTestId('document-row')).toHaveLength(2))
  })

  it('searches what the panel would read', async () => {
    signIn(tenantUser)
    const api = mockApi({
      ...routes([], [], tenantUser),
      'GET /api/memory/search': jsonResponse([
        { document_id: 'd-1', title: 'Incident response policy', chunk_no: 2, heading: 'Reporting', page: 3, content: 'Report within 4 hours.', rank: 0.9 },
      ]),
    })
    const user = userEvent.setup()
    renderApp('/memory')
    await user.type(await screen.findByLabelText('What would the panel read?'), 'reporting deadline')
    await user.click(screen.getByRole('button', { name: 'Search' }))
    const hit = await screen.findByTestId('search-hit')
    expect(hit).toHaveTextContent('Incident response policy · Reporting · page 3 · chunk #2')
    expect(hit).toHaveTextContent('Report within 4 hours.')
    expect(api.callsTo('GET /api/memory/search')[0]?.path).toBe('/api/memory/search?q=reporting%20deadline&limit=5')
  })

  it('is read-only for a tenant user', async () => {
    signIn(tenantUser)
    mockApi(routes([fact()], [memoryDocument()], tenantUser))
    const user = userEvent.setup()
    renderApp('/memory')
    expect(await screen.findByTestId('fact-row')).toBeInTheDocument()
    expect(screen.queryByRole('form', { name: 'Add fact' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /^Edit / })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /^Delete / })).not.toBeInTheDocument()
    await user.click(screen.getByRole('tab', { name: 'Documents' }))
    const row = await screen.findByTestId('document-row')
    expect(within(row).getByRole('button', { name: 'Download ir-policy.pdf' })).toBeInTheDocument()
    expect(within(row).queryByRole('button', { name: /^Delete / })).not.toBeInTheDocument()
    expect(screen.queryByRole('form', { name: 'Upload a document' })).not.toBeInTheDocument()
  })

  it('shows the fact an ended panel session was remembered as', async () => {
    signIn(tenantUser)
    mockApi({
      ...routes([], [], tenantUser),
      'GET /api/memory/facts/f-9': jsonResponse(fact({ id: 'f-9', key: 'panel.2026-11-20.ab12', origin: 'panel_session', panel_session_id: 'ps-1' })),
    })
    renderApp('/memory?fact=f-9')
    const card = await screen.findByTestId('remembered-fact')
    expect(card).toHaveTextContent('panel.2026-11-20.ab12')
    expect(within(card).getByRole('link', { name: 'Open the panel session' })).toHaveAttribute('href', '/panel/ps-1')
  })
})
