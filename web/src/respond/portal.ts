// The vendor portal's calls and rules, on the typed client with the link's token
// (`Authorization: Assessment <token>`); no session. The token comes from the link's fragment
// (`/respond#token=…`), is removed from the address bar at once and kept for this tab only.
import { answer, asRespondent, done, pathOf, publicApi, type Schema } from '../api/client'
import { uploadWithProgress } from '../api/upload'

export type Assessment = Schema<'RespondOut'>
export type Document = Schema<'QuestionnaireDocument'>
export type Step = Schema<'Step'>
export type Question = Step['questions'][number]
export type Evidence = Schema<'EvidenceOut'>
export type Progress = Schema<'ProgressOut'>
export type Submitted = Schema<'SubmittedOut'>
export type AnswerValue = boolean | number | string | string[]
export type Answers = Record<string, AnswerValue>

const STORE = 'draxis.respond.token'

/** The link's token: from the fragment (then wiped from the address bar), else this tab's copy. */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)
  if (match) {
    const token = decodeURIComponent(match[1] ?? '')
    try {
      window.sessionStorage.setItem(STORE, token)
    } catch {
      // Storage off: the token lives in memory only, for this page view.
    }
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search)
    return token
  }
  try {
    return window.sessionStorage.getItem(STORE)
  } catch {
    return null
  }
}

export function forgetToken(): void {
  try {
    window.sessionStorage.removeItem(STORE)
  } catch {
    // nothing stored
  }
}

export async function openAssessment(token: string): Promise<Assessment> {
  return answer(await publicApi.GET('/api/respond', asRespondent(token)))
}

export async function saveAnswer(token: string, questionId: string, value: AnswerValue): Promise<Progress> {
  return answer(
    await publicApi.PUT('/api/respond/answers/{question_id}', {
      params: { path: { question_id: questionId } },
      body: { value },
      ...asRespondent(token),
    }),
  )
}

export async function clearAnswer(token: string, questionId: string): Promise<Progress> {
  return answer(
    await publicApi.DELETE('/api/respond/answers/{question_id}', {
      params: { path: { question_id: questionId } },
      ...asRespondent(token),
    }),
  )
}

export function uploadEvidence(
  token: string,
  questionId: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Evidence> {
  const form = new FormData()
  form.append('question_id', questionId)
  form.append('file', file)
  return uploadWithProgress<Evidence>(pathOf('/api/respond/evidence'), form, {
    headers: { Authorization: `Assessment ${token}` },
    onProgress,
  })
}

export async function removeEvidence(token: string, evidenceId: string): Promise<void> {
  await done(
    publicApi.DELETE('/api/respond/evidence/{evidence_id}', {
      params: { path: { evidence_id: evidenceId } },
      ...asRespondent(token),
    }),
  )
}

export async function submitAssessment(token: string): Promise<Submitted> {
  return answer(await publicApi.POST('/api/respond/submit', asRespondent(token)))
}

// Rules the page applies as the vendor types (the server decides again on every save) ----------

export const MAX_FILE_BYTES = 10 * 1024 * 1024
export const FILE_TYPES = ['.pdf', '.png', '.jpg', '.jpeg', '.txt', '.csv', '.docx', '.xlsx']

/** Why a file will not be taken, before sending it; null when it may go. */
export function fileRefusal(file: File): string | null {
  const name = file.name.toLowerCase()
  if (!FILE_TYPES.some((ext) => name.endsWith(ext))) return `Upload one of: ${FILE_TYPES.join(', ')}.`
  if (file.size === 0) return 'The file is empty.'
  if (file.size > MAX_FILE_BYTES) return 'The file is over 10 MB.'
  return null
}

function same(answer: AnswerValue | undefined, wanted: unknown): boolean {
  return answer !== undefined && typeof answer === typeof wanted && answer === wanted
}

function holds(cond: NonNullable<Question['show_if']>, answer: AnswerValue | undefined): boolean {
  if (answer === undefined) return false
  if (cond.includes != null) return Array.isArray(answer) && answer.includes(cond.includes)
  if (cond.any_of != null) return cond.any_of.some((v) => same(answer, v))
  return same(answer, cond.equals)
}

/** The questions shown for these answers (draxis.tprm.answers.visible). */
export function visibleIds(doc: Document, answers: Answers): Set<string> {
  const shown = new Set<string>()
  for (const step of doc.steps)
    for (const q of step.questions) {
      const cond = q.show_if
      if (!cond || (shown.has(cond.question) && holds(cond, answers[cond.question]))) shown.add(q.id)
    }
  return shown
}

export function takesEvidence(q: Question): boolean {
  return q.type === 'file' || q.evidence === 'optional' || q.evidence === 'required'
}

/** Answered for the progress count: a value, or files for a file question. */
export function isAnswered(q: Question, answers: Answers, files: number): boolean {
  if (q.type === 'file') return files > 0
  const value = answers[q.id]
  return value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)
}
