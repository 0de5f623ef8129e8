import { useId, useState, type FormEvent } from 'react'
import type { ProblemError } from '../api'
import type { MfaPolicyOut, MfaRequirement } from '../identity'
import { primaryButton } from './form'
import { asProblem, ProblemAlert } from './ProblemAlert'

type Choice = 'inherit' | 'required' | 'not_required'

const CHOICES: readonly { value: Choice; label: string; required: MfaRequirement }[] = [
  { value: 'inherit', label: 'Inherit', required: null },
  { value: 'required', label: 'Required', required: true },
  { value: 'not_required', label: 'Not required', required: false },
]

function describe(p: MfaPolicyOut): string {
  const what = p.required === null ? 'inherited' : p.required ? 'required' : 'not required'
  return `Saved: MFA is ${what} at the ${p.level} level.`
}

/**
 * "Require MFA": inherit from the broader level, required, or not required. The API has no read
 * route for the policy, so nothing is preselected until you choose.
 */
export function MfaPolicyControl({ inheritHint, onSave }: { inheritHint: string; onSave: (required: MfaRequirement) => Promise<MfaPolicyOut> }) {
  const name = useId()
  const [choice, setChoice] = useState<Choice | null>(null)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)
  const [saved, setSaved] = useState<MfaPolicyOut | null>(null)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const picked = CHOICES.find((c) => c.value === choice)
    if (!picked || pending) return
    setPending(true)
    setError(null)
    setSaved(null)
    try {
      setSaved(await onSave(picked.required))
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <form onSubmit={onSubmit} aria-label="MFA policy" className="space-y-3">
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Require MFA</legend>
        <div className="mt-2 flex flex-wrap gap-4">
          {CHOICES.map((c) => (
            <label key={c.value} className="inline-flex items-center gap-2 text-sm text-slate-800">
              <input
                type="radio"
                name={name}
                value={c.value}
                checked={choice === c.value}
                onChange={() => setChoice(c.value)}
                className="h-4 w-4 accent-slate-900"
              />
              {c.label}
            </label>
          ))}
        </div>
        <p className="mt-1 text-xs text-slate-500">{inheritHint}</p>
      </fieldset>
      <button type="submit" disabled={choice === null || pending} aria-busy={pending} className={primaryButton}>
        {pending ? 'Saving…' : 'Save MFA policy'}
      </button>
      {error && <ProblemAlert error={error} />}
      {saved && (
        <p role="status" className="text-sm text-emerald-800">
          {describe(saved)}
        </p>
      )}
    </form>
  )
}
