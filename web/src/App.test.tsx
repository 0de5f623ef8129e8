import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { authResponse, dashboard, jsonResponse, kri, me, problem } from './test/fixtures'
import { mockApi } from './test/mockApi'
import { renderApp } from './test/render'

function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('App start-up', () => {
  it('shows a neutral loading state while the refresh is in flight, then the dashboard (200)', async () => {
    const refresh = deferred<Response>()
    mockApi({
      'POST /api/auth/refresh': () => refresh.promise,
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard([kri({ id: 'a' })])),
    })
    renderApp('/')
    expect(screen.getByRole('status')).toHaveTextContent('Loading')
    expect(screen.queryByRole('button', { name: 'Sign in' })).not.toBeInTheDocument()
    expect(screen.queryByLabelText('Email')).not.toBeInTheDocument()

    refresh.resolve(jsonResponse(authResponse()))
    expect(await screen.findAllByTestId('kri-tile')).toHaveLength(1)
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/)
  })

  it('goes to /login when the refresh answers 401', async () => {
    const api = mockApi({
      'POST /api/auth/refresh': problem(401, 'No session to refresh; sign in.'),
      'GET /api/auth/needs-setup': jsonResponse({ needs_setup: false }),
    })
    renderApp('/tenant/users')
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(screen.getByTestId('location')).toHaveTextContent('/login')
    expect(api.callsTo('POST /api/auth/refresh')).toHaveLength(1)
    expect(api.callsTo('GET /api/tenant/users')).toHaveLength(0)
  })

  it('restores a session whose MFA is pending onto the MFA page', async () => {
    mockApi({
      'POST /api/auth/refresh': jsonResponse(authResponse({ mfa: { required: true, enrolled: true, verified: false } })),
    })
    renderApp('/tenant/users')
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/mfa/verify'))
  })
})
