// The questionnaire editor's rules, pure: building and changing a draft document step by step,
// the conditions a question may take, where the server's problems belong, and which questions
// a vendor sees for some sample answers (the kernel's `visible`, draxis/tprm/answers.py).
import type { QuestionnaireDocument } from './questionnaires'

export type Doc = QuestionnaireDocument
export type Step = Doc['steps'][number]
export type Question = Step['questions'][number]
export type QuestionType = Question['type']
export type Option = { value: string; label: string; score: number }
export type ShowIf = NonNullable<Question['show_if']>
export type SampleValue = boolean | number | string | string[]

export const TYPE_LABEL: Record<QuestionType, string> = {
  yes_no: 'Yes / no',
  single_choice: 'Single choice',
  multi_choice: 'Multiple choice',
  number: 'Number',
  date: 'Date',
  text: 'Text',
  file: 'File upload',
}
export const TYPES = Object.keys(TYPE_LABEL) as QuestionType[]

/** Every question id in the document. */
export function questionIds(doc: Doc): Set<string> {
  return new Set(doc.steps.flatMap((s) => s.questions.map((q) => q.id)))
}

/** `base`, or `base_2`, `base_3`... whichever is not in `taken`. */
export function uniqueId(base: string, taken: Set<string>): string {
  let id = base
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`
  return id
}

const COMMON = {
  help: '',
  required: true,
  weight: 1,
  severity: 'medium' as const,
  evidence: 'none' as const,
  requirement: '',
  show_if: null,
}

function defaultOptions(): Option[] {
  return [
    { value: 'yes', label: 'Yes', score: 1 },
    { value: 'no', label: 'No', score: 0 },
  ]
}

/** A new question of `type`: `id` and `text` kept from `from` when given (a type change). */
export function newQuestion(type: QuestionType, id: string, from?: Question): Question {
  const base = { ...COMMON, id, text: from?.text ?? 'New question', help: from?.help ?? '', required: from?.required ?? true }
  const kept = from ? { weight: from.weight, severity: from.severity, show_if: from.show_if ?? null, requirement: from.requirement } : {}
  const options = from && 'options' in from ? from.options : defaultOptions()
  switch (type) {
    case 'yes_no':
      return { ...base, ...kept, type, expected: true }
    case 'single_choice':
      return { ...base, ...kept, type, options }
    case 'multi_choice':
      return { ...base, ...kept, type, options, attests: null }
    case 'number':
      return { ...base, ...kept, type, min: null, max: null, unit: '', at_least: null, at_most: null }
    case 'date':
      return { ...base, ...kept, type, within_days: null }
    case 'text':
      return { ...base, ...kept, type, max_length: 4000, evaluate: false, attests: null }
    case 'file':
      return { ...base, ...kept, type, evaluate: false, evidence: 'required' }
  }
}

function withSteps(doc: Doc, steps: Step[]): Doc {
  return { ...doc, steps }
}

function swap<T>(items: readonly T[], i: number, j: number): T[] {
  const next = [...items]
  const a = next[i]
  const b = next[j]
  if (a === undefined || b === undefined) return next
  next[i] = b
  next[j] = a
  return next
}

export function addStep(doc: Doc): Doc {
  const stepIds = new Set(doc.steps.map((s) => s.id))
  const id = uniqueId(`step${doc.steps.length + 1}`, stepIds)
  const question = newQuestion('yes_no', uniqueId(`q${questionIds(doc).size + 1}`, questionIds(doc)))
  return withSteps(doc, [...doc.steps, { id, title: 'New step', description: '', questions: [question] }])
}

export function removeStep(doc: Doc, index: number): Doc {
  const gone = new Set(doc.steps[index]?.questions.map((q) => q.id) ?? [])
  return dropConditionsOn(withSteps(doc, doc.steps.filter((_, i) => i !== index)), gone)
}

export function moveStep(doc: Doc, index: number, by: -1 | 1): Doc {
  return withSteps(doc, swap(doc.steps, index, index + by))
}

export function updateStep(doc: Doc, index: number, change: Partial<Omit<Step, 'questions'>>): Doc {
  return withSteps(doc, doc.steps.map((s, i) => (i === index ? { ...s, ...change } : s)))
}

export function addQuestion(doc: Doc, step: number, type: QuestionType = 'yes_no'): Doc {
  const id = uniqueId(`q${questionIds(doc).size + 1}`, questionIds(doc))
  return withSteps(doc, doc.steps.map((s, i) => (i === step ? { ...s, questions: [...s.questions, newQuestion(type, id)] } : s)))
}

export function removeQuestion(doc: Doc, step: number, index: number): Doc {
  const gone = doc.steps[step]?.questions[index]?.id
  const steps = doc.steps.map((s, i) => (i === step ? { ...s, questions: s.questions.filter((_, j) => j !== index) } : s))
  return dropConditionsOn(withSteps(doc, steps), new Set(gone ? [gone] : []))
}

export function moveQuestion(doc: Doc, step: number, index: number, by: -1 | 1): Doc {
  return withSteps(doc, doc.steps.map((s, i) => (i === step ? { ...s, questions: swap(s.questions, index, index + by) } : s)))
}

export function updateQuestion(doc: Doc, step: number, index: number, question: Question): Doc {
  return withSteps(
    doc,
    doc.steps.map((s, i) => (i === step ? { ...s, questions: s.questions.map((q, j) => (j === index ? question : q)) } : s)),
  )
}

/** Conditions on removed questions go with them (the server would refuse them). */
function dropConditionsOn(doc: Doc, gone: Set<string>): Doc {
  if (gone.size === 0) return doc
  return withSteps(
    doc,
    doc.steps.map((s) => ({
      ...s,
      questions: s.questions.map((q) => (q.show_if && gone.has(q.show_if.question) ? { ...q, show_if: null } : q)),
    })),
  )
}

/** The questions before (step, index) that a condition may test: not text or file. */
export function conditionTargets(doc: Doc, step: number, index: number): Question[] {
  const earlier = doc.steps.slice(0, step).flatMap((s) => s.questions)
  earlier.push(...(doc.steps[step]?.questions.slice(0, index) ?? []))
  return earlier.filter((q) => q.type !== 'text' && q.type !== 'file')
}

/** The values a condition on `target` can test, as (value, label) for a picker. */
export function conditionValues(target: Question): { value: string; label: string }[] {
  if (target.type === 'yes_no') {
    return [
      { value: 'true', label: 'Yes' },
      { value: 'false', label: 'No' },
    ]
  }
  if (target.type === 'single_choice' || target.type === 'multi_choice') {
    return target.options.map((o) => ({ value: o.value, label: o.label }))
  }
  return []
}

/** The condition "show when `target` is (or, for multiple choice, includes) `value`". */
export function makeShowIf(target: Question, value: string): ShowIf {
  if (target.type === 'multi_choice') return { question: target.id, includes: value }
  if (target.type === 'yes_no') return { question: target.id, equals: value === 'true' }
  if (target.type === 'number') return { question: target.id, equals: Number(value) }
  return { question: target.id, equals: value }
}

/** The picker's value for a stored condition (its first value). */
export function showIfValue(cond: ShowIf): string {
  const value = cond.includes ?? cond.equals ?? cond.any_of?.[0]
  return value === null || value === undefined ? '' : String(value)
}

function holds(cond: ShowIf, answer: SampleValue | undefined): boolean {
  if (answer === undefined) return false
  if (cond.includes != null) return Array.isArray(answer) && answer.includes(cond.includes)
  const wanted = cond.any_of ?? [cond.equals]
  return wanted.some((w) => typeof w === typeof answer && w === answer)
}

/** The question ids a vendor sees for these answers: a condition on a hidden question is false. */
export function visibleIds(doc: Doc, answers: Readonly<Record<string, SampleValue>>): Set<string> {
  const shown = new Set<string>()
  for (const q of doc.steps.flatMap((s) => s.questions)) {
    const cond = q.show_if
    if (!cond || (shown.has(cond.question) && holds(cond, answers[cond.question]))) shown.add(q.id)
  }
  return shown
}

export type ProblemsByPath = ReadonlyMap<string, string[]>

/** The server's `errors: [{path, message}]` grouped by path. */
export function problemsByPath(body: Readonly<Record<string, unknown>> | undefined): ProblemsByPath {
  const map = new Map<string, string[]>()
  const errors = body?.errors
  if (!Array.isArray(errors)) return map
  for (const e of errors) {
    if (e && typeof e === 'object' && 'path' in e && 'message' in e) {
      const path = String(e.path)
      map.set(path, [...(map.get(path) ?? []), String(e.message)])
    }
  }
  return map
}

/** Problems at `path` itself (`exact`) or anywhere under it. */
export function problemsAt(problems: ProblemsByPath, path: string, exact = true): string[] {
  if (exact) return problems.get(path) ?? []
  return [...problems.entries()].filter(([p]) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)).flatMap(([, m]) => m)
}

export function questionPath(step: number, index: number): string {
  return `steps[${step}].questions[${index}]`
}

export function countQuestions(doc: Doc): number {
  return doc.steps.reduce((n, s) => n + s.questions.length, 0)
}
