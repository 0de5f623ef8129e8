// Route functions for the expert panel and institutional memory (docs/panel.md). JSON routes go
// through `authedRequest`; the SSE stream, multipart uploads and file downloads through
// `authedFetch` (the same token and 401 → refresh → retry-once).
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
import { authedFetch, authedRequest } from './session'

const enc = encodeURIComponent

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

// ---- panel ------------------------------------------------------------------------------------

export function getPanelInfo(signal?: AbortSignal): Promise<PanelInfo> {
  return authedRequest<PanelInfo>('/api/panel', { signal })
}

export function listPanelSessions(params: { limit: number; offset: number }, signal?: AbortSignal): Promise<PanelSessionPage> {
  return authedRequest<PanelSessionPage>(`/api/panel-sessions${query(params)}`, { signal })
}

export function createPanelSession(title?: string): Promise<PanelSession> {
  return authedRequest<PanelSession>('/api/panel-sessions', { method: 'POST', body: title ? { title } : {} })
}

export function getPanelSession(id: string, signal?: AbortSignal): Promise<PanelSessionDetail> {
  return authedRequest<PanelSessionDetail>(`/api/panel-sessions/${enc(id)}`, { signal })
}

export function endPanelSession(id: string, remember: boolean): Promise<PanelSession> {
  return authedRequest<PanelSession>(`/api/panel-sessions/${enc(id)}/end`, { method: 'POST', body: { remember } })
}

/**
 * Asks the panel and follows the turn over Server-Sent Events: `onEvent` sees each event as it
 * arrives; the promise settles when the stream ends. A refusal (404, 409, 422) rejects with its
 * ProblemError before any event.
 */
export async function askPanel(
  sessionId: string,
  body: AskBody,
  onEvent: (event: TurnEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await authedFetch(`/api/panel-sessions/${enc(sessionId)}/messages`, {
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

export function listFacts(params: { q?: string; limit: number; offset: number }, signal?: AbortSignal): Promise<Page<Fact>> {
  return authedRequest<Page<Fact>>(`/api/memory/facts${query(params)}`, { signal })
}

export function getFact(id: string, signal?: AbortSignal): Promise<Fact> {
  return authedRequest<Fact>(`/api/memory/facts/${enc(id)}`, { signal })
}

export function createFact(body: FactIn): Promise<Fact> {
  return authedRequest<Fact>('/api/memory/facts', { method: 'POST', body })
}

export function updateFact(id: string, body: Partial<FactIn>): Promise<Fact> {
  return authedRequest<Fact>(`/api/memory/facts/${enc(id)}`, { method: 'PATCH', body })
}

export function deleteFact(id: string): Promise<void> {
  return authedRequest<void>(`/api/memory/facts/${enc(id)}`, { method: 'DELETE' })
}

// ---- memory: documents ------------------------------------------------------------------------

export function listDocuments(params: { limit: number; offset: number }, signal?: AbortSignal): Promise<Page<MemoryDocument>> {
  return authedRequest<Page<MemoryDocument>>(`/api/memory/documents${query(params)}`, { signal })
}

export function getDocument(id: string, signal?: AbortSignal): Promise<MemoryDocumentDetail> {
  return authedRequest<MemoryDocumentDetail>(`/api/memory/documents/${enc(id)}`, { signal })
}

export async function uploadDocument(file: File, extra: { title?: string; citation?: string } = {}): Promise<MemoryDocument> {
  const form = new FormData()
  form.append('file', file)
  if (extra.title) form.append('title', extra.title)
  if (extra.citation) form.append('citation', extra.citation)
  const res = await authedFetch('/api/memory/documents', {
    method: 'POST',
    headers: { Accept: 'application/json, application/problem+json' },
    body: form,
  })
  return (await res.json()) as MemoryDocument
}

/** The original file, for the browser to save. */
export async function downloadDocument(doc: { id: string; filename: string }): Promise<{ blob: Blob; filename: string }> {
  const res = await authedFetch(`/api/memory/documents/${enc(doc.id)}/content`)
  const blob = await res.blob()
  return { blob, filename: dispositionFilename(res.headers.get('Content-Disposition')) ?? doc.filename }
}

export function deleteDocument(id: string): Promise<void> {
  return authedRequest<void>(`/api/memory/documents/${enc(id)}`, { method: 'DELETE' })
}

export function searchMemory(q: string, limit = 5, signal?: AbortSignal): Promise<SearchHit[]> {
  return authedRequest<SearchHit[]>(`/api/memory/search${query({ q, limit })}`, { signal })
}
