// Route functions for the expert panel and institutional memory (docs/panel.md). JSON routes go
// through the typed client (api/client.ts); the SSE stream, multipart uploads and file downloads
// through `authedFetch` (the same token and the same one 401 → refresh → retry-once).
import type {
  Fact,
  FactIn,
  MemoryDocument,
  MemoryDocumentDetail,
  Page,
  SearchHit,
} from './memory'
import { dispositionFilename } from './memory'
import {
  readSse,
  toTurnEvent,
  type AskBody,
  type PanelInfo,
  type PanelSession,
  type PanelSessionDetail,
  type PanelSessionPage,
  type TurnEvent,
} from './panel'
import { answer, api, done, pathOf, type Schema } from './api/client'
import { authedFetch } from './session'

const session = (id: string) => ({ path: { session_id: id } })
const fact = (id: string) => ({ params: { path: { fact_id: id } } })
const doc = (id: string) => ({ params: { path: { document_id: id } } })

// ---- panel ------------------------------------------------------------------------------------

export async function getPanelInfo(signal?: AbortSignal): Promise<PanelInfo> {
  return answer(await api.GET('/api/panel', { signal }))
}

export async function listPanelSessions(params: { limit: number; offset: number }, signal?: AbortSignal): Promise<PanelSessionPage> {
  return answer(await api.GET('/api/panel-sessions', { params: { query: params }, signal }))
}

export async function createPanelSession(title?: string): Promise<PanelSession> {
  return answer(await api.POST('/api/panel-sessions', { body: title ? { title } : {} }))
}

export async function getPanelSession(id: string, signal?: AbortSignal): Promise<PanelSessionDetail> {
  return answer(await api.GET('/api/panel-sessions/{session_id}', { params: session(id), signal }))
}

export async function endPanelSession(id: string, remember: boolean): Promise<PanelSession> {
  return answer(await api.POST('/api/panel-sessions/{session_id}/end', { params: session(id), body: { remember } }))
}

/**
 * Asks the panel and follows the turn over Server-Sent Events: `onEvent` sees each event as it
 * arrives; the promise settles when the stream ends. A refusal (404, 409, 422) rejects with its
 * ProblemError before any event. A stream, so through the raw `authedFetch` (same token, same refresh).
 */
export async function askPanel(
  sessionId: string,
  body: AskBody,
  onEvent: (event: TurnEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await authedFetch(pathOf('/api/panel-sessions/{session_id}/messages', { session_id: sessionId }), {
    method: 'POST',
    headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  })
  if (!res.body) return
  for await (const raw of readSse(res.body)) {
    const event = toTurnEvent(raw)
    if (event) onEvent(event)
  }
}

// ---- memory: facts ----------------------------------------------------------------------------

export async function listFacts(params: { q?: string; limit: number; offset: number }, signal?: AbortSignal): Promise<Page<Fact>> {
  const query = { limit: params.limit, offset: params.offset, ...(params.q ? { q: params.q } : {}) }
  return answer(await api.GET('/api/memory/facts', { params: { query }, signal }))
}

export async function getFact(id: string, signal?: AbortSignal): Promise<Fact> {
  return answer(await api.GET('/api/memory/facts/{fact_id}', { ...fact(id), signal }))
}

export async function createFact(body: FactIn): Promise<Fact> {
  return answer(await api.POST('/api/memory/facts', { body }))
}

export async function updateFact(id: string, body: Partial<FactIn>): Promise<Fact> {
  return answer(await api.PATCH('/api/memory/facts/{fact_id}', { ...fact(id), body }))
}

export function deleteFact(id: string): Promise<void> {
  return done(api.DELETE('/api/memory/facts/{fact_id}', fact(id)))
}

// ---- memory: documents ------------------------------------------------------------------------

export async function listDocuments(params: { limit: number; offset: number }, signal?: AbortSignal): Promise<Page<MemoryDocument>> {
  return answer(await api.GET('/api/memory/documents', { params: { query: params }, signal }))
}

export async function getDocument(id: string, signal?: AbortSignal): Promise<MemoryDocumentDetail> {
  return answer(await api.GET('/api/memory/documents/{document_id}', { ...doc(id), signal }))
}

/** A multipart upload: through the raw `authedFetch` (same token, same refresh), typed answer. */
export async function uploadDocument(file: File, extra: { title?: string; citation?: string } = {}): Promise<MemoryDocument> {
  const form = new FormData()
  form.append('file', file)
  if (extra.title) form.append('title', extra.title)
  if (extra.citation) form.append('citation', extra.citation)
  const res = await authedFetch(pathOf('/api/memory/documents'), {
    method: 'POST',
    headers: { Accept: 'application/json, application/problem+json' },
    body: form,
  })
  return (await res.json()) as Schema<'DocumentOut'>
}

/** The original file, for the browser to save. */
export async function downloadDocument(d: { id: string; filename: string }): Promise<{ blob: Blob; filename: string }> {
  const res = await authedFetch(pathOf('/api/memory/documents/{document_id}/content', { document_id: d.id }))
  const blob = await res.blob()
  return { blob, filename: dispositionFilename(res.headers.get('Content-Disposition')) ?? d.filename }
}

export function deleteDocument(id: string): Promise<void> {
  return done(api.DELETE('/api/memory/documents/{document_id}', doc(id)))
}

export async function searchMemory(q: string, limit = 5, signal?: AbortSignal): Promise<SearchHit[]> {
  return answer(await api.GET('/api/memory/search', { params: { query: { q, limit } }, signal }))
}
