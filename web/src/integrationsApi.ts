// Route functions for the Integrations API. These routes answer 422s whose `errors` are either
// a map of field errors (`{"config.org_url": "must be an https:// URL"}`) or row-level errors of
// an inbound file (`[{row, column, message}]`); the shared client keeps only the
// `[{location, message}]` form, so this module parses problems itself (and sends multipart for
// file uploads). Sent through the session's `authedFetch`: its token, its 401 → refresh → retry.
import { ProblemError, type Problem } from './api'
import type {
  Accepted,
  CatalogEntry,
  FieldErrors,
  ManualValueIn,
  ProbeResult,
  PushToken,
  RunPage,
  RunRequest,
  Source,
  SourceIn,
  SourcePatch,
  SourceRun,
} from './integrations'
import { listEntities, updateEntity } from './endpoints'
import type { ListPage, ModelKri } from './riskModel'
import { authedFetch } from './session'

export interface RowError {
  row: number
  column: string | null
  message: string
}

/** A problem with this API's two extra shapes of `errors`, normalised. */
export class IntegrationProblem extends ProblemError {
  /** Field errors by key (`name`, `config.org_url`, `credentials.api_token`). */
  readonly fieldErrors: FieldErrors
  /** Row-level errors of a refused file or batch. */
  readonly rowErrors: readonly RowError[]
  /** How many rows were wrong in all (the list may be cut short). */
  readonly errorCount: number | undefined

  constructor(problem: Problem, fieldErrors: FieldErrors, rowErrors: readonly RowError[], errorCount?: number, challenge?: string) {
    super(problem, undefined, challenge)
    this.fieldErrors = fieldErrors
    this.rowErrors = rowErrors
    this.errorCount = errorCount
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** `errors` in any of its shapes → field errors and row errors. */
export function parseErrors(errors: unknown): { fields: FieldErrors; rows: RowError[] } {
  const fields: FieldErrors = {}
  const rows: RowError[] = []
  if (isRecord(errors)) {
    for (const [key, message] of Object.entries(errors)) if (typeof message === 'string') fields[key] = message
  } else if (Array.isArray(errors)) {
    for (const e of errors) {
      if (!isRecord(e)) continue
      const message = str(e.message) ?? ''
      if (typeof e.row === 'number') rows.push({ row: e.row, column: str(e.column) ?? null, message })
      else if (typeof e.location === 'string') fields[e.location.replace(/^body\./, '')] = message
    }
  }
  return { fields, rows }
}

/** A shared ProblemError → this API's problem, with its field and row errors parsed. */
function toIntegrationProblem(err: ProblemError): IntegrationProblem {
  const b = err.body
  const { fields, rows } = parseErrors(b.errors)
  const detail = str(b.detail) ?? (err.status === 413 ? 'The file is too large (at most 5 MB).' : err.detail)
  return new IntegrationProblem(
    { type: err.type, title: err.title, status: err.status, detail, instance: err.instance },
    fields,
    rows,
    typeof b.error_count === 'number' ? b.error_count : undefined,
    err.challenge,
  )
}

interface SendOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  json?: unknown
  form?: FormData
  signal?: AbortSignal
}

/** Through the session's `authedFetch` (its token, its one refresh-and-retry). */
async function send<T>(path: string, opts: SendOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  if (opts.json !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await authedFetch(path, {
      method: opts.method,
      headers,
      body: opts.form ?? (opts.json !== undefined ? JSON.stringify(opts.json) : undefined),
      signal: opts.signal,
    })
  } catch (err) {
    throw err instanceof ProblemError ? toIntegrationProblem(err) : err
  }
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

const enc = encodeURIComponent

export function getCatalog(signal?: AbortSignal): Promise<CatalogEntry[]> {
  return send<CatalogEntry[]>('/api/integrations/catalog', { signal })
}

export function listSources(signal?: AbortSignal): Promise<Source[]> {
  return send<Source[]>('/api/sources', { signal })
}

export function getSource(id: string, signal?: AbortSignal): Promise<Source> {
  return send<Source>(`/api/sources/${enc(id)}`, { signal })
}

export function createSource(body: SourceIn): Promise<Source> {
  return send<Source>('/api/sources', { method: 'POST', json: body })
}

export function updateSource(id: string, body: SourcePatch): Promise<Source> {
  return send<Source>(`/api/sources/${enc(id)}`, { method: 'PATCH', json: body })
}

export function deleteSource(id: string): Promise<void> {
  return send<void>(`/api/sources/${enc(id)}`, { method: 'DELETE' })
}

export function testSource(id: string): Promise<ProbeResult> {
  return send<ProbeResult>(`/api/sources/${enc(id)}/test`, { method: 'POST' })
}

export function runSource(id: string): Promise<RunRequest> {
  return send<RunRequest>(`/api/sources/${enc(id)}/run`, { method: 'POST' })
}

export function getRunRequest(id: string, signal?: AbortSignal): Promise<RunRequest> {
  return send<RunRequest>(`/api/run-requests/${enc(id)}`, { signal })
}

export function listRuns(sourceId: string, params: { limit: number; offset: number }, signal?: AbortSignal): Promise<RunPage> {
  const q = new URLSearchParams({ limit: String(params.limit), offset: String(params.offset) })
  return send<RunPage>(`/api/sources/${enc(sourceId)}/runs?${q.toString()}`, { signal })
}

export function getRun(id: string, signal?: AbortSignal): Promise<SourceRun> {
  return send<SourceRun>(`/api/runs/${enc(id)}`, { signal })
}

export function mintPushToken(sourceId: string): Promise<PushToken> {
  return send<PushToken>(`/api/sources/${enc(sourceId)}/push-token`, { method: 'POST' })
}

export function uploadArtifact(sourceId: string, file: File): Promise<Accepted> {
  const form = new FormData()
  form.append('file', file)
  return send<Accepted>(`/api/sources/${enc(sourceId)}/artifact`, { method: 'POST', form })
}

export function enterValue(sourceId: string, body: ManualValueIn): Promise<Accepted> {
  return send<Accepted>(`/api/sources/${enc(sourceId)}/values`, { method: 'POST', json: body })
}

// ---- KRIs wired to a source (risk model routes, through the shared client) -------------------

/** The most KRIs one list call returns (the API's cap). */
export const KRI_LIST_LIMIT = 500

/** The tenant's KRIs wired to a source: the slugs its inbound routes accept. */
export function listWiredKris(sourceId: string, signal?: AbortSignal): Promise<ListPage<ModelKri>> {
  return listEntities('kris', { limit: KRI_LIST_LIMIT, filters: { source_id: sourceId } }, signal)
}

/** The tenant's KRIs (first page of up to 500), to pick unwired ones from. */
export function listKrisForWiring(signal?: AbortSignal): Promise<ListPage<ModelKri>> {
  return listEntities('kris', { limit: KRI_LIST_LIMIT }, signal)
}

/** Wire a KRI to a source, or unwire it (`null`). */
export function setKriSource(kriId: string, sourceId: string | null): Promise<ModelKri> {
  return updateEntity('kris', kriId, { source_id: sourceId })
}
