import { ProblemError } from '../api'

/** Any thrown value as a ProblemError (unexpected errors get a generic detail). */
export function asProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err
  return new ProblemError({ status: 0, title: 'Error', detail: 'Something went wrong. Please try again.' })
}

function fieldMessages(error: ProblemError): string[] {
  return (
    error.errors
      ?.map((e) => (e.location ? `${e.location.replace(/^body\./, '')}: ${e.message ?? ''}` : e.message))
      .filter((m): m is string => typeof m === 'string' && m.length > 0) ?? []
  )
}

const TRY_AGAIN = /try again in \d+ seconds?/i

/** A problem+json error: its detail, its field errors, and for a 429 when to try again. */
export function ProblemAlert({ error, className }: { error: ProblemError; className?: string }) {
  const fields = fieldMessages(error)
  const retry =
    error.status === 429 && error.retryAfter !== undefined && !TRY_AGAIN.test(error.detail)
      ? `Please try again in ${error.retryAfter} ${error.retryAfter === 1 ? 'second' : 'seconds'}.`
      : null
  return (
    <div role="alert" className={`rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-900 ${className ?? ''}`}>
      <p>{error.detail}</p>
      {retry && <p className="mt-1">{retry}</p>}
      {fields.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {fields.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** Client-side validation messages, in the same style. */
export function ErrorList({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null
  return (
    <div role="alert" className="rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-900">
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul className="list-disc pl-5">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  )
}
