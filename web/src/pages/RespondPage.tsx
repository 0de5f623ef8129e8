// `/respond#token=…`: a vendor contact answers an assessment, outside the signed-in shell. The
// token is read from the fragment and wiped from the address bar at once (respond/portal.ts);
// answers autosave as they change; evidence uploads with progress; the review step lists what
// is missing; submission is final.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ProblemError } from '../api/http'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { useDocumentTitle } from '../components/documentTitle'
import { linkClass, primaryButton, secondaryButton } from '../components/form'
import { LoadingScreen } from '../components/LoadingScreen'
import { Notice } from '../respond/Notice'
import {
  clearAnswer,
  forgetToken,
  isAnswered,
  openAssessment,
  removeEvidence,
  saveAnswer,
  submitAssessment,
  takeToken,
  uploadEvidence,
  visibleIds,
  type AnswerValue,
  type Answers,
  type Assessment,
  type Evidence,
  type Question,
  type Submitted,
} from '../respond/portal'
import { QuestionField, type SaveStatus, type Upload } from '../respond/QuestionField'
import { StepNav, stepProgress } from '../respond/StepNav'

type Phase =
  | { kind: 'loading' }
  | { kind: 'no-link' }
  | { kind: 'gone'; detail: string }
  | { kind: 'failed'; detail: string }
  | { kind: 'open'; assessment: Assessment }
  | { kind: 'submitted'; result: Submitted; requester: string }

const DEBOUNCE_MS = 700

function reasonOf(err: unknown): string {
  return err instanceof ProblemError ? err.detail.replace(/^Not saved: /, '') : 'the server could not be reached'
}

function missingOf(questions: Question[], visible: Set<string>, answers: Answers, files: Record<string, number>) {
  const gaps: { question: Question; reason: string }[] = []
  for (const q of questions) {
    if (!visible.has(q.id)) continue
    const count = files[q.id] ?? 0
    if (q.type === 'file') {
      if (q.required && count === 0) gaps.push({ question: q, reason: 'upload at least one file' })
      continue
    }
    const answered = isAnswered(q, answers, count)
    if (q.required && !answered) gaps.push({ question: q, reason: 'an answer is required' })
    else if (q.evidence === 'required' && count === 0 && answers[q.id] !== undefined)
      gaps.push({ question: q, reason: 'evidence is required for this answer' })
  }
  return gaps
}

export function RespondPage() {
  const [token] = useState(() => takeToken())
  const [phase, setPhase] = useState<Phase>(() => (token ? { kind: 'loading' } : { kind: 'no-link' }))

  useEffect(() => {
    if (!token) return
    let live = true
    openAssessment(token).then(
      (assessment) => live && setPhase({ kind: 'open', assessment }),
      (err: unknown) => {
        if (!live) return
        if (err instanceof ProblemError && (err.status === 410 || err.status === 401)) {
          forgetToken()
          setPhase({ kind: 'gone', detail: err.detail })
        } else setPhase({ kind: 'failed', detail: reasonOf(err) })
      },
    )
    return () => {
      live = false
    }
  }, [token])

  if (phase.kind === 'loading') return <LoadingScreen label="Opening your assessment…" />
  if (phase.kind === 'no-link')
    return (
      <Notice title="This assessment link is incomplete">
        <p>Open the full link from the e-mail you received. If it still does not work, ask the person who sent it for a new one.</p>
      </Notice>
    )
  if (phase.kind === 'gone')
    return (
      <Notice title="This assessment link can no longer be used">
        <p>It has already been used to submit answers, has expired or was withdrawn.</p>
        <p>If you still need to answer, contact the person at the company that sent you the link and ask for a new one.</p>
      </Notice>
    )
  if (phase.kind === 'failed')
    return (
      <Notice title="The assessment could not be opened">
        <p>{phase.detail}</p>
        <p>Reload the page to try again.</p>
      </Notice>
    )
  if (phase.kind === 'submitted')
    return (
      <Notice title="Your answers have been submitted">
        <p>Thank you. {phase.requester} has received your answers; this link can no longer be used.</p>
        <p>For any question about this assessment, contact {phase.requester} directly.</p>
      </Notice>
    )
  return (
    <Portal
      token={token ?? ''}
      assessment={phase.assessment}
      onGone={(detail) => {
        forgetToken()
        setPhase({ kind: 'gone', detail })
      }}
      onSubmitted={(result) => {
        forgetToken()
        setPhase({ kind: 'submitted', result, requester: phase.assessment.requester_name })
      }}
    />
  )
}

function Portal({
  token,
  assessment,
  onGone,
  onSubmitted,
}: {
  token: string
  assessment: Assessment
  onGone: (detail: string) => void
  onSubmitted: (result: Submitted) => void
}) {
  const doc = assessment.questionnaire
  useDocumentTitle(`${doc.name} for ${assessment.vendor_name}`)
  const [answers, setAnswers] = useState<Answers>(() => assessment.answers as Answers)
  const [evidence, setEvidence] = useState<Evidence[]>(assessment.evidence)
  const [statuses, setStatuses] = useState<Record<string, SaveStatus>>({})
  const [uploads, setUploads] = useState<Record<string, Upload[]>>({})
  const [current, setCurrent] = useState(0)
  const [confirming, setConfirming] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  const [submitError, setSubmitError] = useState<string | null>(null)
  const timers = useRef<Record<string, number>>({})
  const headingRef = useRef<HTMLHeadingElement>(null)
  const focusAfter = useRef<string | null>(null)

  const questions = useMemo(() => doc.steps.flatMap((s) => s.questions), [doc])
  const visible = useMemo(() => visibleIds(doc, answers), [doc, answers])
  const files = useMemo(() => {
    const counts: Record<string, number> = {}
    for (const e of evidence) counts[e.question_id] = (counts[e.question_id] ?? 0) + 1
    return counts
  }, [evidence])
  const progress = stepProgress(doc.steps, visible, answers, files)
  const missing = missingOf(questions, visible, answers, files)
  const reviewing = current === doc.steps.length

  useEffect(() => {
    const target = focusAfter.current ? document.getElementById(`q-${focusAfter.current}`) : headingRef.current
    focusAfter.current = null
    target?.focus()
  }, [current])

  useEffect(() => {
    const pending = timers.current
    return () => Object.values(pending).forEach((t) => window.clearTimeout(t))
  }, [])

  const failed = useCallback(
    (questionId: string, err: unknown) => {
      if (err instanceof ProblemError && err.status === 410) onGone(err.detail)
      else setStatuses((s) => ({ ...s, [questionId]: { state: 'error', reason: reasonOf(err) } }))
    },
    [onGone],
  )

  function change(q: Question, value: AnswerValue | undefined) {
    setAnswers((a) => {
      const next = { ...a }
      if (value === undefined) delete next[q.id]
      else next[q.id] = value
      return next
    })
    setStatuses((s) => ({ ...s, [q.id]: { state: 'saving' } }))
    window.clearTimeout(timers.current[q.id])
    const typed = q.type === 'text' || q.type === 'number' || q.type === 'date'
    timers.current[q.id] = window.setTimeout(
      () => {
        const call = value === undefined ? clearAnswer(token, q.id) : saveAnswer(token, q.id, value)
        call.then(
          () => setStatuses((s) => ({ ...s, [q.id]: { state: 'saved' } })),
          (err: unknown) => failed(q.id, err),
        )
      },
      typed ? DEBOUNCE_MS : 0,
    )
  }

  function upload(q: Question, file: File) {
    const key = `${file.name}-${Date.now()}-${Math.random()}`
    const patch = (change: (u: Upload) => Upload | null) =>
      setUploads((all) => ({
        ...all,
        [q.id]: (all[q.id] ?? []).flatMap((u) => (u.key === key ? (change(u) ?? []) : [u])),
      }))
    setUploads((all) => ({ ...all, [q.id]: [...(all[q.id] ?? []), { key, name: file.name, fraction: 0 }] }))
    uploadEvidence(token, q.id, file, (fraction) => patch((u) => ({ ...u, fraction }))).then(
      (saved) => {
        patch(() => null)
        setEvidence((e) => [...e, saved])
        setStatuses((s) => ({ ...s, [q.id]: { state: 'saved' } }))
      },
      (err: unknown) => {
        if (err instanceof ProblemError && err.status === 410) onGone(err.detail)
        else patch((u) => ({ ...u, error: reasonOf(err) }))
      },
    )
  }

  function remove(q: Question, item: Evidence) {
    removeEvidence(token, item.id).then(
      () => setEvidence((e) => e.filter((x) => x.id !== item.id)),
      (err: unknown) => failed(q.id, err),
    )
  }

  function goTo(index: number, question?: string) {
    focusAfter.current = question ?? null
    setCurrent(index)
    if (index === current && question) document.getElementById(`q-${question}`)?.focus()
  }

  async function submit() {
    setSubmitting(true)
    setSubmitError(null)
    try {
      onSubmitted(await submitAssessment(token))
    } catch (err) {
      setSubmitting(false)
      setConfirming(false)
      if (err instanceof ProblemError && err.status === 410) onGone(err.detail)
      else setSubmitError(err instanceof ProblemError ? err.detail : reasonOf(err))
    }
  }

  const step = doc.steps[current]
  return (
    <div className="min-h-screen bg-slate-50">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-5xl px-4 py-4">
          <p className="text-sm font-semibold text-slate-500">Draxis vendor assessment</p>
          <p className="text-xl font-semibold text-slate-900">{doc.name}</p>
          <p className="mt-1 text-sm text-slate-700">
            {assessment.requester_name} asks {assessment.vendor_name}
            {assessment.recipient_name ? ` (${assessment.recipient_name})` : ''} to answer by{' '}
            <strong>{assessment.due_date}</strong>. This link works until{' '}
            {new Date(assessment.expires_at).toLocaleDateString()}.
          </p>
          {assessment.message && <p className="mt-2 whitespace-pre-line text-sm text-slate-700">{assessment.message}</p>}
          <p className="mt-1 text-xs text-slate-500">Answers are saved as you go; you can leave and come back with the same link.</p>
        </div>
      </header>
      <div className="mx-auto grid max-w-5xl gap-6 px-4 py-6 md:grid-cols-[16rem_1fr]">
        <StepNav progress={progress} current={current} onSelect={(i) => goTo(i)} />
        <main aria-labelledby="step-heading" className="space-y-4">
          {!reviewing && step && (
            <>
              <h1 id="step-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-slate-900">
                {step.title}
              </h1>
              {step.description && <p className="text-sm text-slate-700">{step.description}</p>}
              {step.questions
                .filter((q) => visible.has(q.id))
                .map((q) => (
                  <QuestionField
                    key={q.id}
                    question={q}
                    value={answers[q.id]}
                    onChange={(v) => change(q, v)}
                    status={statuses[q.id]}
                    evidence={evidence.filter((e) => e.question_id === q.id)}
                    uploads={uploads[q.id]}
                    onUpload={(f) => upload(q, f)}
                    onRemove={(e) => remove(q, e)}
                  />
                ))}
              <div className="flex justify-between">
                <button type="button" className={secondaryButton} disabled={current === 0} onClick={() => goTo(current - 1)}>
                  Previous
                </button>
                <button type="button" className={primaryButton} onClick={() => goTo(current + 1)}>
                  Next
                </button>
              </div>
            </>
          )}
          {reviewing && (
            <>
              <h1 id="step-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-slate-900">
                Review and submit
              </h1>
              {missing.length > 0 ? (
                <section aria-labelledby="missing-heading" className="rounded-lg border border-amber-300 bg-amber-50 p-4">
                  <h2 id="missing-heading" className="text-sm font-semibold text-amber-900">
                    {missing.length} {missing.length === 1 ? 'question needs' : 'questions need'} attention before you can submit
                  </h2>
                  <ul className="mt-2 list-disc space-y-1 pl-5 text-sm">
                    {missing.map(({ question, reason }) => {
                      const index = doc.steps.findIndex((s) => s.questions.some((q) => q.id === question.id))
                      return (
                        <li key={question.id}>
                          <button type="button" className={linkClass} onClick={() => goTo(index, question.id)}>
                            {question.text}
                          </button>{' '}
                          <span className="text-amber-900">({reason})</span>
                        </li>
                      )
                    })}
                  </ul>
                </section>
              ) : (
                <p className="text-sm text-slate-700">Every required question is answered.</p>
              )}
              {submitError && (
                <p role="alert" className="rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-900">
                  {submitError}
                </p>
              )}
              <div className="flex justify-between">
                <button type="button" className={secondaryButton} onClick={() => goTo(current - 1)}>
                  Previous
                </button>
                <button
                  type="button"
                  className={primaryButton}
                  disabled={missing.length > 0}
                  onClick={() => setConfirming(true)}
                >
                  Submit answers
                </button>
              </div>
            </>
          )}
        </main>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Submit your answers?"
          confirmLabel="Submit"
          pending={submitting}
          onConfirm={() => void submit()}
          onCancel={() => setConfirming(false)}
        >
          Submitting is final: you cannot change your answers or files afterwards.
        </ConfirmDialog>
      )}
    </div>
  )
}
