import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { ProblemError } from '../api'
import { DataTable, useRowAction, type Column } from './DataTable'

interface Fruit {
  id: string
  name: string
  ripe: boolean
}

const fruits: Fruit[] = [
  { id: 'f-1', name: 'Apple', ripe: true },
  { id: 'f-2', name: 'Pear', ripe: false },
]
const name: Column<Fruit> = { header: 'Name', className: 'font-medium', cell: (f) => f.name }

describe('DataTable', () => {
  it('renders a header row and one row per item, with test id, attributes and cell classes', () => {
    render(
      <DataTable
        rows={fruits}
        rowTestId="fruit-row"
        rowAttributes={(f) => ({ 'data-fruit-id': f.id, className: f.ripe ? '' : 'text-slate-500' })}
        empty="No fruit."
        above={<p>Above</p>}
        below={<p>Below</p>}
        columns={[
          name,
          false,
          { header: 'Ripe', cell: (f) => (f.ripe ? 'Yes' : 'No') },
          { header: 'Actions', hideHeader: true, cell: (f) => <button type="button">Eat {f.name}</button> },
        ]}
      />,
    )
    const headers = screen.getAllByRole('columnheader')
    expect(headers.map((h) => h.textContent)).toEqual(['Name', 'Ripe', 'Actions'])
    expect(headers.every((h) => h.getAttribute('scope') === 'col')).toBe(true)
    expect(within(headers[2] as HTMLElement).getByText('Actions')).toHaveClass('sr-only')

    const rows = screen.getAllByTestId('fruit-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toHaveAttribute('data-fruit-id', 'f-1')
    expect(rows[1]).toHaveClass('text-slate-500')
    const cells = within(rows[0] as HTMLElement).getAllByRole('cell')
    expect(cells.map((c) => c.textContent)).toEqual(['Apple', 'Yes', 'Eat Apple'])
    expect(cells[0]).toHaveClass('px-3', 'font-medium')
    expect(cells[1]?.className).toBe('px-3 py-2 align-middle text-slate-800')

    expect(screen.getByText('Above').compareDocumentPosition(screen.getByRole('table'))).toBe(Node.DOCUMENT_POSITION_FOLLOWING)
    expect(screen.getByText('Below').compareDocumentPosition(screen.getByRole('table'))).toBe(Node.DOCUMENT_POSITION_PRECEDING)
  })

  it('shows only the empty message when there are no rows', () => {
    render(
      <DataTable rows={[]} rowTestId="fruit-row" empty="No fruit." above={<p>Above</p>} below={<p>Below</p>} columns={[name]} />,
    )
    expect(screen.getByText('No fruit.')).toBeInTheDocument()
    expect(screen.queryByRole('table')).not.toBeInTheDocument()
    expect(screen.queryByText('Above')).not.toBeInTheDocument()
    expect(screen.queryByText('Below')).not.toBeInTheDocument()
  })
})

function ActionHarness({ action }: { action: () => Promise<unknown> }) {
  const { busy, error, run } = useRowAction()
  return (
    <div>
      <button type="button" disabled={busy === 'f-1'} onClick={() => void run(fruits[0] as Fruit, action)}>
        Go
      </button>
      {error && <p role="alert">{error.detail}</p>}
    </div>
  )
}

describe('useRowAction', () => {
  it('marks the row busy while the action runs', async () => {
    let finish: () => void = () => {}
    const user = userEvent.setup()
    render(<ActionHarness action={() => new Promise<void>((resolve) => (finish = resolve))} />)
    await user.click(screen.getByRole('button', { name: 'Go' }))
    expect(screen.getByRole('button', { name: 'Go' })).toBeDisabled()
    finish()
    await waitFor(() => expect(screen.getByRole('button', { name: 'Go' })).toBeEnabled())
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('shows a failure as a problem and clears it on the next run', async () => {
    let fail = true
    const user = userEvent.setup()
    render(
      <ActionHarness
        action={async () => {
          if (fail) throw new ProblemError({ status: 409, title: 'Conflict', detail: 'Not now.' })
        }}
      />,
    )
    await user.click(screen.getByRole('button', { name: 'Go' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Not now.')
    expect(screen.getByRole('button', { name: 'Go' })).toBeEnabled()
    fail = false
    await user.click(screen.getByRole('button', { name: 'Go' }))
    await waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument())
  })
})
