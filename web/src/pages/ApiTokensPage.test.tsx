import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ApiToken, CreatedToken } from '../apiTokens'
import type { UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, noContent, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const FUTURE = '2999-01-01T00:00:00Z'
const mine: ApiToken = {
  id: 'tok-1',
  name: 'Nightly export',
  prefix: 'drx_pat_abcd',
  scope: 'read',
  owner_email: tenantAdmin.email,
  created_at: '2026-01-01T00:00:00Z',
  expires_at: FUTURE,
  last_used_at: null,
  revoked_at: null,
}
const colleagues: ApiToken = { ...mine, id: 'tok-2', name: 'Colleague bot', owner_email: 'bob@acme.test' }

describe('ApiTokensPage', () => {
  it('creates a token, reveals it once with MCP snippets, and lists it', async () => {
    setSession(sessionFromAuth(authResponse()))
    let list: ApiToken[] = []
    const created: CreatedToken = { ...mine, id: 'tok-3', name: 'Claude Desktop', scope: 'read_write', token: 'drx_pat_s3cret' }
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/me/tokens': () => jsonResponse(list),
      'GET /api/tenant/tokens': () => jsonResponse(list),
      'POST /api/me/tokens': () => {
        list = [created]
        return jsonResponse(created, 201)
      },
    })
    const user = userEvent.setup()
    renderApp('/settings/api-tokens')
    expect(await screen.findAllByText('No tokens yet.')).not.toHaveLength(0)
    await user.type(screen.getByLabelText('Name'), 'Claude Desktop')
    await user.selectOptions(screen.getByLabelText('Scope'), 'read_write')
    await user.click(screen.getByRole('button', { name: 'Create token' }))

    await waitFor(() => expect(api.callsTo('POST /api/me/tokens')).toHaveLength(1))
    expect(api.callsTo('POST /api/me/tokens')[0]?.body).toEqual({ name: 'Claude Desktop', scope: 'read_write', expires_in_days: 90 })
    const reveal = await screen.findByTestId('token-reveal')
    expect(within(reveal).getByTestId('token-value')).toHaveTextContent('drx_pat_s3cret')
    expect(within(reveal).getByTestId('claude-desktop')).toHaveTextContent('Bearer drx_pat_s3cret')
    expect(within(reveal).getByTestId('claude-code')).toHaveTextContent('claude mcp add --transport http draxis')
    expect(within(reveal).getByRole('button', { name: 'Copy token' })).toBeInTheDocument()
    expect(await screen.findAllByTestId('token-row')).toHaveLength(1)

    await user.click(within(reveal).getByRole('button', { name: 'I have stored it' }))
    expect(screen.queryByTestId('token-reveal')).not.toBeInTheDocument()
    expect(screen.queryByText('drx_pat_s3cret')).not.toBeInTheDocument()
  })

  it('revokes one of your tokens after confirmation', async () => {
    setSession(sessionFromAuth(authResponse()))
    let list = [mine]
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/me/tokens': () => jsonResponse(list),
      'GET /api/tenant/tokens': () => jsonResponse(list),
      'DELETE /api/me/tokens/tok-1': () => {
        list = [{ ...mine, revoked_at: '2026-02-01T00:00:00Z' }]
        return noContent()
      },
    })
    const user = userEvent.setup()
    renderApp('/settings/api-tokens')
    const [row] = await screen.findAllByTestId('token-row')
    if (!row) throw new Error('no token row')
    await user.click(within(row).getByRole('button', { name: 'Revoke' }))
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke token' }))
    await waitFor(() => expect(api.callsTo('DELETE /api/me/tokens/tok-1')).toHaveLength(1))
    await waitFor(() => expect(screen.getAllByTestId('token-row')[0]).toHaveAttribute('data-state', 'revoked'))
  })

  it("shows tenant admins their tenant's tokens, with owners, to revoke", async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/me/tokens': jsonResponse([mine]),
      'GET /api/tenant/tokens': jsonResponse([mine, colleagues]),
      'DELETE /api/tenant/tokens/tok-2': noContent(),
    })
    const user = userEvent.setup()
    renderApp('/settings/api-tokens')
    const rows = await screen.findAllByTestId('tenant-token-row')
    expect(rows).toHaveLength(2)
    const theirs = rows[1]
    if (!theirs) throw new Error('no second row')
    expect(theirs).toHaveTextContent('bob@acme.test')
    await user.click(within(theirs).getByRole('button', { name: 'Revoke' }))
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke token' }))
    await waitFor(() => expect(api.callsTo('DELETE /api/tenant/tokens/tok-2')).toHaveLength(1))
  })

  it("does not ask for the tenant's tokens without tenant_users:manage", async () => {
    const tenantUser: UserSummary = { ...tenantAdmin, id: 'u-2', role: 'tenant_user' }
    setSession(sessionFromAuth(authResponse({ user: tenantUser })))
    const api = mockApi({ 'GET /api/me': jsonResponse(me(tenantUser)), 'GET /api/me/tokens': jsonResponse([]) })
    renderApp('/settings/api-tokens')
    expect(await screen.findByText('No tokens yet.')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'API tokens' })).toHaveAttribute('href', '/settings/api-tokens')
    expect(api.callsTo('GET /api/tenant/tokens')).toHaveLength(0)
  })
})
