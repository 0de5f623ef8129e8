import { QueryClientProvider } from '@tanstack/react-query'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes, useLocation } from 'react-router'
import { describe, expect, it } from 'vitest'
import { makeQueryClient } from '../App'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { GlobalSearch, moveActive } from './GlobalSearch'

function Where() {
  return <output data-testid="location">{useLocation().pathname}</output>
}

function renderSearch() {
  setSession(sessionFromAuth(authResponse()))
  mockApi({
    'GET /api/search': jsonResponse([
      { kind: 'kri', id: 'k1', name: 'Patch latency' },
      { kind: 'risk', id: 'r1', name: 'Patch backlog' },
      { kind: 'source', id: 's1', name: 'Patch feed' },
    ]),
  })
  render(
    <MemoryRouter initialEntries={['/']}>
      <QueryClientProvider client={makeQueryClient()}>
        <Routes>
          <Route path="*" element={<GlobalSearch />} />
        </Routes>
        <Where />
      </QueryClientProvider>
    </MemoryRouter>,
  )
  return screen.getByRole('combobox', { name: 'Search everything' })
}

describe('global search keyboard', () => {
  it('moves and wraps the active option', () => {
    expect(moveActive(-1, 3, 'ArrowDown')).toBe(0)
    expect(moveActive(2, 3, 'ArrowDown')).toBe(0)
    expect(moveActive(0, 3, 'ArrowUp')).toBe(2)
    expect(moveActive(-1, 3, 'ArrowUp')).toBe(2)
    expect(moveActive(0, 0, 'ArrowDown')).toBe(-1)
  })

  it('arrows through the results with aria-activedescendant and Enter opens the active one', async () => {
    const user = userEvent.setup()
    const input = renderSearch()
    await user.type(input, 'patch')
    const options = await screen.findAllByRole('option')
    expect(options).toHaveLength(3)
    expect(screen.getByRole('listbox', { name: 'Search results' })).toBeInTheDocument()
    expect(input).toHaveAttribute('aria-expanded', 'true')
    expect(input).not.toHaveAttribute('aria-activedescendant')

    await user.keyboard('{ArrowDown}{ArrowDown}')
    expect(input).toHaveAttribute('aria-activedescendant', options[1]?.id)
    expect(options[1]).toHaveAttribute('aria-selected', 'true')
    expect(options[0]).toHaveAttribute('aria-selected', 'false')
    await user.keyboard('{ArrowUp}{ArrowUp}') // wraps to the last
    expect(input).toHaveAttribute('aria-activedescendant', options[2]?.id)
    expect(input).toHaveFocus()

    await user.keyboard('{ArrowUp}{Enter}')
    expect(screen.getByTestId('location')).toHaveTextContent('/risks/r1')
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument()
    expect(input).toHaveValue('')
  })

  it('Escape closes the list and Enter with nothing active opens nothing', async () => {
    const user = userEvent.setup()
    const input = renderSearch()
    await user.type(input, 'patch')
    await screen.findAllByRole('option')
    await user.keyboard('{Enter}')
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/)
    await user.keyboard('{ArrowDown}{Escape}')
    await waitFor(() => expect(screen.queryByRole('listbox')).not.toBeInTheDocument())
    expect(input).toHaveAttribute('aria-expanded', 'false')
    expect(input).not.toHaveAttribute('aria-activedescendant')
    // Arrows reopen it.
    await user.keyboard('{ArrowDown}')
    expect(await screen.findByRole('listbox')).toBeInTheDocument()
  })

  it('a click on an option opens it', async () => {
    const user = userEvent.setup()
    const input = renderSearch()
    await user.type(input, 'patch')
    await user.click((await screen.findAllByRole('option'))[0] as HTMLElement)
    expect(screen.getByTestId('location')).toHaveTextContent('/kris/k1')
  })
})
