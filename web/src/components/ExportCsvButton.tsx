import { useState } from 'react'
import { authedFetch } from '../session'
import { secondaryButton } from './form'
import { asProblem } from './ProblemAlert'

/** The tables the API exports as CSV (`GET /api/exports/{table}.csv`, api/routes/exports.py). */
export type ExportTable = 'risks' | 'kris' | 'controls' | 'outcomes' | 'vendors' | 'sources' | 'users' | 'audit-log' | 'tasks'

/** Saves a fetched file under `name` through a temporary object URL. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/** The file name the server gave (Content-Disposition), else `fallback`. */
export function attachmentName(res: Response, fallback: string): string {
  const header = res.headers.get('Content-Disposition') ?? ''
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header)
  return match?.[1] ? decodeURIComponent(match[1]) : fallback
}

/** "Export CSV": downloads the whole table (not only the rows on screen) as the API exports it. */
export function ExportCsvButton({ table }: { table: ExportTable }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function download() {
    setBusy(true)
    setError(null)
    try {
      const res = await authedFetch(`/api/exports/${table}.csv`, { headers: { Accept: 'text/csv, application/problem+json' } })
      saveBlob(await res.blob(), attachmentName(res, `${table}.csv`))
    } catch (err) {
      setError(asProblem(err).detail)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="flex items-center gap-2">
      {error && (
        <p role="alert" className="text-sm text-rose-800">
          Export failed: {error}
        </p>
      )}
      <button type="button" className={secondaryButton} onClick={() => void download()} disabled={busy}>
        {busy ? 'Exporting…' : 'Export CSV'}
      </button>
    </div>
  )
}
