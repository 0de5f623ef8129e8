import { useId, useState, type FormEvent } from 'react'
import type { ProblemError } from '../../api'
import {
  fieldErrors,
  fieldKey,
  initialFieldValues,
  isFirstParty,
  SCHEDULE_OPTIONS,
  splitFieldValues,
  type CatalogEntry,
  type ConfigField,
  type FieldErrors,
  type FieldValues,
  type Schedule,
  type Source,
  type SourceIn,
  type SourcePatch,
} from '../../integrations'
import { IntegrationProblem } from '../../integrationsApi'
import { inputClass, primaryButton, secondaryButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { Field } from './Field'

const KIND_HINT: Partial<Record<ConfigField['kind'], string>> = {
  url: 'An https:// URL.',
  integer: 'A whole number.',
}

function hintFor(f: ConfigField, stored: boolean): string | undefined {
  const parts = [f.help, KIND_HINT[f.kind], f.secret && stored ? 'Stored; leave empty to keep it.' : undefined]
  const text = parts.filter((p): p is string => Boolean(p)).join(' ')
  return text || undefined
}

function ConfigInput({
  field,
  value,
  error,
  stored,
  onChange,
}: {
  field: ConfigField
  value: string
  error?: string
  stored: boolean
  onChange: (v: string) => void
}) {
  const label = field.required ? field.label : `${field.label} (optional)`
  return (
    <Field label={label} hint={hintFor(field, stored)} error={error} className={field.kind === 'text' ? 'sm:col-span-2' : undefined}>
      {(control) => {
        if (field.kind === 'choice') {
          return (
            <select {...control} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass}>
              {!field.required && <option value="">—</option>}
              {field.choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )
        }
        if (field.kind === 'text') {
          return <textarea {...control} value={value} rows={4} onChange={(e) => onChange(e.target.value)} className={inputClass} />
        }
        return (
          <input
            {...control}
            // Secrets are write-only: never prefilled, never echoed.
            type={field.secret ? 'password' : field.kind === 'url' ? 'url' : field.kind === 'integer' ? 'number' : 'text'}
            inputMode={field.kind === 'integer' ? 'numeric' : undefined}
            step={field.kind === 'integer' ? 1 : undefined}
            placeholder={field.secret && stored ? '••• set' : field.kind === 'url' ? 'https://' : undefined}
            autoComplete={field.secret ? 'new-password' : 'off'}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            className={inputClass}
          />
        )
      }}
    </Field>
  )
}

type Mode =
  | { kind: 'create'; onSubmit: (body: SourceIn) => Promise<unknown> }
  | { kind: 'edit'; source: Source; onSubmit: (body: SourcePatch) => Promise<unknown> }

interface Props {
  entry: CatalogEntry
  mode: Mode
  /** The accessible name of the form. */
  label: string
  submitLabel: string
  onCancel?: () => void
}

interface Common {
  name: string
  schedule: Schedule
  enabled: boolean
}

/**
 * A source's form, generated from its connector's `config_fields`: secrets as password inputs
 * (never prefilled; empty keeps the stored one), choices as selects, hints and defaults; each
 * error, the server's 422 included, next to its field.
 */
export function SourceForm({ entry, mode, label, submitLabel, onCancel }: Props) {
  const source = mode.kind === 'edit' ? mode.source : undefined
  const firstParty = isFirstParty(entry.source_type)
  const stored = source?.credentials_set ?? []
  const [initialValues, setInitialValues] = useState<FieldValues>(() => initialFieldValues(entry.config_fields, source))
  const [values, setValues] = useState<FieldValues>(initialValues)
  const [initialCommon, setInitialCommon] = useState<Common>(() => ({
    name: source?.name ?? entry.display_name,
    schedule: source?.schedule ?? (firstParty ? 'manual' : 'daily'),
    enabled: source?.enabled ?? true,
  }))
  const [common, setCommon] = useState<Common>(initialCommon)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const enabledId = useId()

  const shownKeys = new Set(['name', 'schedule', 'enabled', ...entry.config_fields.map(fieldKey)])
  // Server errors about fields this form does not show go with the problem's detail.
  const otherErrors = Object.entries(errors).filter(([key]) => !shownKeys.has(key))

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setProblem(null)
    setDone(null)
    const client = fieldErrors(entry.config_fields, values, stored)
    if (common.name.trim() === '') client.name = 'Name is required'
    setErrors(client)
    if (Object.keys(client).length > 0) return
    setPending(true)
    try {
      if (mode.kind === 'create') {
        const { config, credentials } = splitFieldValues(entry.config_fields, values)
        await mode.onSubmit({ vendor_id: entry.vendor_id, name: common.name.trim(), schedule: common.schedule, enabled: common.enabled, config, credentials })
      } else {
        const { config, credentials } = splitFieldValues(entry.config_fields, values, initialValues)
        const body: SourcePatch = {}
        if (common.name.trim() !== initialCommon.name) body.name = common.name.trim()
        if (common.schedule !== initialCommon.schedule) body.schedule = common.schedule
        if (common.enabled !== initialCommon.enabled) body.enabled = common.enabled
        if (Object.keys(config).length > 0) body.config = config
        if (Object.keys(credentials).length > 0) body.credentials = credentials
        if (Object.keys(body).length === 0) {
          setDone('Nothing to save: no field changed.')
          return
        }
        await mode.onSubmit(body)
        // Typed secrets are gone from the form once stored.
        const next = Object.fromEntries(entry.config_fields.map((f) => [f.name, f.secret ? '' : (values[f.name] ?? '')]))
        setInitialValues(next)
        setValues(next)
        setInitialCommon({ ...common, name: common.name.trim() })
        setDone('Saved.')
      }
    } catch (err) {
      if (err instanceof IntegrationProblem) setErrors(err.fieldErrors)
      setProblem(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <div className="space-y-3">
      <form onSubmit={submit} noValidate aria-label={label} className="space-y-3">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label="Name" error={errors.name}>
            {(control) => (
              <input
                {...control}
                value={common.name}
                onChange={(e) => setCommon((c) => ({ ...c, name: e.target.value }))}
                autoComplete="off"
                className={inputClass}
              />
            )}
          </Field>
          <Field
            label="Schedule"
            error={errors.schedule}
            hint={firstParty ? 'Runs when values arrive.' : 'How often Draxis fetches from the vendor.'}
          >
            {(control) => (
              <select
                {...control}
                value={common.schedule}
                disabled={firstParty}
                onChange={(e) => {
                  const next = SCHEDULE_OPTIONS.find((o) => o.value === e.target.value)
                  if (next) setCommon((c) => ({ ...c, schedule: next.value }))
                }}
                className={inputClass}
              >
                {SCHEDULE_OPTIONS.filter((o) => !firstParty || o.value === 'manual').map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {entry.config_fields.map((f) => (
            <ConfigInput
              key={f.name}
              field={f}
              value={values[f.name] ?? ''}
              error={errors[fieldKey(f)]}
              stored={stored.includes(f.name)}
              onChange={(v) => setValues((prev) => ({ ...prev, [f.name]: v }))}
            />
          ))}
          <div className="flex items-center gap-2 sm:col-span-2">
            <input
              id={enabledId}
              type="checkbox"
              checked={common.enabled}
              onChange={(e) => setCommon((c) => ({ ...c, enabled: e.target.checked }))}
              className="h-4 w-4 rounded border-slate-300"
            />
            <label htmlFor={enabledId} className="text-sm font-medium text-slate-700">
              Enabled
            </label>
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="submit" disabled={pending} aria-busy={pending} className={primaryButton}>
            {pending ? 'Saving…' : submitLabel}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel} className={secondaryButton}>
              Cancel
            </button>
          )}
        </div>
      </form>
      {problem && <ProblemAlert error={problem} />}
      {otherErrors.length > 0 && (
        <ul className="list-disc pl-5 text-sm text-rose-900" aria-label="Other errors">
          {otherErrors.map(([key, message]) => (
            <li key={key}>
              {key}: {message}
            </li>
          ))}
        </ul>
      )}
      {done && (
        <p role="status" className="text-sm text-emerald-800">
          {done}
        </p>
      )}
    </div>
  )
}
