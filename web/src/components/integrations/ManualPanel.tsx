import { useState, type FormEvent } from 'react'
import type { ProblemError } from '../../api'
import { localToIso, type Accepted, type ManualValueIn, type Source } from '../../integrations'
import { enterValue, IntegrationProblem } from '../../integrationsApi'
import { inputClass, primaryButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { Field } from './Field'
import { WIRE_FIRST_TEXT } from './WiredKris'

export interface KriOption {
  slug: string
  name: string
}

interface Values {
  kri_slug: string
  value: string
  observed_at: string
  note: string
}

/** Type one value in for one of the KRIs wired to the source (the only slugs it accepts). */
export function ManualPanel({
  source,
  kris,
  onAccepted,
}: {
  source: Source
  kris: readonly KriOption[]
  onAccepted: (accepted: Accepted) => void
}) {
  const blank: Values = { kri_slug: kris[0]?.slug ?? '', value: '', observed_at: '', note: '' }
  const [values, setValues] = useState<Values>(blank)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [pending, setPending] = useState(false)
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [done, setDone] = useState<string | null>(null)
  // A KRI unwired since it was chosen falls back to the first one still wired.
  const slug = kris.some((k) => k.slug === values.kri_slug) ? values.kri_slug : (kris[0]?.slug ?? '')

  function set<K extends keyof Values>(key: K, v: Values[K]) {
    setValues((prev) => ({ ...prev, [key]: v }))
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setProblem(null)
    setDone(null)
    const client: Record<string, string> = {}
    if (!slug) client.kri_slug = 'Choose a KRI'
    const value = Number(values.value)
    if (values.value.trim() === '' || !Number.isFinite(value)) client.value = 'Enter a number'
    const observed = localToIso(values.observed_at)
    if (values.observed_at.trim() !== '' && !observed) client.observed_at = 'Enter a date and time'
    setErrors(client)
    if (Object.keys(client).length > 0) return
    const body: ManualValueIn = { kri_slug: slug, value }
    if (observed) body.observed_at = observed
    if (values.note.trim()) body.note = values.note.trim()
    setPending(true)
    try {
      const accepted = await enterValue(source.id, body)
      setValues({ ...blank, kri_slug: slug })
      setDone('Value accepted; a run will write it.')
      onAccepted(accepted)
    } catch (err) {
      if (err instanceof IntegrationProblem) {
        const next: Record<string, string> = { ...err.fieldErrors }
        // A refused value comes back as row 1's problems: put each next to its field.
        for (const r of err.rowErrors) if (r.column) next[r.column] = r.message
        setErrors(next)
      }
      setProblem(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  if (kris.length === 0) {
    return (
      <p className="text-sm font-medium text-amber-900" data-testid="manual-empty">
        {WIRE_FIRST_TEXT}: it accepts values only for the KRIs wired to it (see “KRIs fed by this source”).
      </p>
    )
  }

  return (
    <div className="space-y-3">
      <form onSubmit={submit} noValidate aria-label="Enter a value" className="space-y-3">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label="KRI" error={errors.kri_slug}>
            {(control) => (
              <select {...control} value={slug} onChange={(e) => set('kri_slug', e.target.value)} className={inputClass}>
                {kris.map((k) => (
                  <option key={k.slug} value={k.slug}>
                    {k.name} ({k.slug})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Value" error={errors.value}>
            {(control) => (
              <input {...control} type="number" step="any" value={values.value} onChange={(e) => set('value', e.target.value)} className={inputClass} />
            )}
          </Field>
          <Field label="Observed at (optional)" hint="Your local time; empty means now." error={errors.observed_at}>
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={values.observed_at}
                onChange={(e) => set('observed_at', e.target.value)}
                className={inputClass}
              />
            )}
          </Field>
          <Field label="Note (optional)" error={errors.note ?? errors.detail}>
            {(control) => (
              <input {...control} maxLength={1000} value={values.note} onChange={(e) => set('note', e.target.value)} className={inputClass} />
            )}
          </Field>
        </div>
        <button type="submit" disabled={pending || !source.enabled} aria-busy={pending} className={primaryButton}>
          {pending ? 'Sending…' : 'Enter value'}
        </button>
        {!source.enabled && <p className="text-sm text-slate-600">Enable the source to enter values.</p>}
      </form>
      {problem && <ProblemAlert error={problem} />}
      {done && (
        <p role="status" className="text-sm text-emerald-800">
          {done}
        </p>
      )}
    </div>
  )
}
