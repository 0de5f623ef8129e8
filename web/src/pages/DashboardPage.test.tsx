import { render, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it, vi } from 'vitest'
import { App, makeQueryClient } from '../App'
import { SESSION_KEY, sessionFromLogin, setSession } from '../session'
import { jsonResponse, loginResponse } from '../test/fixtures'

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App queryClient={makeQueryClient()} />
    </MemoryRouter>,
  )
}

describe('Dashboard routing', () => {
  it('redirects to /login without a session', async () => {
    vi.stubGlobal('fetch', vi.fn())
    renderAt('/')
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(fetch).not.toHaveBeenCalled()
  })

  it('clears the session and goes to /login on a 401', async () => {
    setSession(sessionFromLogin(loginResponse))
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse({ title: 'Unauthorized', status: 401, detail: 'Token expired' }, 401, 'application/problem+json'),
      ),
    )
    renderAt('/')
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(window.sessionStorage.getItem(SESSION_KEY)).toBeNull()
  })

  it('shows the problem detail when the dashboard fails', async () => {
    setSession(sessionFromLogin(loginResponse))
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse({ title: 'Forbidden', status: 403, detail: 'Tenant is suspended' }, 403, 'application/problem+json'),
      ),
    )
    renderAt('/')
    expect(await screen.findByRole('alert')).toHaveTextContent('Tenant is suspended')
  })

  it('renders a 404 page for unknown paths', () => {
    renderAt('/nope')
    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeInTheDocument()
  })
})
