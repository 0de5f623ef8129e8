import { useId, useState, type FormEvent } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  ASSESSMENTS_KEY,
  clearOverride,
  completeReview,
  downloadEvidence,
  formatScore,
  getReview,
  overrideScore,
  RATING_LABEL,
  sourceLabel,
  STATUS_LABEL,
  type Evidence,
  type Review,
  type ReviewQuestion,
} from '../../assessments'
import { PERMISSION } from '../../identity'
import { usePermissions } from '../../me'
import { inputClass, linkClass, primaryButton, secondaryButton } from '../../components/form'
import { formatDate, formatDateTime, Page, Section } from '../../components/Page'
import { asProblem, ProblemAlert } from '../../components/ProblemAlert'

function OverrideForm({ assessmentId, question, onDone }: { assessmentId: string; question: ReviewQuestion; onDone: (r: Review) => void }) {
  const id = useId()
  const [score, setScore] = useState(String(question.override_score ?? question.effective_score ?? 0.5))
  const [reason, setReason] = useState(question.override_reason ?? '')
  const [error, setError] = useState<unknown>(null)
  const [pending, setPending] = useState(false)

  async function run(action: () => Promise<Review>) {
    setPending(true)
    setError(null)
    try {
      onDone(await action())
    } catch (err) {
      setError(err)
    } finally {
      setPending(false)
    }
  }
  function submit(e: FormEvent) {
    e.preventDefault()
    void run(() => overrideScore(assessmentId, question.id, Number(score), reason.trim()))
  }

  return (
    <form onSubmit={submit} className="mt-2 space-y-2 rounded-md bg-slate-50 p-3" aria-label={`Override the score of ${question.id}`}>
      <div className="flex flex-wrap items-end gap-3">
        <div className="space-y-1">
          <label htmlFor={`${id}-score`} className="block text-xs font-medium text-slate-700">
            Reviewer score (0 fails, 1 meets)
          </label>
          <input
            id={`${id}-score`}
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={score}
            onChange={(e) => setScore(e.target.value)}
            className={`${inputClass} w-28`}
            required
          />
        </div>
        <div className="min-w-64 flex-1 space-y-1">
          <label htmlFor={`${id}-reason`} className="block text-xs font-medium text-slate-700">
            Reason (required)
          </label>
          <input
            id={`${id}-reason`}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            minLength={3}
            maxLength={2000}
            required
            className={inputClass}
          />
        </div>
        <button type="submit" className={secondaryButton} disabled={pending}>
          Override
        </button>
        {question.override_score !== null && (
          <button type="button" className={secondaryButton} disabled={pending} onClick={() => void run(() => clearOverride(assessmentId, question.id))}>
            Clear override
          </button>
        )}
      </div>
      {error !== null && <ProblemAlert error={asProblem(error)} />}
    </form>
  )
}

function EvidenceLinks({ assessmentId, files }: { assessmentId: string; files: Evidence[] }) {
  const save = async (file: Evidence) => {
    const url = URL.createObjectURL(await downloadEvidence(assessmentId, file))
    const link = document.createElement('a')
    link.href = url
    link.download = file.filename
    link.click()
    URL.revokeObjectURL(url)
  }
  return (
    <ul className="mt-1 space-y-1">
      {files.map((f) => (
        <li key={f.id} className="text-sm">
          <button type="button" className={linkClass} onClick={() => void save(f)}>
            Download {f.filename}
          </button>{' '}
          <span className="text-xs text-slate-600">({Math.ceil(f.size_bytes / 1024)} KB)</span>
        </li>
      ))}
    </ul>
  )
}

function QuestionReview({
  assessmentId,
  question,
  editable,
  onDone,
}: {
  assessmentId: string
  question: ReviewQuestion
  editable: boolean
  onDone: (r: Review) => void
}) {
  const answer = question.answer_label ?? (question.evidence.length > 0 ? 'Answered with evidence' : 'No answer')
  return (
    <li className="space-y-1 py-3" data-testid="review-question" data-question={question.id}>
      <p className="text-sm font-medium text-slate-900">{question.text}</p>
      {question.requirement && <p className="text-xs text-slate-600">Requirement: {question.requirement}</p>}
      <p className="whitespace-pre-wrap text-sm text-slate-800">
        <span className="font-medium">Answer: </span>
        {answer}
      </p>
      {question.evidence.length > 0 && <EvidenceLinks assessmentId={assessmentId} files={question.evidence} />}
      {question.weight > 0 && (
        <p className="text-sm">
          <span className="font-medium">Automatic score: </span>
          <span data-testid="auto-score">{formatScore(question.auto_score)}</span> ·{' '}
          <span data-testid="auto-source">{question.needs_model && question.auto_source === null ? 'Waiting for the model evaluation' : sourceLabel(question.auto_source)}</span>
          {question.auto_rationale && <span className="block text-xs text-slate-600">{question.auto_rationale}</span>}
        </p>
      )}
      {question.override_score !== null && (
        <p className="text-sm" data-testid="override">
          <span className="font-medium">Reviewer score: </span>
          {formatScore(question.override_score)} — {question.override_reason}
          {question.override_by_name ? ` (${question.override_by_name})` : ''}
        </p>
      )}
      {editable && question.weight > 0 && <OverrideForm assessmentId={assessmentId} question={question} onDone={onDone} />}
    </li>
  )
}

function CompleteForm({ review, onDone }: { review: Review; onDone: (r: Review) => void }) {
  const forceable = review.assessment.evaluation === 'failed' && review.result.pending > 0
  const [reason, setReason] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [pending, setPending] = useState(false)
  const id = useId()
  async function complete() {
    setPending(true)
    setError(null)
    try {
      onDone(await completeReview(review.assessment.id, forceable, forceable ? reason.trim() : null))
    } catch (err) {
      setError(err)
    } finally {
      setPending(false)
    }
  }
  return (
    <div className="space-y-2">
      {review.complete_refusal && <p className="text-sm text-amber-800">{review.complete_refusal}</p>}
      {forceable && (
        <div className="space-y-1">
          <label htmlFor={id} className="block text-sm font-medium text-slate-700">
            Why complete without the model evaluation (required)
          </label>
          <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={2000} className={inputClass} />
        </div>
      )}
      <button
        type="button"
        className={primaryButton}
        disabled={pending || !(review.can_complete || (forceable && reason.trim().length >= 3))}
        onClick={() => void complete()}
      >
        Complete review
      </button>
      {error !== null && <ProblemAlert error={asProblem(error)} />}
    </div>
  )
}

/** `/assessments/:assessmentId`: a vendor's answers, scores, overrides and completion. */
export function AssessmentReviewPage({ assessmentId }: { assessmentId: string }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const key = [...ASSESSMENTS_KEY, 'review', assessmentId]
  const review = useQuery({ queryKey: key, queryFn: ({ signal }) => getReview(assessmentId, signal) })
  const onDone = (r: Review) => {
    queryClient.setQueryData(key, r)
    void queryClient.invalidateQueries({ queryKey: ASSESSMENTS_KEY, predicate: (q) => q.queryKey[1] !== 'review' })
  }
  if (review.error) {
    return (
      <Page title="Assessment review">
        <ProblemAlert error={asProblem(review.error)} />
      </Page>
    )
  }
  if (!review.data) {
    return (
      <Page title="Assessment review">
        <p role="status">Loading…</p>
      </Page>
    )
  }
  const r = review.data
  const a = r.assessment
  const editable = a.status === 'submitted' && (permissions?.has(PERMISSION.tprmManage) ?? false)
  return (
    <Page title={`${a.vendor_name}: ${a.questionnaire_name}`} documentTitle="Assessment review" eyebrow="Assessment review">
      <Section title="Summary">
        <dl className="grid gap-3 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-slate-600">Status</dt>
            <dd data-testid="assessment-status">{STATUS_LABEL[a.status]}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Overall score</dt>
            <dd className="text-lg font-semibold tabular-nums" data-testid="overall-score">
              {formatScore(r.result.score)}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">Rating</dt>
            <dd data-testid="overall-rating">{r.result.rating ? RATING_LABEL[r.result.rating] : '—'}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Due / submitted</dt>
            <dd className="tabular-nums">
              {a.due_date} / {a.submitted_at ? formatDate(a.submitted_at) : '—'}
            </dd>
          </div>
        </dl>
        {r.result.pending > 0 && <p className="text-sm text-slate-700">{r.result.pending} question(s) wait for the model evaluation.</p>}
        {a.evaluation_error && <p className="text-sm text-rose-800">Model evaluation failed: {a.evaluation_error}</p>}
      </Section>
      {r.steps.map((step) => (
        <Section key={step.id} title={step.title} description={step.description || undefined}>
          <ol className="divide-y divide-slate-100">
            {step.questions.map((q) => (
              <QuestionReview key={q.id} assessmentId={assessmentId} question={q} editable={editable} onDone={onDone} />
            ))}
          </ol>
        </Section>
      ))}
      <Section title="Findings" description="Scored questions below 0.5, at their severity.">
        {r.result.findings.length === 0 ? (
          <p className="text-sm text-slate-600">No finding.</p>
        ) : (
          <ul className="space-y-1" data-testid="findings">
            {r.result.findings.map((f) => (
              <li key={f.question_id} className="text-sm">
                <span className="font-medium capitalize">{f.severity}</span>: {f.title} ({formatScore(f.score)})
              </li>
            ))}
          </ul>
        )}
        {editable && <CompleteForm review={r} onDone={onDone} />}
      </Section>
      <Section title="Timeline">
        <ol className="space-y-1 text-sm">
          {r.timeline.map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <span className="tabular-nums text-slate-600">{formatDateTime(e.at)}</span> — {e.event.replace('_', ' ')}
              {e.actor_name ? ` by ${e.actor_name}` : ''}
            </li>
          ))}
        </ol>
      </Section>
    </Page>
  )
}
