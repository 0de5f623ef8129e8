import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { getSession } from '../session'
import { authResponse, jsonResponse, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const superadmin = {
  id: 'u-0',
  email: 'root@draxis.test',
  display_name: 'Root',
  role: 'superadmin' as const,
  org_id: null,
  tenant_id: null,
  tenant_name: null,
  carrier_id: null,
}

const firstRun = {
  'POST /api/auth/refresh': problem(401, 'No session'),
  'GET /api/auth/needs-setup': jsonResponse({ needs_setup: true }),
}

async function fill(password: string, confirmation: string) {
  const user = userEvent.setup()
  await user.type(await screen.findByLabelText('Work email'), 'root@draxis.test')
  await user.type(screen.getByLabelText('Display name'), 'Root')
  await user.type(screen.getByLabelText('Password'), password)
  await user.type(screen.getByLabelText('Confirm password'), confirmation)
  await user.click(screen.getByRole('button', { name: 'Create account' }))
  return user
}

describe('SetupPage', () => {
  it('refuses a short password without calling the server', async () => {
    const api = mockApi(firstRun)
    renderApp('/setup')
    await fill('short', 'short')
    expect(await screen.findByRole('alert')).toHaveTextContent('at least 12 characters')
    expect(api.callsTo('POST /api/auth/setup')).toHaveLength(0)
  })

  it('refuses mismatched passwords', async () => {
    const api = mockApi(firstRun)
    renderApp('/setup')
    await fill('a long enough password', 'a different password!')
    expect(await screen.findByRole('alert')).toHaveTextContent('The passwords do not match.')
    expect(api.callsTo('POST /api/auth/setup')).toHaveLength(0)
  })

  it('shows the server 422 with its field errors', async () => {
    mockApi({
      ...firstRun,
      'POST /api/auth/setup': problem(422, 'The password is too common.', {
        errors: [{ location: 'body.password', message: 'is too common' }],
      }),
    })
    renderApp('/setup')
    await fill('password1234', 'password1234')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('The password is too common.')
    expect(alert).toHaveTextContent('password: is too common')
  })

  it('shows a 409 with a way to sign in', async () => {
    mockApi({ ...firstRun, 'POST /api/auth/setup': problem(409, 'Draxis is already set up; sign in instead.') })
    renderApp('/setup')
    await fill('a long enough password', 'a long enough password')
    expect(await screen.findByRole('alert')).toHaveTextContent('already set up')
    expect(screen.getByRole('link', { name: 'Go to sign in' })).toHaveAttribute('href', '/login')
  })

  it('signs the new superadmin in and lands on /platform', async () => {
    const api = mockApi({
      ...firstRun,
      'POST /api/auth/setup': jsonResponse(authResponse({ user: superadmin }), 201),
      'GET /api/me': jsonResponse(me(superadmin)),
      'GET /api/platform/orgs': jsonResponse([]),
      'GET /api/platform/audit': jsonResponse([]),
    })
    renderApp('/setup')
    await fill('a long enough password', 'a long enough password')
    expect(await screen.findByRole('heading', { name: 'Platform', level: 1 })).toBeInTheDocument()
    expect(screen.getByTestId('location')).toHaveTextContent('/platform')
    expect(api.callsTo('POST /api/auth/setup')[0]?.body).toEqual({
      email: 'root@draxis.test',
      display_name: 'Root',
      password: 'a long enough password',
    })
    expect(getSession()?.user.role).toBe('superadmin')
  })

  it('sends /setup back to /login once set up', async () => {
    mockApi({ ...firstRun, 'GET /api/auth/needs-setup': jsonResponse({ needs_setup: false }) })
    renderApp('/setup')
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
  })
})
