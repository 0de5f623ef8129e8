import { useId, useRef, useState, type FormEvent } from 'react'
import { ProblemError } from '../api'
import type { Schema } from '../api/client'
import { authedFetch } from '../session'
import { attachmentName, saveBlob } from './ExportCsvButton'
import { primaryButton, secondaryButton } from './form'
import { asProblem } from './ProblemAlert'

/** One refused cell, row or sheet of an import (the API's `errors`). */
export interface ImportRowError {
  sheet: string | null
  row: number | null
  column: string | null
  message: string
}

/** From the OpenAPI document (`ImportResult`): counts by kind, and the links written. */
export type ImportSummary = Schema<'ImportResult'>

/** The row errors of a refused import, whatever else the problem carried. */
export function importErrors(err: ProblemError): ImportRowError[] {
  const raw = err.body.errors
  if (!Array.isArray(raw)) return []
  return raw.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return []
    const r = e as Record<string, unknown>
    return [
      {
        sheet: typeof r.sheet === 'string' ? r.sheet : null,
        row: typeof r.row === 'number' ? r.row : null,
        column: typeof r.column === 'string' ? r.column : null,
        message: typeof r.message === 'string' ? r.message : '',
      },
    ]
  })
}

/** "3 created, 2 updated, 30 unchanged, 4 links": what an import did, in one line. */
export function summaryText(s: ImportSummary): string {
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)
  return `${total(s.created)} created, ${total(s.updated)} updated, ${total(s.unchanged)} unchanged, ${s.links} links set`
}

/** Export the whole risk model (Excel or CSV in a ZIP) and, for writers, import an edited one. */
export function ModelTransfer({ canWrite, onImported }: { canWrite: boolean; onImported: () => Promise<unknown> }) {
  const fileId = useId()
  const fileInput = useRef<HTMLInputElement>(null)
  const [busy, setBusy] = useState<'export' | 'import' | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const [failure, setFailure] = useState<{ detail: string; rows: ImportRowError[] } | null>(null)

  async function exportAs(format: 'xlsx' | 'csv') {
    setBusy('export')
    setFailure(null)
    setMessage(null)
    try {
      const res = await authedFetch(`/api/model/export?format=${format}`)
      saveBlob(await res.blob(), attachmentName(res, format === 'xlsx' ? 'risk-model.xlsx' : 'risk-model-csv.zip'))
    } catch (err) {
      setFailure({ detail: asProblem(err).detail, rows: [] })
    } finally {
      setBusy(null)
    }
  }

  async function onImport(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const file = fileInput.current?.files?.[0]
    if (!file) {
      setFailure({ detail: 'Choose an .xlsx file or a .zip of CSVs to import.', rows: [] })
      return
    }
    setBusy('import')
    setFailure(null)
    setMessage(null)
    const form = new FormData()
    form.append('file', file)
    try {
      const res = await authedFetch('/api/model/import', { method: 'POST', body: form })
      const summary = (await res.json()) as ImportSummary
      setMessage(`Imported ${file.name}: ${summaryText(summary)}.`)
      if (fileInput.current) fileInput.current.value = ''
      await onImported()
    } catch (err) {
      const problem = asProblem(err)
      setFailure({ detail: problem.detail, rows: importErrors(problem) })
    } finally {
      setBusy(null)
    }
  }

  return (
    <section aria-labelledby={`${fileId}-title`} className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="model-transfer">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id={`${fileId}-title`} className="text-base font-semibold text-slate-900">
          Import and export
        </h2>
        <div className="flex flex-wrap gap-2">
          <button type="button" className={secondaryButton} disabled={busy !== null} onClick={() => void exportAs('xlsx')}>
            Export Excel
          </button>
          <button type="button" className={secondaryButton} disabled={busy !== null} onClick={() => void exportAs('csv')}>
            Export CSV (ZIP)
          </button>
        </div>
      </div>
      {canWrite && (
        <form onSubmit={(e) => void onImport(e)} className="flex flex-wrap items-end gap-3" aria-label="Import the risk model">
          <div className="space-y-1">
            <label htmlFor={fileId} className="block text-sm font-medium text-slate-700">
              Edited export (.xlsx or .zip)
            </label>
            <input
              id={fileId}
              ref={fileInput}
              type="file"
              accept=".xlsx,.zip,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/zip"
              className="block text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700"
            />
          </div>
          <button type="submit" className={primaryButton} disabled={busy !== null}>
            {busy === 'import' ? 'Importing…' : 'Import'}
          </button>
          <p className="w-full text-xs text-slate-600">
            Rows are matched by slug; an import is all or nothing — a single bad row changes nothing.
          </p>
        </form>
      )}
      {message && (
        <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          {message}
        </p>
      )}
      {failure && (
        <div role="alert" className="space-y-2 rounded-md border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900">
          <p className="font-semibold">{failure.detail}</p>
          {failure.rows.length > 0 && (
            <div className="overflow-x-auto">
              <table className="min-w-full text-left text-sm" data-testid="import-errors">
                <thead>
                  <tr>
                    <th scope="col" className="pr-4 font-semibold">Sheet</th>
                    <th scope="col" className="pr-4 font-semibold">Row</th>
                    <th scope="col" className="pr-4 font-semibold">Column</th>
                    <th scope="col" className="font-semibold">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {failure.rows.map((r, i) => (
                    <tr key={i} data-testid="import-error">
                      <td className="pr-4">{r.sheet ?? '—'}</td>
                      <td className="pr-4 tabular-nums">{r.row ?? '—'}</td>
                      <td className="pr-4">{r.column ?? '—'}</td>
                      <td>{r.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  )
}
