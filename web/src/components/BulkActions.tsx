import { useRef, useState, type ReactNode } from 'react'
import type { ProblemError } from '../api'
import { ConfirmDialog } from './ConfirmDialog'
import type { BulkAction } from './DataTable'
import { asProblem, ProblemAlert } from './ProblemAlert'

/** One confirmed action on a table's selected rows (DataTable's bulk bar). */
export interface BulkSpec<T> {
  /** The bar's button: "Disable selected". */
  label: string
  /** The dialog's title for these rows: "Disable 3 users?". */
  title: (rows: T[]) => string
  confirmLabel: string
  /** What will happen, naming the rows. */
  describe: (rows: T[]) => ReactNode
  /** The API call: all rows or (on any refusal) none. */
  run: (rows: T[]) => Promise<unknown>
  danger?: boolean
  /** Rows the action skips (e.g. oneself); they are named in the dialog. */
  skip?: (row: T) => boolean
}

interface Pending<T> {
  spec: BulkSpec<T>
  rows: T[]
  skipped: T[]
  done: () => void
}

/**
 * Confirmed bulk actions for DataTable: `actions` go to its `bulkActions`, `dialog` and `alert`
 * next to it. Each action asks first; the selection clears only once the action succeeded (a
 * cancel or a refusal keeps it), and a refusal (the API names the row) shows in `alert`.
 */
export function useBulkActions<T extends { id: string }>(specs: readonly (BulkSpec<T> | false | null | undefined)[]) {
  const [pending, setPending] = useState<Pending<T> | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)
  const busyRef = useRef(false)

  const actions: BulkAction<T>[] = specs
    .filter((s): s is BulkSpec<T> => Boolean(s))
    .map((spec) => ({
      label: spec.label,
      danger: spec.danger,
      run: (selected: T[]) =>
        new Promise<void>((resolve) => {
          setError(null)
          const skipped = spec.skip ? selected.filter(spec.skip) : []
          setPending({ spec, rows: selected.filter((r) => !skipped.includes(r)), skipped, done: resolve })
        }),
    }))

  async function confirm() {
    if (!pending || busyRef.current) return
    busyRef.current = true
    setBusy(true)
    try {
      if (pending.rows.length > 0) await pending.spec.run(pending.rows)
      pending.done()
      setPending(null)
    } catch (err) {
      setError(asProblem(err))
      setPending(null)
    } finally {
      busyRef.current = false
      setBusy(false)
    }
  }

  const dialog = pending && (
    <ConfirmDialog
      title={pending.spec.title(pending.rows)}
      confirmLabel={pending.spec.confirmLabel}
      pending={busy || pending.rows.length === 0}
      onConfirm={() => void confirm()}
      onCancel={() => setPending(null)}
    >
      {pending.rows.length > 0 ? <p>{pending.spec.describe(pending.rows)} All of them, or none.</p> : <p>Nothing selected can take this action.</p>}
      {pending.skipped.length > 0 && <p className="mt-2 text-slate-600">Left out: {pending.skipped.length} selected row(s) this action does not apply to.</p>}
    </ConfirmDialog>
  )
  const alert = error && <ProblemAlert error={error} />
  return { actions, dialog, alert }
}
