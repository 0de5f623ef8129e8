import { useMemo, useState, type ReactNode } from 'react'
import type { ProblemError } from '../api'
import { ExportCsvButton, type ExportTable } from './ExportCsvButton'
import { dangerButton, secondaryButton } from './form'
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
  /** Makes the column sortable by this value (nulls last, whichever the direction). */
  sortValue?: (row: T) => string | number | boolean | null | undefined
}

export type SortState = { header: string; direction: 'ascending' | 'descending' } | null

/** `rows` ordered by `column`'s sort value; stable, nulls last, text by locale (numeric-aware). */
export function sortRows<T>(rows: readonly T[], column: Column<T> | undefined, direction: 'ascending' | 'descending'): T[] {
  const value = column?.sortValue
  if (!value) return [...rows]
  const sign = direction === 'ascending' ? 1 : -1
  return rows
    .map((row, index) => {
      const raw = value(row)
      return { row, index, key: typeof raw === 'boolean' ? Number(raw) : raw }
    })
    .sort((a, b) => {
      const an = a.key === null || a.key === undefined || a.key === ''
      const bn = b.key === null || b.key === undefined || b.key === ''
      if (an || bn) return an === bn ? a.index - b.index : an ? 1 : -1
      const order =
        typeof a.key === 'number' && typeof b.key === 'number'
          ? a.key - b.key
          : String(a.key).localeCompare(String(b.key), undefined, { numeric: true, sensitivity: 'base' })
      return order === 0 ? a.index - b.index : sign * order
    })
    .map((entry) => entry.row)
}

/** An action on the selected rows (e.g. "Delete selected"); the selection clears once it resolves. */
export interface BulkAction<T> {
  label: string
  run: (rows: T[]) => Promise<unknown> | void
  danger?: boolean
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
  /** Offers "Export CSV" of this table from the API (`GET /api/exports/{table}.csv`). */
  exportTable?: ExportTable
  /** Adds a checkbox per row and these actions on the selected rows. */
  bulkActions?: readonly BulkAction<T>[]
  /** How a row is named to screen readers on its checkbox ("Select Ransomware"). */
  rowLabel?: (row: T) => string
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
  exportTable,
  bulkActions,
  rowLabel,
}: DataTableProps<T>) {
  const [sort, setSort] = useState<SortState>(null)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const shown = columns.filter((c): c is Column<T> => Boolean(c))
  const sortColumn = sort ? shown.find((c) => c.header === sort.header) : undefined
  const ordered = useMemo(
    () => (sort ? sortRows(rows, sortColumn, sort.direction) : rows),
    [rows, sort, sortColumn],
  )
  const exportButton = exportTable && <ExportCsvButton table={exportTable} />
  // Only rows still shown count as selected (a page change or a delete drops the rest).
  const chosen = rows.filter((r) => selected.has(r.id))
  const selectable = (bulkActions?.length ?? 0) > 0
  if (rows.length === 0) return <p className="text-sm text-slate-600">{empty}</p>

  function toggle(header: string) {
    setSort((current) =>
      current?.header === header && current.direction === 'ascending'
        ? { header, direction: 'descending' }
        : { header, direction: 'ascending' },
    )
  }

  return (
    <div className="space-y-3">
      {selectable && chosen.length > 0 && (
        <div role="toolbar" aria-label="Selected rows" className="flex flex-wrap items-center gap-2 rounded-md bg-slate-100 px-3 py-2 text-sm">
          <span className="font-medium text-slate-900">{chosen.length} selected</span>
          {bulkActions?.map((action) => (
            <button
              key={action.label}
              type="button"
              className={action.danger ? dangerButton : secondaryButton}
              onClick={() => {
                const done = action.run(chosen)
                void Promise.resolve(done).then(() => setSelected(new Set()))
              }}
            >
              {action.label}
            </button>
          ))}
          <button type="button" className={secondaryButton} onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      {(above || exportButton) && (
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 flex-1">{above}</div>
          {exportButton}
        </div>
      )}
      {/* Wide tables scroll inside their card instead of widening the page. */}
      <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Table (scrolls sideways on narrow screens)">
        <table className={tableClass}>
          <thead>
            <tr>
              {selectable && (
                <th scope="col" className={`${thClass} w-8`}>
                  <input
                    type="checkbox"
                    aria-label="Select all rows"
                    checked={chosen.length === rows.length}
                    onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())}
                  />
                </th>
              )}
              {shown.map((c) => {
                const direction = sort?.header === c.header ? sort.direction : undefined
                return (
                  <th key={c.header} scope="col" className={thClass} aria-sort={c.sortValue ? (direction ?? 'none') : undefined}>
                    {c.hideHeader ? (
                      <span className="sr-only">{c.header}</span>
                    ) : c.sortValue ? (
                      <button
                        type="button"
                        onClick={() => toggle(c.header)}
                        className="inline-flex items-center gap-1 uppercase hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600"
                      >
                        {c.header}
                        <span aria-hidden="true">{direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}</span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                )
              })}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {ordered.map((row) => (
              <tr key={row.id} data-testid={rowTestId} {...rowAttributes?.(row)}>
                {selectable && (
                  <td className={tdClass}>
                    <input
                      type="checkbox"
                      aria-label={`Select ${rowLabel ? rowLabel(row) : 'row'}`}
                      checked={selected.has(row.id)}
                      onChange={(e) =>
                        setSelected((prev) => {
                          const next = new Set(prev)
                          if (e.target.checked) next.add(row.id)
                          else next.delete(row.id)
                          return next
                        })
                      }
                    />
                  </td>
                )}
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
