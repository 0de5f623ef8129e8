import { useState, type FormEvent, type ReactNode } from 'react'
import type { ProblemError } from '../api'
import { CodeField, sixDigitsError } from './CodeField'
import { primaryButton } from './form'
import { asProblem, ErrorList, ProblemAlert } from './ProblemAlert'

interface Attempt {
  /** A message when the code as typed cannot be right; null sends it. */
  validate: () => string | null
  /** Sends the code. On success the submission stays pending: the page moves on. */
  send: () => Promise<void>
  /** After a failed send (the problem is shown), e.g. to clear the field. */
  onFailure?: () => void
}

/** The state of a page's code submissions (an MFA code or a recovery code). */
export interface CodeSubmission {
  pending: boolean
  error: ProblemError | null
  clientError: string | null
  /** Forgets both messages, e.g. when switching to another kind of code. */
  clearErrors: () => void
  submit: (e: FormEvent<HTMLFormElement>, attempt: Attempt) => Promise<void>
}

/** Kept by the page, so that forms it switches between share one pending state and one message. */
export function useCodeSubmission(): CodeSubmission {
  const [clientError, setClientError] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)

  async function submit(e: FormEvent<HTMLFormElement>, { validate, send, onFailure }: Attempt) {
    e.preventDefault()
    if (pending) return
    setError(null)
    const invalid = validate()
    if (invalid !== null) {
      setClientError(invalid)
      return
    }
    setClientError(null)
    setPending(true)
    try {
      await send()
    } catch (err) {
      setError(asProblem(err))
      onFailure?.()
      setPending(false)
    }
  }

  function clearErrors() {
    setError(null)
    setClientError(null)
  }

  return { pending, error, clientError, clearErrors, submit }
}

interface CodeFormProps extends Attempt {
  /** The form's accessible name. */
  label: string
  submission: CodeSubmission
  submitLabel: string
  pendingLabel: string
  /** The code field. */
  children: ReactNode
  /** Below the submit button. */
  footer?: ReactNode
}

/** A one-field form that sends a code: its messages, the field, and a full-width submit button. */
export function CodeForm({
  label,
  submission,
  validate,
  send,
  onFailure,
  submitLabel,
  pendingLabel,
  children,
  footer,
}: CodeFormProps) {
  const { pending, error, clientError } = submission
  return (
    <form
      onSubmit={(e) => void submission.submit(e, { validate, send, onFailure })}
      noValidate
      aria-label={label}
      className="space-y-4"
    >
      <ErrorList messages={clientError ? [clientError] : []} />
      {error && <ProblemAlert error={error} />}
      {children}
      <button type="submit" disabled={pending} aria-busy={pending} className={`w-full ${primaryButton}`}>
        {pending ? pendingLabel : submitLabel}
      </button>
      {footer}
    </form>
  )
}

/** The authenticator-app form: a 6-digit code, cleared when the server refuses it, and "Verify". */
export function AuthenticatorCodeForm({
  label,
  submission,
  code,
  onCodeChange,
  send,
  footer,
}: {
  label: string
  submission: CodeSubmission
  code: string
  onCodeChange: (code: string) => void
  send: () => Promise<void>
  footer?: ReactNode
}) {
  return (
    <CodeForm
      label={label}
      submission={submission}
      validate={() => sixDigitsError(code)}
      send={send}
      onFailure={() => onCodeChange('')}
      submitLabel="Verify"
      pendingLabel="Verifying…"
      footer={footer}
    >
      <CodeField value={code} onChange={onCodeChange} />
    </CodeForm>
  )
}
