import { useRef, useState, type FormEvent } from 'react'
import type { ProblemError } from '../../api'
import { MAX_UPLOAD_BYTES, type Accepted, type Source } from '../../integrations'
import { IntegrationProblem, uploadArtifact, type RowError } from '../../integrationsApi'
import { inputClass, primaryButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { Field } from './Field'
import { AcceptedSlugs } from './WiredKris'

/** A refused file's row-level report. */
function RowErrorTable({ rows, total }: { rows: readonly RowError[]; total?: number }) {
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-700">
        {total !== undefined && total > rows.length
          ? `${total} problems; the first ${rows.length} are listed.`
          : `${rows.length} ${rows.length === 1 ? 'problem' : 'problems'}.`}
      </p>
      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Problems in the file">
          <thead>
            <tr>
              <th scope="col" className="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-600">Row</th>
              <th scope="col" className="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-600">Column</th>
              <th scope="col" className="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-600">Problem</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r, i) => (
              <tr key={`${r.row}-${r.column ?? ''}-${i}`} data-testid="row-error">
                <td className="px-3 py-2 tabular-nums">{r.row}</td>
                <td className="px-3 py-2">{r.column ? <code className="text-xs">{r.column}</code> : '—'}</td>
                <td className="px-3 py-2">{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

/** Upload a CSV or JSON file of values; a refused file shows every bad row. */
export function ArtifactPanel({
  source,
  kris,
  onAccepted,
}: {
  source: Source
  /** The KRIs wired to the source: the only `kri_slug`s a file may carry. */
  kris: readonly { slug: string }[]
  onAccepted: (accepted: Accepted) => void
}) {
  const inputRef = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [fileError, setFileError] = useState<string | undefined>()
  const [pending, setPending] = useState(false)
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [rows, setRows] = useState<{ rows: readonly RowError[]; total?: number } | null>(null)
  const [done, setDone] = useState<string | null>(null)

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setProblem(null)
    setRows(null)
    setDone(null)
    if (!file) return setFileError('Choose a file to upload')
    if (file.size > MAX_UPLOAD_BYTES) return setFileError('The file is larger than 5 MB')
    setFileError(undefined)
    setPending(true)
    try {
      const accepted = await uploadArtifact(source.id, file)
      setDone(`Accepted ${accepted.accepted} ${accepted.accepted === 1 ? 'value' : 'values'}; a run will write them.`)
      setFile(null)
      if (inputRef.current) inputRef.current.value = ''
      onAccepted(accepted)
    } catch (err) {
      setProblem(asProblem(err))
      if (err instanceof IntegrationProblem && err.rowErrors.length > 0) setRows({ rows: err.rowErrors, total: err.errorCount })
    } finally {
      setPending(false)
    }
  }

  // A file for a source with no KRI wired could only be refused: say what to do instead.
  if (kris.length === 0) return <AcceptedSlugs kris={kris} />

  return (
    <div className="space-y-3">
      <AcceptedSlugs kris={kris} />
      <form onSubmit={submit} noValidate aria-label="Upload values" className="flex flex-wrap items-end gap-3">
        <Field
          label="File (CSV or JSON)"
          hint="CSV with the header kri_slug,value,observed_at[,detail], or a JSON array of such objects. At most 5 MB and 50,000 rows."
          error={fileError}
          className="w-full max-w-xl"
        >
          {(control) => (
            <input
              {...control}
              ref={inputRef}
              type="file"
              accept=".csv,.json,text/csv,application/json"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null)
                setFileError(undefined)
              }}
              className={inputClass}
            />
          )}
        </Field>
        <button type="submit" disabled={pending || !source.enabled} aria-busy={pending} className={primaryButton}>
          {pending ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      {!source.enabled && <p className="text-sm text-slate-600">Enable the source to upload values.</p>}
      {problem && <ProblemAlert error={problem} />}
      {rows && <RowErrorTable rows={rows.rows} total={rows.total} />}
      {done && (
        <p role="status" className="text-sm text-emerald-800">
          {done}
        </p>
      )}
    </div>
  )
}
