import { useId, type ReactNode } from 'react'
import { dangerButton, inputClass, secondaryButton } from '../../components/form'
import {
  conditionTargets,
  conditionValues,
  makeShowIf,
  newQuestion,
  problemsAt,
  showIfValue,
  TYPE_LABEL,
  TYPES,
  type Doc,
  type Option,
  type ProblemsByPath,
  type Question,
  type QuestionType,
} from '../../tprm/editor'

interface Props {
  doc: Doc
  step: number
  index: number
  question: Question
  problems: ProblemsByPath
  path: string
  onChange: (q: Question) => void
  onRemove: () => void
  onMove: (by: -1 | 1) => void
}

function FieldProblems({ messages, id }: { messages: string[]; id?: string }) {
  if (messages.length === 0) return null
  return (
    <p id={id} className="text-xs text-rose-800" role="alert">
      {messages.join(' ')}
    </p>
  )
}

function Field({ label, path, problems, children }: { label: string; path: string; problems: ProblemsByPath; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId()
  const messages = problemsAt(problems, path)
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      {children(id, messages.length ? `${id}-problem` : undefined)}
      <FieldProblems messages={messages} id={`${id}-problem`} />
    </div>
  )
}

const numberOrNull = (text: string): number | null => (text.trim() === '' || Number.isNaN(Number(text)) ? null : Number(text))

/** One question of the draft: every field its type has, with the server's problems beside them. */
export function QuestionEditor({ doc, step, index, question: q, problems, path, onChange, onRemove, onMove }: Props) {
  const set = (change: Partial<Question>) => onChange({ ...q, ...change } as Question)
  const targets = conditionTargets(doc, step, index)
  const target = q.show_if ? targets.find((t) => t.id === q.show_if?.question) : undefined
  const rest = problemsAt(problems, path)
  return (
    <fieldset className="space-y-3 rounded-lg border border-slate-200 p-4" data-testid={`question-${q.id}`}>
      <legend className="px-1 text-sm font-semibold text-slate-800">
        {TYPE_LABEL[q.type]} · {q.id}
      </legend>
      <FieldProblems messages={rest} />
      <div className="grid gap-3 sm:grid-cols-4">
        <Field label="Id" path={`${path}.id`} problems={problems}>
          {(id, d) => <input id={id} aria-describedby={d} className={inputClass} value={q.id} onChange={(e) => set({ id: e.target.value })} />}
        </Field>
        <Field label="Type" path={`${path}.type`} problems={problems}>
          {(id) => (
            <select id={id} className={inputClass} value={q.type} onChange={(e) => onChange(newQuestion(e.target.value as QuestionType, q.id, q))}>
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABEL[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Weight (0–10)" path={`${path}.weight`} problems={problems}>
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={0} max={10} step="0.5" className={inputClass} value={q.weight} onChange={(e) => set({ weight: numberOrNull(e.target.value) ?? 0 })} />}
        </Field>
        <Field label="Severity" path={`${path}.severity`} problems={problems}>
          {(id) => (
            <select id={id} className={inputClass} value={q.severity} onChange={(e) => set({ severity: e.target.value as Question['severity'] })}>
              {['low', 'medium', 'high', 'critical'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Question text" path={`${path}.text`} problems={problems}>
        {(id, d) => <input id={id} aria-describedby={d} className={inputClass} value={q.text} onChange={(e) => set({ text: e.target.value })} />}
      </Field>
      <Field label="Help for the vendor" path={`${path}.help`} problems={problems}>
        {(id, d) => <input id={id} aria-describedby={d} className={inputClass} value={q.help} onChange={(e) => set({ help: e.target.value })} />}
      </Field>
      <div className="flex flex-wrap items-end gap-4">
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={q.required} onChange={(e) => set({ required: e.target.checked })} /> Required
        </label>
        <Field label="Evidence" path={`${path}.evidence`} problems={problems}>
          {(id) => (
            <select id={id} className={inputClass} value={q.evidence} onChange={(e) => set({ evidence: e.target.value as Question['evidence'] })}>
              <option value="none">None</option>
              <option value="optional">Optional</option>
              <option value="required">Required</option>
            </select>
          )}
        </Field>
        {q.type === 'yes_no' && (
          <Field label="Expected answer" path={`${path}.expected`} problems={problems}>
            {(id) => (
              <select
                id={id}
                className={inputClass}
                value={q.expected === true ? 'true' : q.expected === false ? 'false' : ''}
                onChange={(e) => set({ expected: e.target.value === '' ? null : e.target.value === 'true' })}
              >
                <option value="">Not scored</option>
                <option value="true">Yes</option>
                <option value="false">No</option>
              </select>
            )}
          </Field>
        )}
        {q.type === 'date' && (
          <Field label="Scores when within days" path={`${path}.within_days`} problems={problems}>
            {(id, d) => <input id={id} aria-describedby={d} type="number" min={1} className={inputClass} value={q.within_days ?? ''} onChange={(e) => set({ within_days: numberOrNull(e.target.value) })} />}
          </Field>
        )}
      </div>
      {q.type === 'number' && (
        <div className="grid gap-3 sm:grid-cols-5">
          {(['min', 'max', 'at_least', 'at_most'] as const).map((k) => (
            <Field key={k} label={k.replace('_', ' ')} path={`${path}.${k}`} problems={problems}>
              {(id, d) => <input id={id} aria-describedby={d} type="number" className={inputClass} value={q[k] ?? ''} onChange={(e) => set({ [k]: numberOrNull(e.target.value) })} />}
            </Field>
          ))}
          <Field label="Unit" path={`${path}.unit`} problems={problems}>
            {(id) => <input id={id} className={inputClass} value={q.unit} onChange={(e) => set({ unit: e.target.value })} />}
          </Field>
        </div>
      )}
      {(q.type === 'single_choice' || q.type === 'multi_choice') && (
        <OptionsEditor options={q.options} path={`${path}.options`} problems={problems} onChange={(options) => set({ options })} />
      )}
      {(q.type === 'text' || q.type === 'file') && (
        <div className="space-y-2">
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={q.evaluate} onChange={(e) => set({ evaluate: e.target.checked })} /> Evaluate with the model against a requirement
          </label>
          {q.evaluate && (
            <Field label="Requirement" path={`${path}.requirement`} problems={problems}>
              {(id, d) => <textarea id={id} aria-describedby={d} rows={2} className={inputClass} value={q.requirement} onChange={(e) => set({ requirement: e.target.value })} />}
            </Field>
          )}
        </div>
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Show only when" path={`${path}.show_if`} problems={problems}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              className={inputClass}
              value={q.show_if?.question ?? ''}
              onChange={(e) => {
                const t = targets.find((x) => x.id === e.target.value)
                const first = t ? conditionValues(t)[0]?.value ?? '0' : ''
                set({ show_if: t ? makeShowIf(t, first) : null })
              }}
            >
              <option value="">Always shown</option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.id}: {t.text.slice(0, 60)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {q.show_if && target && (
          <Field label={target.type === 'multi_choice' ? 'includes' : 'is'} path={`${path}.show_if.equals`} problems={problems}>
            {(id) =>
              conditionValues(target).length > 0 ? (
                <select id={id} className={inputClass} value={showIfValue(q.show_if!)} onChange={(e) => set({ show_if: makeShowIf(target, e.target.value) })}>
                  {conditionValues(target).map((v) => (
                    <option key={v.value} value={v.value}>
                      {v.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={id} className={inputClass} value={showIfValue(q.show_if!)} onChange={(e) => set({ show_if: makeShowIf(target, e.target.value) })} />
              )
            }
          </Field>
        )}
      </div>
      <div className="flex gap-2">
        <button type="button" className={secondaryButton} onClick={() => onMove(-1)} aria-label={`Move ${q.id} up`}>
          ↑
        </button>
        <button type="button" className={secondaryButton} onClick={() => onMove(1)} aria-label={`Move ${q.id} down`}>
          ↓
        </button>
        <button type="button" className={dangerButton} onClick={onRemove}>
          Remove question
        </button>
      </div>
    </fieldset>
  )
}

function OptionsEditor({ options, path, problems, onChange }: { options: Option[]; path: string; problems: ProblemsByPath; onChange: (o: Option[]) => void }) {
  const change = (i: number, o: Partial<Option>) => onChange(options.map((x, j) => (j === i ? { ...x, ...o } : x)))
  return (
    <div className="space-y-2">
      <p className="text-xs font-medium text-slate-700">Options (value, label, score 0–1)</p>
      <FieldProblems messages={problemsAt(problems, path)} />
      {options.map((o, i) => (
        <div key={i} className="flex flex-wrap gap-2">
          <input aria-label={`Option ${i + 1} value`} className={`${inputClass} max-w-40`} value={o.value} onChange={(e) => change(i, { value: e.target.value })} />
          <input aria-label={`Option ${i + 1} label`} className={`${inputClass} max-w-72`} value={o.label} onChange={(e) => change(i, { label: e.target.value })} />
          <input aria-label={`Option ${i + 1} score`} type="number" min={0} max={1} step="0.1" className={`${inputClass} max-w-24`} value={o.score} onChange={(e) => change(i, { score: numberOrNull(e.target.value) ?? 0 })} />
          <button type="button" className={secondaryButton} onClick={() => onChange(options.filter((_, j) => j !== i))}>
            Remove option
          </button>
          <FieldProblems messages={problemsAt(problems, `${path}[${i}]`, false)} />
        </div>
      ))}
      <button type="button" className={secondaryButton} onClick={() => onChange([...options, { value: `option${options.length + 1}`, label: 'New option', score: 0 }])}>
        Add option
      </button>
    </div>
  )
}
