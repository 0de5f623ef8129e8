// Route functions for the Integrations API. These routes answer 422s whose `errors` are either
// a map of field errors (`{"config.org_url": "must be an https:// URL"}`) or row-level errors of
// an inbound file (`[{row, column, message}]`); the shared client keeps only the
// `[{location, message}]` form, so this module parses problems itself (and sends multipart for
// file uploads). JSON routes go through the typed client, the file upload through `authedFetch`:
// the session's token and its one 401 → refresh → retry either way.
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
import { answer, api, pathOf } from './api/client'

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

/** A typed call whose refusal is rethrown as this API's problem (field and row errors parsed). */
async function integration<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  try {
    return answer(await call)
  } catch (err) {
    throw err instanceof ProblemError ? toIntegrationProblem(err) : err
  }
}

const source = (id: string) => ({ params: { path: { source_id: id } } })

export function getCatalog(signal?: AbortSignal): Promise<CatalogEntry[]> {
  return integration(api.GET('/api/integrations/catalog', { signal }))
}

export function listSources(signal?: AbortSignal): Promise<Source[]> {
  return integration(api.GET('/api/sources', { signal }))
}

export function getSource(id: string, signal?: AbortSignal): Promise<Source> {
  return integration(api.GET('/api/sources/{source_id}', { ...source(id), signal }))
}

export function createSource(body: SourceIn): Promise<Source> {
  return integration(api.POST('/api/sources', { body }))
}

export function updateSource(id: string, body: SourcePatch): Promise<Source> {
  return integration(api.PATCH('/api/sources/{source_id}', { ...source(id), body }))
}

export async function deleteSource(id: string): Promise<void> {
  await integration(api.DELETE('/api/sources/{source_id}', source(id)))
}

export function testSource(id: string): Promise<ProbeResult> {
  return integration(api.POST('/api/sources/{source_id}/test', source(id)))
}

export function runSource(id: string): Promise<RunRequest> {
  return integration(api.POST('/api/sources/{source_id}/run', source(id)))
}

export function getRunRequest(id: string, signal?: AbortSignal): Promise<RunRequest> {
  return integration(api.GET('/api/run-requests/{request_id}', { params: { path: { request_id: id } }, signal }))
}

export function listRuns(sourceId: string, params: { limit: number; offset: number }, signal?: AbortSignal): Promise<RunPage> {
  return integration(api.GET('/api/sources/{source_id}/runs', { params: { path: { source_id: sourceId }, query: params }, signal }))
}

export function getRun(id: string, signal?: AbortSignal): Promise<SourceRun> {
  return integration(api.GET('/api/runs/{run_id}', { params: { path: { run_id: id } }, signal }))
}

export function mintPushToken(sourceId: string): Promise<PushToken> {
  return integration(api.POST('/api/sources/{source_id}/push-token', source(sourceId)))
}

/** A multipart upload: through the raw `authedFetch` (same token, same refresh), typed answer. */
export async function uploadArtifact(sourceId: string, file: File): Promise<Accepted> {
  const form = new FormData()
  form.append('file', file)
  let res: Response
  try {
    res = await authedFetch(pathOf('/api/sources/{source_id}/artifact', { source_id: sourceId }), {
      method: 'POST',
      headers: { Accept: 'application/json, application/problem+json' },
      body: form,
    })
  } catch (err) {
    throw err instanceof ProblemError ? toIntegrationProblem(err) : err
  }
  return (await res.json()) as Accepted
}

export function enterValue(sourceId: string, body: ManualValueIn): Promise<Accepted> {
  return integration(api.POST('/api/sources/{source_id}/values', { ...source(sourceId), body }))
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
