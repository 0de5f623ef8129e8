import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { describe, expect, it, vi } from 'vitest'
import { App, makeQueryClient } from '../App'
import { SESSION_KEY } from '../session'
import { dashboard, jsonResponse, kri, loginResponse } from '../test/fixtures'

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App queryClient={makeQueryClient()} />
    </MemoryRouter>,
  )
}

describe('LoginPage', () => {
  it('shows the problem detail from a failed login', async () => {
    const fetchMock = vi.fn(async () =>
      jsonResponse(
        { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Invalid email or password' },
        401,
        'application/problem+json',
      ),
    )
    vi.stubGlobal('fetch', fetchMock)
    const user = userEvent.setup()
    renderAt('/login')

    await user.type(screen.getByLabelText('Email'), 'ada@acme.test')
    await user.type(screen.getByLabelText('Password'), 'wrong')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))

    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password')
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/auth/login')
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body as string)).toEqual({ email: 'ada@acme.test', password: 'wrong' })
    expect(window.sessionStorage.getItem(SESSION_KEY)).toBeNull()
  })

  it('signs in, stores the session and shows the dashboard', async () => {
    const fetchMock = vi.fn(async (url: string) => {
      if (url === '/api/auth/login') return jsonResponse(loginResponse)
      if (url === '/api/dashboard')
        return jsonResponse(
          dashboard([
            kri({ id: 'a', name: 'MFA adoption', status: 'green' }),
            kri({ id: 'b', name: 'Patch latency', status: 'red', value: 41, unit: 'days' }),
            kri({ id: 'c', name: 'Backups', status: 'stale' }),
          ]),
        )
      return jsonResponse({ status: 404, title: 'Not Found', detail: 'nope' }, 404)
    })
    vi.stubGlobal('fetch', fetchMock)
    const user = userEvent.setup()
    renderAt('/login')

    await user.type(screen.getByLabelText('Email'), 'ada@acme.test')
    await user.type(screen.getByLabelText('Password'), 'correct horse')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))

    const tiles = await screen.findAllByTestId('kri-tile')
    expect(tiles.map((t) => t.getAttribute('data-status'))).toEqual(['red', 'stale', 'green'])
    expect(screen.getByTestId('tenant-name')).toHaveTextContent('Acme Health')
    expect(screen.getByTestId('user-name')).toHaveTextContent('Ada Lovelace')
    expect(screen.getByTestId('user-role')).toHaveTextContent('Tenant admin')

    const stored = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) ?? 'null')
    expect(stored.token).toBe('tok-123')
    expect(stored.user.email).toBe('ada@acme.test')

    const dashCall = fetchMock.mock.calls.find(([u]) => u === '/api/dashboard') as unknown as [string, RequestInit]
    expect((dashCall[1].headers as Record<string, string>).Authorization).toBe('Bearer tok-123')

    await user.click(screen.getByRole('button', { name: 'Sign out' }))
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
    expect(window.sessionStorage.getItem(SESSION_KEY)).toBeNull()
  })
})
