// One questionnaire question rendered by its type, with its save status, its server-side reason
// and its evidence files. Reusable: the vendor portal uses it, a questionnaire preview can too
// (pass no `onUpload` and `disabled` for a read-only rendering).
import { useId, useState, type DragEvent, type ReactNode } from 'react'
import { inputClass, secondaryButton } from '../components/form'
import { FILE_TYPES, fileRefusal, takesEvidence, type AnswerValue, type Evidence, type Question } from './portal'

export type SaveStatus = { state: 'saving' } | { state: 'saved' } | { state: 'error'; reason: string }

export interface Upload {
  key: string
  name: string
  fraction: number
  error?: string
}

export interface QuestionFieldProps {
  question: Question
  value: AnswerValue | undefined
  /** A new value, or undefined to clear the answer. */
  onChange: (value: AnswerValue | undefined) => void
  status?: SaveStatus
  evidence?: Evidence[]
  uploads?: Upload[]
  onUpload?: (file: File) => void
  onRemove?: (evidence: Evidence) => void
  disabled?: boolean
}

const choice = 'flex items-center gap-2 text-sm text-slate-800'

function Status({ status, id }: { status?: SaveStatus; id: string }) {
  let text = ''
  let tone = 'text-slate-500'
  if (status?.state === 'saving') text = 'Saving…'
  if (status?.state === 'saved') text = 'Saved'
  if (status?.state === 'error') {
    text = `Could not save: ${status.reason}`
    tone = 'text-rose-700'
  }
  return (
    <p id={id} aria-live="polite" className={`mt-1 min-h-5 text-xs ${tone}`}>
      {text}
    </p>
  )
}

function Heading({ question, htmlFor }: { question: Question; htmlFor?: string }): ReactNode {
  const label = (
    <>
      {question.text}
      {question.required ? <span className="text-rose-700"> (required)</span> : <span className="text-slate-500"> (optional)</span>}
    </>
  )
  return htmlFor ? (
    <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-900">
      {label}
    </label>
  ) : (
    <legend className="text-sm font-medium text-slate-900">{label}</legend>
  )
}

function Help({ question }: { question: Question }) {
  if (!question.help && !question.requirement) return null
  return (
    <div className="mt-1 space-y-1 text-xs text-slate-600">
      {question.help && <p>{question.help}</p>}
      {question.requirement && <p>Expected: {question.requirement}</p>}
    </div>
  )
}

function EvidenceFiles({ question, evidence, uploads, onUpload, onRemove, disabled }: QuestionFieldProps) {
  const inputId = useId()
  const [refusal, setRefusal] = useState<string | null>(null)
  const [over, setOver] = useState(false)
  if (!takesEvidence(question)) return null
  const needed = question.type === 'file' || question.evidence === 'required'
  function take(files: FileList | null) {
    if (!files || !onUpload) return
    for (const file of Array.from(files)) {
      const refused = fileRefusal(file)
      setRefusal(refused ? `${file.name}: ${refused}` : null)
      if (!refused) onUpload(file)
    }
  }
  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault()
    setOver(false)
    take(e.dataTransfer.files)
  }
  return (
    <div className="mt-3">
      {onUpload && !disabled && (
        <div
          onDragOver={(e) => {
            e.preventDefault()
            setOver(true)
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          className={`rounded-md border-2 border-dashed px-4 py-3 text-sm ${over ? 'border-sky-600 bg-sky-50' : 'border-slate-300'}`}
        >
          <label htmlFor={inputId} className="font-medium text-slate-800">
            {question.type === 'file' ? 'Upload files' : `Evidence (${needed ? 'required' : 'optional'})`}
          </label>
          <p className="text-xs text-slate-600">
            Drop files here or choose them: {FILE_TYPES.join(', ')}; at most 10 MB each.
          </p>
          <input
            id={inputId}
            type="file"
            multiple
            accept={FILE_TYPES.join(',')}
            className="mt-2 block text-sm"
            onChange={(e) => {
              take(e.target.files)
              e.target.value = ''
            }}
          />
        </div>
      )}
      {refusal && (
        <p role="alert" className="mt-1 text-xs text-rose-700">
          {refusal}
        </p>
      )}
      <ul className="mt-2 space-y-1" aria-label={`Files for: ${question.text}`}>
        {(evidence ?? []).map((e) => (
          <li key={e.id} className="flex items-center justify-between gap-2 text-sm">
            <span>
              {e.filename} <span className="text-xs text-slate-500">({Math.ceil(e.size_bytes / 1024)} KB)</span>
            </span>
            {onRemove && !disabled && (
              <button type="button" className={secondaryButton} onClick={() => onRemove(e)}>
                Remove <span className="sr-only">{e.filename}</span>
              </button>
            )}
          </li>
        ))}
        {(uploads ?? []).map((u) => (
          <li key={u.key} className="text-sm">
            {u.name}{' '}
            {u.error ? (
              <span role="alert" className="text-rose-700">
                Not uploaded: {u.error}
              </span>
            ) : (
              <progress max={1} value={u.fraction} aria-label={`Uploading ${u.name}`} className="align-middle" />
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}

export function QuestionField(props: QuestionFieldProps) {
  const { question: q, value, onChange, status, disabled } = props
  const id = useId()
  const statusId = `${id}-status`
  const described = { 'aria-describedby': statusId }
  const invalid = status?.state === 'error'
  let field: ReactNode
  let grouped = true
  switch (q.type) {
    case 'yes_no':
      field = (
        <div className="mt-2 flex gap-6">
          {[true, false].map((v) => (
            <label key={String(v)} className={choice}>
              <input
                type="radio"
                name={id}
                checked={value === v}
                disabled={disabled}
                onChange={() => onChange(v)}
                {...described}
              />
              {v ? 'Yes' : 'No'}
            </label>
          ))}
        </div>
      )
      break
    case 'single_choice':
      field = (
        <div className="mt-2 space-y-1">
          {q.options.map((o) => (
            <label key={o.value} className={choice}>
              <input
                type="radio"
                name={id}
                checked={value === o.value}
                disabled={disabled}
                onChange={() => onChange(o.value)}
                {...described}
              />
              {o.label}
            </label>
          ))}
        </div>
      )
      break
    case 'multi_choice': {
      const chosen = Array.isArray(value) ? value : []
      field = (
        <div className="mt-2 space-y-1">
          {q.options.map((o) => (
            <label key={o.value} className={choice}>
              <input
                type="checkbox"
                checked={chosen.includes(o.value)}
                disabled={disabled}
                onChange={(e) =>
                  onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))
                }
                {...described}
              />
              {o.label}
            </label>
          ))}
        </div>
      )
      break
    }
    case 'number':
      grouped = false
      field = (
        <input
          id={id}
          type="number"
          inputMode="decimal"
          className={`mt-1 max-w-xs ${inputClass}`}
          min={q.min ?? undefined}
          max={q.max ?? undefined}
          value={typeof value === 'number' ? value : ''}
          disabled={disabled}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
          {...described}
        />
      )
      break
    case 'date':
      grouped = false
      field = (
        <input
          id={id}
          type="date"
          className={`mt-1 max-w-xs ${inputClass}`}
          value={typeof value === 'string' ? value : ''}
          disabled={disabled}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          {...described}
        />
      )
      break
    case 'text': {
      grouped = false
      const text = typeof value === 'string' ? value : ''
      field = (
        <>
          <textarea
            id={id}
            rows={4}
            maxLength={q.max_length}
            className={`mt-1 ${inputClass}`}
            value={text}
            disabled={disabled}
            aria-invalid={invalid}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
            {...described}
          />
          <p className="text-right text-xs text-slate-500">
            {text.length} / {q.max_length} characters
          </p>
        </>
      )
      break
    }
    case 'file':
      field = null
      break
  }
  const body = (
    <>
      <Heading question={q} htmlFor={grouped ? undefined : id} />
      <Help question={q} />
      {field}
      <EvidenceFiles {...props} />
      <Status status={status} id={statusId} />
    </>
  )
  return grouped ? (
    <fieldset id={`q-${q.id}`} tabIndex={-1} className="rounded-lg border border-slate-200 bg-white p-4">
      {body}
    </fieldset>
  ) : (
    <div id={`q-${q.id}`} tabIndex={-1} className="rounded-lg border border-slate-200 bg-white p-4">
      {body}
    </div>
  )
}
