// Questionnaire templates in the client: the typed API calls the questionnaire pages use.
import { answer, api, done, type Schema } from '../api/client'
import { authedFetch } from '../session'

export type QuestionnaireDocument = Schema<'QuestionnaireDocument'>
export type QuestionnaireSummary = Schema<'QuestionnaireSummary'>
export type QuestionnaireOut = Schema<'QuestionnaireOut'>
export type VersionOut = Schema<'QuestionnaireVersionOut'>
export type Template = Schema<'TemplateOut'>

export type CreateBody = { name?: string; from_library?: string; copy_of?: string }

export async function listLibrary(signal?: AbortSignal) {
  return answer(await api.GET('/api/tprm/library', { signal }))
}

export async function listQuestionnaires(archived: boolean, signal?: AbortSignal) {
  return answer(await api.GET('/api/tprm/questionnaires', { params: { query: { archived } }, signal }))
}

export async function createQuestionnaire(body: CreateBody) {
  return answer(await api.POST('/api/tprm/questionnaires', { body }))
}

/** A new questionnaire whose draft is `document` (parsed from the chosen file). */
export async function importQuestionnaire(document: Record<string, unknown>) {
  return answer(await api.POST('/api/tprm/questionnaires/import', { body: document }))
}

export async function getQuestionnaire(id: string, signal?: AbortSignal) {
  return answer(await api.GET('/api/tprm/questionnaires/{questionnaire_id}', { params: { path: { questionnaire_id: id } }, signal }))
}

export async function patchQuestionnaire(id: string, body: { name?: string; description?: string; archived?: boolean }) {
  return answer(await api.PATCH('/api/tprm/questionnaires/{questionnaire_id}', { params: { path: { questionnaire_id: id } }, body }))
}

export async function getVersion(id: string, version: number, signal?: AbortSignal) {
  return answer(
    await api.GET('/api/tprm/questionnaires/{questionnaire_id}/versions/{version}', {
      params: { path: { questionnaire_id: id, version } },
      signal,
    }),
  )
}

export async function saveDraft(id: string, document: QuestionnaireDocument) {
  return answer(await api.PUT('/api/tprm/questionnaires/{questionnaire_id}/draft', { params: { path: { questionnaire_id: id } }, body: document }))
}

export async function publishDraft(id: string) {
  return answer(await api.POST('/api/tprm/questionnaires/{questionnaire_id}/draft/publish', { params: { path: { questionnaire_id: id } } }))
}

export async function discardDraft(id: string) {
  await done(api.DELETE('/api/tprm/questionnaires/{questionnaire_id}/draft', { params: { path: { questionnaire_id: id } } }))
}

/** Download a version as its document file (`<slug>-v<n>.json`). */
export async function exportVersion(id: string, version: number, slug: string, draft: boolean): Promise<void> {
  const res = await authedFetch(`/api/tprm/questionnaires/${encodeURIComponent(id)}/versions/${version}/export`)
  const url = URL.createObjectURL(await res.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = `${slug}-${draft ? 'draft' : `v${version}`}.json`
  link.click()
  URL.revokeObjectURL(url)
}
