import { useState, type FormEvent, type ReactNode } from 'react'
import type { ProblemError } from '../api'
import { primaryButton } from './form'
import { asProblem, ProblemAlert } from './ProblemAlert'

/**
 * A small inline "create" form: renders `children` (its fields), calls `onSubmit`, and shows a
 * 409 / 422 problem inline. `onSubmit` resolves true to reset the form.
 */
export function CreateForm({
  label,
  submitLabel,
  pendingLabel,
  onSubmit,
  children,
}: {
  label: string
  submitLabel: string
  pendingLabel: string
  onSubmit: () => Promise<void>
  children: ReactNode
}) {
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setPending(true)
    setError(null)
    try {
      await onSubmit()
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <div className="space-y-3">
      <form onSubmit={submit} noValidate aria-label={label} className="flex flex-wrap items-end gap-3">
        {children}
        <button type="submit" disabled={pending} aria-busy={pending} className={primaryButton}>
          {pending ? pendingLabel : submitLabel}
        </button>
      </form>
      {error && <ProblemAlert error={error} />}
    </div>
  )
}
