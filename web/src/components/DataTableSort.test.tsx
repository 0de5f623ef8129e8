import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { DataTable, sortRows, type Column } from './DataTable'

interface Row {
  id: string
  name: string
  score: number | null
}

const rows: Row[] = [
  { id: '1', name: 'beta', score: 2 },
  { id: '2', name: 'Alpha', score: null },
  { id: '3', name: 'gamma 10', score: 10 },
  { id: '4', name: 'gamma 9', score: 1 },
]
const name: Column<Row> = { header: 'Name', sortValue: (r) => r.name, cell: (r) => r.name }
const score: Column<Row> = { header: 'Score', sortValue: (r) => r.score, cell: (r) => r.score ?? '—' }

describe('sortRows', () => {
  it('orders text case-insensitively and numerically, nulls last both ways', () => {
    expect(sortRows(rows, name, 'ascending').map((r) => r.name)).toEqual(['Alpha', 'beta', 'gamma 9', 'gamma 10'])
    expect(sortRows(rows, score, 'ascending').map((r) => r.score)).toEqual([1, 2, 10, null])
    expect(sortRows(rows, score, 'descending').map((r) => r.score)).toEqual([10, 2, 1, null])
  })
})

describe('DataTable sorting and export', () => {
  it('sorts by a header click, toggles the direction and says so to screen readers', async () => {
    const user = userEvent.setup()
    render(<DataTable rows={rows} rowTestId="row" empty="none" columns={[name, score]} />)
    const header = screen.getByRole('columnheader', { name: /Score/ })
    expect(header).toHaveAttribute('aria-sort', 'none')
    await user.click(within(header).getByRole('button'))
    expect(header).toHaveAttribute('aria-sort', 'ascending')
    const first = () => within(screen.getAllByTestId('row')[0] as HTMLElement).getAllByRole('cell')[1]?.textContent
    expect(first()).toBe('1')
    await user.click(within(header).getByRole('button'))
    expect(header).toHaveAttribute('aria-sort', 'descending')
    expect(first()).toBe('10')
  })

  it('exports the whole table as CSV through the session', async () => {
    setSession(sessionFromAuth(authResponse({ access_token: 'tok' })))
    const api = mockApi({
      'GET /api/exports/risks.csv': () =>
        new Response('id,title\n', { headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="risks-2026.csv"' } }),
    })
    const created: string[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => 'blob:x')
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      created.push(this.download)
    })
    const user = userEvent.setup()
    render(<DataTable rows={rows} rowTestId="row" empty="none" exportTable="risks" columns={[name]} />)
    await user.click(screen.getByRole('button', { name: 'Export CSV' }))
    await vi.waitFor(() => expect(click).toHaveBeenCalled())
    expect(created).toEqual(['risks-2026.csv'])
    expect(api.calls[0]?.token).toBe('tok')
  })
})
