import { useId, useState, type FormEvent } from 'react'
import type { ProblemError } from '../api'
import { inputClass, primaryButton, secondaryButton, SelectField, TextField } from './form'
import { OwnerPicker } from './OwnerPicker'
import { asProblem, ErrorList, ProblemAlert } from './ProblemAlert'

/** One editable field of an entity, as the generic form renders and converts it. */
export interface FieldSpec {
  /** The API's field name. */
  name: string
  label: string
  /** `owner`: a member of the tenant, picked (never typed); `date`: a calendar date. */
  type: 'text' | 'textarea' | 'number' | 'select' | 'list' | 'owner' | 'date'
  options?: readonly { value: string; label: string }[]
  required?: boolean
  /** Only when creating (e.g. the slug, which cannot be changed). */
  createOnly?: boolean
  /** An empty value is sent as `null`. */
  nullable?: boolean
  /** A select whose values are numbers (e.g. a vendor tier). */
  numeric?: boolean
  /** Each value (each item of a list) must match. */
  pattern?: { re: RegExp; message: string }
  hint?: string
  /** The value a create form starts with. */
  initial?: string
  /** Wider in the form grid (descriptions). */
  wide?: boolean
}

export type FormValues = Record<string, string>

export interface FormSpec {
  /** "KRI", "control", … */
  singular: string
  fields: readonly FieldSpec[]
  /** Cross-field checks on the form's values (only the fields shown are present). */
  validate?: (values: FormValues) => string[]
}

function formatInitial(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.join(', ')
  return String(value)
}

function splitList(raw: string): string[] {
  return raw
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

export function initialValues(fields: readonly FieldSpec[], entity?: object): FormValues {
  const record = entity as Record<string, unknown> | undefined
  const values: FormValues = {}
  for (const f of fields) {
    values[f.name] = record ? formatInitial(record[f.name]) : (f.initial ?? (f.type === 'select' && !f.nullable ? (f.options?.[0]?.value ?? '') : ''))
  }
  return values
}

/** A field's form text as the API wants it. */
export function parseField(f: FieldSpec, raw: string): unknown {
  const s = f.type === 'textarea' ? raw : raw.trim()
  if (f.type === 'list') return splitList(s)
  if (s === '' && f.nullable) return null
  if (f.type === 'number' || (f.type === 'select' && f.numeric)) return Number(s)
  return s
}

/** Client-side checks: required fields, numbers, patterns, then the spec's own rules. */
export function formErrors(spec: FormSpec, fields: readonly FieldSpec[], values: FormValues): string[] {
  const errors: string[] = []
  for (const f of fields) {
    const raw = (values[f.name] ?? '').trim()
    if (f.required && raw === '' && f.type !== 'list') {
      errors.push(`${f.label} is required.`)
      continue
    }
    if (raw === '') continue
    if (f.type === 'number' && !Number.isFinite(Number(raw))) errors.push(`${f.label} must be a number.`)
    if (f.pattern) {
      const items = f.type === 'list' ? splitList(raw) : [raw]
      const bad = items.filter((item) => !f.pattern!.re.test(item))
      if (bad.length > 0) errors.push(`${f.label}: ${f.pattern.message} (${bad.join(', ')})`)
    }
  }
  return errors.length > 0 ? errors : (spec.validate?.(values) ?? [])
}

/**
 * The body to send: on create every non-empty field; on edit only the fields that changed.
 */
export function formBody(fields: readonly FieldSpec[], values: FormValues, initial?: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of fields) {
    const raw = values[f.name] ?? ''
    if (initial) {
      if (raw === (initial[f.name] ?? '')) continue
    } else if (raw.trim() === '') {
      continue
    }
    body[f.name] = parseField(f, raw)
  }
  return body
}

function FieldInput({ field, value, onChange }: { field: FieldSpec; value: string; onChange: (v: string) => void }) {
  const id = useId()
  const className = field.wide ? 'sm:col-span-2' : undefined
  if (field.type === 'owner') {
    return <OwnerPicker label={field.label} value={value || null} onChange={(v) => onChange(v ?? '')} />
  }
  if (field.type === 'date') {
    return (
      <div className={`space-y-1.5 ${className ?? ''}`}>
        <label htmlFor={id} className="block text-sm font-medium text-slate-700">
          {field.label}
        </label>
        <input id={id} type="date" value={value} onChange={(e) => onChange(e.target.value)} className={inputClass} />
      </div>
    )
  }
  if (field.type === 'select') {
    return (
      <SelectField
        label={field.label}
        value={value}
        options={field.options ?? []}
        onChange={onChange}
        required={field.required}
        className={className}
      />
    )
  }
  if (field.type === 'textarea') {
    return (
      <div className={`space-y-1.5 ${className ?? ''}`}>
        <label htmlFor={id} className="block text-sm font-medium text-slate-700">
          {field.label}
        </label>
        <textarea id={id} value={value} rows={2} onChange={(e) => onChange(e.target.value)} className={inputClass} />
      </div>
    )
  }
  return (
    <TextField
      label={field.label}
      value={value}
      onChange={onChange}
      required={field.required}
      type={field.type === 'number' ? 'number' : 'text'}
      step={field.type === 'number' ? 'any' : undefined}
      hint={field.hint ?? (field.type === 'list' ? 'Comma-separated.' : undefined)}
      autoComplete="off"
      className={className}
    />
  )
}

interface Props {
  spec: FormSpec
  /** The fields to show (default: the spec's, without create-only ones when editing). */
  fields?: readonly FieldSpec[]
  /** Editing this entity; creating without one. */
  entity?: object
  submitLabel: string
  pendingLabel?: string
  /** The accessible name of the form. */
  label: string
  onSubmit: (body: Record<string, unknown>) => Promise<unknown>
  onCancel?: () => void
  /** Shown after a successful submit. */
  doneMessage?: string
}

/**
 * A create or edit form driven by a field spec: labelled inputs, client-side checks, and the
 * server's problem (409 slug taken, 422 invalid) inline. A create form resets after success.
 */
export function EntityForm({ spec, fields, entity, submitLabel, pendingLabel, label, onSubmit, onCancel, doneMessage }: Props) {
  const editing = entity !== undefined
  const shown = fields ?? spec.fields.filter((f) => !(editing && f.createOnly))
  const [initial, setInitial] = useState<FormValues>(() => initialValues(shown, entity))
  const [values, setValues] = useState<FormValues>(initial)
  const [clientErrors, setClientErrors] = useState<string[]>([])
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const [done, setDone] = useState<string | null>(null)

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setProblem(null)
    setDone(null)
    const errors = formErrors(spec, shown, values)
    setClientErrors(errors)
    if (errors.length > 0) return
    const body = formBody(shown, values, editing ? initial : undefined)
    if (editing && Object.keys(body).length === 0) {
      setDone('Nothing to save: no field changed.')
      return
    }
    setPending(true)
    try {
      await onSubmit(body)
      if (editing) setInitial(values)
      else setValues(initialValues(shown))
      setDone(doneMessage ?? (editing ? 'Saved.' : `Created the ${spec.singular}.`))
    } catch (err) {
      setProblem(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <div className="space-y-3">
      <form onSubmit={submit} noValidate aria-label={label} className="space-y-3">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {shown.map((f) => (
            <FieldInput
              key={f.name}
              field={f}
              value={values[f.name] ?? ''}
              onChange={(v) => setValues((prev) => ({ ...prev, [f.name]: v }))}
            />
          ))}
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="submit" disabled={pending} aria-busy={pending} className={primaryButton}>
            {pending ? (pendingLabel ?? 'Saving…') : submitLabel}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel} className={secondaryButton}>
              Cancel
            </button>
          )}
        </div>
      </form>
      <ErrorList messages={clientErrors} />
      {problem && <ProblemAlert error={problem} />}
      {done && (
        <p role="status" className="text-sm text-emerald-800">
          {done}
        </p>
      )}
    </div>
  )
}
