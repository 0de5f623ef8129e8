// Assessment campaigns and their review (api/routes/assessments.py, assessment_review.py,
// docs/tprm.md "Assessments"). Through the typed client; evidence downloads through
// `authedFetch` with a path checked against the document.
import { answer, api, pathOf, type Schema } from './api/client'
import { authedFetch } from './session'

export type Assessment = Schema<'AssessmentOut'>
export type AssessmentSent = Schema<'AssessmentSent'>
export type AssessmentStatus = Assessment['status']
export type Review = Schema<'ReviewOut'>
export type ReviewQuestion = Schema<'ReviewQuestion'>
export type Evidence = Schema<'ReviewEvidenceOut'>
export type SendOptions = Schema<'SendOptions'>

export const ASSESSMENTS_KEY = ['assessments'] as const

export const STATUS_LABEL: Record<AssessmentStatus, string> = {
  sent: 'Sent',
  in_progress: 'In progress',
  submitted: 'Submitted — to review',
  completed: 'Completed',
  cancelled: 'Cancelled',
}

export const RATING_LABEL: Record<NonNullable<Assessment['rating']>, string> = {
  low: 'Low risk',
  medium: 'Medium risk',
  high: 'High risk',
  critical: 'Critical risk',
}

/** Where an automatic score came from, said plainly: model-less evaluation is labelled so. */
export function sourceLabel(source: ReviewQuestion['auto_source']): string {
  if (source === 'offline') return 'Offline analyst — no model configured'
  if (source === 'model') return 'Model evaluation'
  if (source === 'rules') return 'Scoring rules'
  return 'Not scored yet'
}

export function isOpen(a: Assessment): boolean {
  return a.status === 'sent' || a.status === 'in_progress'
}

export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : score.toFixed(score % 1 === 0 ? 0 : 1)
}

export async function listAssessments(
  query: { status?: AssessmentStatus; vendor_id?: string; limit?: number; offset?: number },
  signal?: AbortSignal,
): Promise<Schema<'Page_AssessmentOut_'>> {
  return answer(await api.GET('/api/assessments', { params: { query }, signal }))
}

export async function vendorAssessments(vendorId: string, signal?: AbortSignal): Promise<Assessment[]> {
  return answer(await api.GET('/api/vendors/{vendor_id}/assessments', { params: { path: { vendor_id: vendorId } }, signal }))
}

export async function sendOptions(vendorId: string, signal?: AbortSignal): Promise<SendOptions> {
  return answer(await api.GET('/api/vendors/{vendor_id}/assessment-options', { params: { path: { vendor_id: vendorId } }, signal }))
}

export async function sendAssessment(vendorId: string, body: Schema<'SendIn'>): Promise<AssessmentSent> {
  return answer(await api.POST('/api/vendors/{vendor_id}/assessments', { params: { path: { vendor_id: vendorId } }, body }))
}

export async function resendAssessment(id: string, dueDate: string | null): Promise<AssessmentSent> {
  return answer(
    await api.POST('/api/assessments/{assessment_id}/resend', { params: { path: { assessment_id: id } }, body: { due_date: dueDate } }),
  )
}

export async function cancelAssessment(id: string): Promise<Assessment> {
  return answer(await api.POST('/api/assessments/{assessment_id}/cancel', { params: { path: { assessment_id: id } } }))
}

export async function getReview(id: string, signal?: AbortSignal): Promise<Review> {
  return answer(await api.GET('/api/assessments/{assessment_id}', { params: { path: { assessment_id: id } }, signal }))
}

export async function overrideScore(id: string, questionId: string, score: number, reason: string): Promise<Review> {
  return answer(
    await api.PUT('/api/assessments/{assessment_id}/answers/{question_id}/override', {
      params: { path: { assessment_id: id, question_id: questionId } },
      body: { score, reason },
    }),
  )
}

export async function clearOverride(id: string, questionId: string): Promise<Review> {
  return answer(
    await api.DELETE('/api/assessments/{assessment_id}/answers/{question_id}/override', {
      params: { path: { assessment_id: id, question_id: questionId } },
    }),
  )
}

export async function completeReview(id: string, force: boolean, reason: string | null): Promise<Review> {
  return answer(
    await api.POST('/api/assessments/{assessment_id}/complete', {
      params: { path: { assessment_id: id } },
      body: { force, reason },
    }),
  )
}

/** An evidence file's bytes (always a download on the server's side too). */
export async function downloadEvidence(assessmentId: string, evidence: Evidence): Promise<Blob> {
  const res = await authedFetch(
    pathOf('/api/assessments/{assessment_id}/evidence/{evidence_id}', { assessment_id: assessmentId, evidence_id: evidence.id }),
  )
  return res.blob()
}

/** Tomorrow and a year from today in UTC (YYYY-MM-DD): the due dates a send accepts. */
export function dueBounds(now: Date = new Date()): { min: string; max: string } {
  const day = (d: number, y = 0) =>
    new Date(Date.UTC(now.getUTCFullYear() + y, now.getUTCMonth(), now.getUTCDate() + d)).toISOString().slice(0, 10)
  return { min: day(1), max: day(0, 1) }
}
