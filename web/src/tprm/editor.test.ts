import { describe, expect, it } from 'vitest'
import {
  addQuestion,
  addStep,
  conditionTargets,
  conditionValues,
  makeShowIf,
  moveQuestion,
  newQuestion,
  problemsAt,
  problemsByPath,
  removeQuestion,
  removeStep,
  showIfValue,
  uniqueId,
  visibleIds,
  type Doc,
  type Question,
} from './editor'

function doc(...questions: Question[]): Doc {
  return { format: 'draxis.questionnaire/1', name: 'T', description: '', steps: [{ id: 's1', title: 'S', description: '', questions }] }
}

const yn = (id: string, extra: Partial<Question> = {}) => ({ ...newQuestion('yes_no', id), ...extra }) as Question
const multi = newQuestion('multi_choice', 'm')

describe('questionnaire editor', () => {
  it('gives new questions and steps ids that are not taken', () => {
    expect(uniqueId('q1', new Set(['q1', 'q1_2']))).toBe('q1_3')
    const two = addQuestion(doc(yn('q1')), 0)
    expect(two.steps[0]!.questions.map((q) => q.id)).toEqual(['q1', 'q2'])
    const stepped = addStep(two)
    expect(stepped.steps.map((s) => s.id)).toEqual(['s1', 'step2'])
    expect(stepped.steps[1]!.questions[0]!.id).toBe('q3')
  })

  it('changing type keeps the text, weight and condition and gives the type its fields', () => {
    const from = yn('a', { text: 'Encrypted?', weight: 3, show_if: { question: 'x', equals: true } })
    const file = newQuestion('file', 'a', from)
    expect(file).toMatchObject({ type: 'file', text: 'Encrypted?', weight: 3, evidence: 'required', evaluate: false })
    expect(file.show_if).toEqual({ question: 'x', equals: true })
    const number = newQuestion('number', 'a', from)
    expect(number).toMatchObject({ type: 'number', at_least: null, at_most: null })
    expect(newQuestion('single_choice', 'a', from)).toHaveProperty('options')
  })

  it('removing a question or a step drops the conditions that named it', () => {
    const d = doc(yn('a'), yn('b', { show_if: { question: 'a', equals: true } }))
    expect(removeQuestion(d, 0, 0).steps[0]!.questions).toEqual([{ ...yn('b'), show_if: null }])
    const two: Doc = { ...d, steps: [{ ...d.steps[0]!, questions: [yn('a')] }, { id: 's2', title: 'S2', description: '', questions: [yn('b', { show_if: { question: 'a', equals: false } })] }] }
    expect(removeStep(two, 0).steps[0]!.questions[0]!.show_if).toBeNull()
  })

  it('moves questions within the step and ignores moves past the ends', () => {
    const d = doc(yn('a'), yn('b'))
    expect(moveQuestion(d, 0, 0, 1).steps[0]!.questions.map((q) => q.id)).toEqual(['b', 'a'])
    expect(moveQuestion(d, 0, 0, -1).steps[0]!.questions.map((q) => q.id)).toEqual(['a', 'b'])
  })

  it('a condition may test only earlier, testable questions', () => {
    const d = doc(yn('a'), newQuestion('text', 't'), multi, yn('z'))
    expect(conditionTargets(d, 0, 3).map((q) => q.id)).toEqual(['a', 'm'])
    expect(conditionTargets(d, 0, 0)).toEqual([])
  })

  it('builds conditions by the target type', () => {
    expect(makeShowIf(yn('a'), 'false')).toEqual({ question: 'a', equals: false })
    expect(makeShowIf(multi, 'yes')).toEqual({ question: 'm', includes: 'yes' })
    expect(makeShowIf(newQuestion('number', 'n'), '3')).toEqual({ question: 'n', equals: 3 })
    expect(conditionValues(yn('a')).map((v) => v.value)).toEqual(['true', 'false'])
    expect(showIfValue({ question: 'a', equals: false })).toBe('false')
    expect(showIfValue({ question: 'm', includes: 'yes' })).toBe('yes')
  })

  it('previews the questions a vendor sees, hidden parents hiding their children', () => {
    const d = doc(yn('a'), yn('b', { show_if: { question: 'a', equals: true } }), yn('c', { show_if: { question: 'b', equals: true } }), multi, yn('d', { show_if: { question: 'm', includes: 'no' } }))
    expect([...visibleIds(d, {})]).toEqual(['a', 'm'])
    expect([...visibleIds(d, { a: true, b: true })]).toEqual(['a', 'b', 'c', 'm'])
    expect([...visibleIds(d, { a: false, b: true })]).toEqual(['a', 'm'])
    expect(visibleIds(d, { m: ['no'] }).has('d')).toBe(true)
    expect(visibleIds(d, { a: 1 as unknown as boolean }).has('b')).toBe(false)
  })

  it('groups server problems by JSON path for the fields', () => {
    const problems = problemsByPath({
      errors: [
        { path: 'steps[0].questions[1].weight', message: 'too big' },
        { path: 'steps[0].questions[1].options[0].value', message: 'bad value' },
        { path: 'steps[0].questions[10].text', message: 'other question' },
      ],
    })
    expect(problemsAt(problems, 'steps[0].questions[1].weight')).toEqual(['too big'])
    expect(problemsAt(problems, 'steps[0].questions[1].options', false)).toEqual(['bad value'])
    expect(problemsAt(problems, 'steps[0].questions[1]', false)).toEqual(['too big', 'bad value'])
    expect(problemsByPath({ detail: 'x' }).size).toBe(0)
  })
})
