// The portal's step navigator: each step with "n of m answered", and the review step last.
import { isAnswered, type Answers, type Step } from './portal'

export interface StepProgress {
  step: Step
  answered: number
  shown: number
}

export function stepProgress(steps: Step[], visible: Set<string>, answers: Answers, files: Record<string, number>): StepProgress[] {
  return steps.map((step) => {
    const shown = step.questions.filter((q) => visible.has(q.id))
    return { step, shown: shown.length, answered: shown.filter((q) => isAnswered(q, answers, files[q.id] ?? 0)).length }
  })
}

export function StepNav({
  progress,
  current,
  onSelect,
}: {
  progress: StepProgress[]
  current: number
  onSelect: (index: number) => void
}) {
  const item = (index: number, label: string, detail: string) => (
    <li key={index}>
      <button
        type="button"
        onClick={() => onSelect(index)}
        aria-current={index === current ? 'step' : undefined}
        className={`w-full rounded-md px-3 py-2 text-left text-sm focus-visible:outline-2 focus-visible:outline-sky-600 ${
          index === current ? 'bg-slate-900 text-white' : 'text-slate-800 hover:bg-slate-100'
        }`}
      >
        <span className="block font-medium">{label}</span>
        <span className={`block text-xs ${index === current ? 'text-slate-200' : 'text-slate-600'}`}>{detail}</span>
      </button>
    </li>
  )
  return (
    <nav aria-label="Questionnaire steps">
      <ol className="space-y-1">
        {progress.map((p, i) => item(i, `${i + 1}. ${p.step.title}`, `${p.answered} of ${p.shown} answered`))}
        {item(progress.length, `${progress.length + 1}. Review and submit`, 'Check and send your answers')}
      </ol>
    </nav>
  )
}
