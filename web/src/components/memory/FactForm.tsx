import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { ProblemError } from '../../api'
import { factBody, factErrors, MAX_FACT_CITATION, MAX_FACT_VALUE, serverFactErrors, type FactErrors, type FactIn } from '../../memory'
import { inputClass, primaryButton, secondaryButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'

function FieldShell({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string
  label: string
  hint?: string
  error?: string
  children: (describedBy: string | undefined) => ReactNode
}) {
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children(describedBy)}
      {hint && (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-xs text-rose-800">
          {error}
        </p>
      )}
    </div>
  )
}

/** Add or edit a fact; client checks mirror the server's, server problems shown below. */
export function FactForm({
  initial,
  label,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: FactIn
  label: string
  submitLabel: string
  /** Gets the body to send (only the changed fields when editing). */
  onSubmit: (body: Partial<FactIn>) => Promise<void>
  onCancel?: () => void
}) {
  const id = useId()
  const [values, setValues] = useState<FactIn>(initial ?? { key: '', value: '', citation: '' })
  const [errors, setErrors] = useState<FactErrors>({})
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)

  const set = (field: keyof FactIn) => (v: string) => {
    setValues((old) => ({ ...old, [field]: v }))
    setErrors((old) => ({ ...old, [field]: undefined }))
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setProblem(null)
    const found = factErrors(values)
    setErrors(found)
    if (Object.keys(found).length > 0) return
    const body = factBody(values, initial)
    if (Object.keys(body).length === 0) return onCancel?.()
    setPending(true)
    try {
      await onSubmit(body)
      if (!initial) setValues({ key: '', value: '', citation: '' })
    } catch (err) {
      const p = asProblem(err)
      setProblem(p)
      if (p.status === 409) setErrors({ key: 'This key is already taken' })
      else setErrors(serverFactErrors(p.errors))
    } finally {
      setPending(false)
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={label} className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <FieldShell id={`${id}-key`} label="Key" hint="e.g. dora.register.owner — lowercase letters, digits, . _ -" error={errors.key}>
          {(describedBy) => (
            <input
              id={`${id}-key`}
              value={values.key}
              onChange={(e) => set('key')(e.target.value)}
              aria-invalid={errors.key ? true : undefined}
              aria-describedby={describedBy}
              autoComplete="off"
              spellCheck={false}
              className={`${inputClass} font-mono`}
            />
          )}
        </FieldShell>
        <FieldShell id={`${id}-citation`} label="Citation" hint="Where this comes from (a document, minutes, a person)." error={errors.citation}>
          {(describedBy) => (
            <input
              id={`${id}-citation`}
              value={values.citation}
              onChange={(e) => set('citation')(e.target.value)}
              maxLength={MAX_FACT_CITATION + 100}
              aria-invalid={errors.citation ? true : undefined}
              aria-describedby={describedBy}
              className={inputClass}
            />
          )}
        </FieldShell>
      </div>
      <FieldShell id={`${id}-value`} label="Value" error={errors.value}>
        {(describedBy) => (
          <textarea
            id={`${id}-value`}
            rows={3}
            value={values.value}
            onChange={(e) => set('value')(e.target.value)}
            maxLength={MAX_FACT_VALUE + 100}
            aria-invalid={errors.value ? true : undefined}
            aria-describedby={describedBy}
            className={inputClass}
          />
        )}
      </FieldShell>
      {problem && <ProblemAlert error={problem} />}
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={pending} aria-busy={pending}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className={secondaryButton} onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}
