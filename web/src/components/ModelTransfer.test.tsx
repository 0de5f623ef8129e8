import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { ModelTransfer } from './ModelTransfer'

function file() {
  return new File(['PK'], 'model.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
}

describe('ModelTransfer', () => {
  it('imports an edited export and says what changed', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'POST /api/model/import': jsonResponse({
        created: { risks: 1 },
        updated: { kris: 2 },
        unchanged: { kris: 30, risks: 4 },
        deleted: {},
        links: 5,
      }),
    })
    const onImported = vi.fn(async () => undefined)
    const user = userEvent.setup()
    render(<ModelTransfer canWrite onImported={onImported} />)
    await user.upload(screen.getByLabelText(/Edited export/), file())
    await user.click(screen.getByRole('button', { name: 'Import' }))
    expect(await screen.findByRole('status')).toHaveTextContent('Imported model.xlsx: 1 created, 2 updated, 34 unchanged, 5 links set.')
    expect(onImported).toHaveBeenCalledOnce()
    expect(api.callsTo('POST /api/model/import')).toHaveLength(1)
  })

  it('shows every refused row of a 422 and changes nothing', async () => {
    setSession(sessionFromAuth(authResponse()))
    mockApi({
      'POST /api/model/import': problem(422, 'The file has 2 errors; nothing was imported.', {
        errors: [
          { sheet: 'kris', row: 3, column: 'warn', message: 'must be a number' },
          { sheet: 'risks', row: null, column: null, message: 'missing column: title' },
        ],
      }),
    })
    const onImported = vi.fn(async () => undefined)
    const user = userEvent.setup()
    render(<ModelTransfer canWrite onImported={onImported} />)
    await user.upload(screen.getByLabelText(/Edited export/), file())
    await user.click(screen.getByRole('button', { name: 'Import' }))
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('nothing was imported')
    const rows = within(alert).getAllByTestId('import-error')
    expect(rows.map((r) => r.textContent)).toEqual(['kris3warnmust be a number', 'risks——missing column: title'])
    expect(onImported).not.toHaveBeenCalled()
  })

  it('offers export only to readers', () => {
    render(<ModelTransfer canWrite={false} onImported={async () => undefined} />)
    expect(screen.getByRole('button', { name: 'Export Excel' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Import' })).toBeNull()
  })
})
