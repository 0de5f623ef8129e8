import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { AuditEntry, OrgOut, UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const superadmin: UserSummary = {
  id: 'u-0',
  email: 'root@draxis.test',
  display_name: 'Root',
  role: 'superadmin',
  org_id: null,
  tenant_id: null,
  tenant_name: null,
  carrier_id: null,
}
const orgs: OrgOut[] = [
  { id: 'o-1', slug: 'partner', name: 'Partner Co', kind: 'partner', created_at: '2025-01-01T00:00:00Z', disabled_at: null, tenant_count: 3 },
]
const audit: AuditEntry[] = [
  {
    id: 'a-1',
    at: '2025-01-02T10:00:00Z',
    actor_user_id: '11111111-2222-3333-4444-555555555555',
    impersonator_user_id: null,
    scope: 'platform',
    action: 'org.create',
    target_type: 'organization',
    target_id: 'o-1',
    request_id: null,
    ip: null,
    detail: {},
  },
]

describe('PlatformPage', () => {
  it('lists organizations and the audit log, creates and disables organizations', async () => {
    setSession(sessionFromAuth(authResponse({ user: superadmin })))
    const api = mockApi({
      'GET /api/me': jsonResponse(me(superadmin)),
      'GET /api/platform/orgs': jsonResponse(orgs),
      'GET /api/platform/audit': jsonResponse(audit),
      'PATCH /api/platform/orgs/o-1': jsonResponse({ ...orgs[0], disabled_at: '2025-03-01T00:00:00Z' }),
      'POST /api/platform/orgs': problem(422, 'Invalid request: body.slug: String should match pattern', {
        errors: [{ location: 'body.slug', message: 'String should match pattern' }],
      }),
    })
    const user = userEvent.setup()
    renderApp('/')
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/platform'))

    const [row] = await screen.findAllByTestId('org-row')
    expect(row).toHaveTextContent('partner')
    expect(within(row as HTMLElement).getByRole('link', { name: 'Partner Co' })).toHaveAttribute('href', '/orgs/o-1')
    expect(await screen.findAllByTestId('audit-row')).toHaveLength(1)
    expect(screen.getByTestId('audit-row')).toHaveTextContent('org.create')
    expect(api.callsTo('GET /api/platform/audit')[0]?.path).toBe('/api/platform/audit?limit=50')

    await user.click(within(row as HTMLElement).getByRole('button', { name: 'Disable' }))
    await waitFor(() => expect(api.callsTo('PATCH /api/platform/orgs/o-1')[0]?.body).toEqual({ disabled: true }))
    expect(await within(screen.getByTestId('org-row')).findByRole('button', { name: 'Enable' })).toBeInTheDocument()

    await user.type(screen.getByLabelText('Slug'), 'Bad Slug')
    await user.type(screen.getByLabelText('Name'), 'Bad')
    await user.selectOptions(screen.getByLabelText('Kind'), 'partner')
    await user.click(screen.getByRole('button', { name: 'Create organization' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('slug: String should match pattern')
    expect(api.callsTo('POST /api/platform/orgs')[0]?.body).toEqual({ slug: 'Bad Slug', name: 'Bad', kind: 'partner' })
  })
})
