import { useState, type ReactNode } from 'react'
import type { ProblemError } from '../api'
import { asProblem } from './ProblemAlert'

const tableClass = 'min-w-full divide-y divide-slate-200 text-sm'
const thClass = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase'
const tdClass = 'px-3 py-2 align-middle text-slate-800'

export interface Column<T> {
  /** The header text (also the column's name for screen readers). */
  header: string
  /** Keep the header for screen readers only (an actions column). */
  hideHeader?: boolean
  /** Classes added to each of the column's cells. */
  className?: string
  cell: (row: T) => ReactNode
}

/** Attributes of a row's `<tr>` besides its key and test id. */
export type RowAttributes = { className?: string } & { [data: `data-${string}`]: string }

interface DataTableProps<T extends { id: string }> {
  /** `false`, `null` or `undefined` leaves a column out, so `cond && { … }` works. */
  columns: readonly (Column<T> | false | null | undefined)[]
  rows: readonly T[]
  /** Each row's `data-testid`. */
  rowTestId: string
  rowAttributes?: (row: T) => RowAttributes
  /** Shown instead of the table when there are no rows. */
  empty: string
  /** Above the table, e.g. the error of a row action. */
  above?: ReactNode
  /** Below the table, e.g. a confirmation dialog or "load more". */
  below?: ReactNode
}

/** A table with a header row, one row per item (keyed by `id`), or a line of text when empty. */
export function DataTable<T extends { id: string }>({
  columns,
  rows,
  rowTestId,
  rowAttributes,
  empty,
  above,
  below,
}: DataTableProps<T>) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">{empty}</p>
  const shown = columns.filter((c): c is Column<T> => Boolean(c))

  return (
    <div className="space-y-3">
      {above}
      <div className="overflow-x-auto">
        <table className={tableClass}>
          <thead>
            <tr>
              {shown.map((c) => (
                <th key={c.header} scope="col" className={thClass}>
                  {c.hideHeader ? <span className="sr-only">{c.header}</span> : c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((row) => (
              <tr key={row.id} data-testid={rowTestId} {...rowAttributes?.(row)}>
                {shown.map((c) => (
                  <td key={c.header} className={c.className ? `${tdClass} ${c.className}` : tdClass}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {below}
    </div>
  )
}

/**
 * An action on one row at a time: which row is busy, and the last action's error. `run` never
 * throws; a failure shows as `error`.
 */
export function useRowAction() {
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)

  async function run(row: { id: string }, action: () => Promise<unknown>): Promise<void> {
    setBusy(row.id)
    setError(null)
    try {
      await action()
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setBusy(null)
    }
  }

  return { busy, error, run }
}
