// The web client's one HTTP layer: the only module that calls `fetch` (web/scripts/check-fetch.mjs,
// run by `npm test`, holds every other file to that). Errors are RFC 9457 problem+json, thrown as
// one type, ProblemError, carrying the server's reason. The session's token and its one
// 401 → refresh → retry live in session.ts (`withAccessToken`); the typed routes in client.ts.

/** One invalid field of a 422: where (`body.email`) and what is wrong. */
export interface ProblemFieldError {
  location?: string
  message?: string
}

export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  instance?: string
  errors?: ProblemFieldError[]
}

export class ProblemError extends Error {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly instance?: string
  readonly errors?: ProblemFieldError[]
  /** Seconds to wait before retrying, from a 429's `Retry-After` header. */
  readonly retryAfter?: number
  /** The `WWW-Authenticate` challenge of a 401: present when the bearer token itself failed. */
  readonly challenge?: string
  /** The problem document as the server sent it (routes with extra members, e.g. row errors). */
  readonly body: Readonly<Record<string, unknown>>

  constructor(problem: Problem, retryAfter?: number, challenge?: string, body: Record<string, unknown> = {}) {
    const title = problem.title ?? 'Request failed'
    const detail = problem.detail ?? title
    super(detail)
    this.name = 'ProblemError'
    this.type = problem.type ?? 'about:blank'
    this.title = title
    this.status = problem.status
    this.detail = detail
    this.instance = problem.instance
    this.errors = problem.errors
    this.retryAfter = retryAfter
    this.challenge = challenge
    this.body = body
  }

  /** The problem type ends with `suffix` (e.g. `/mfa-required`). */
  hasType(suffix: string): boolean {
    return this.type.endsWith(suffix)
  }
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, Math.ceil((at - now) / 1000))
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

export async function toProblem(res: Response): Promise<ProblemError> {
  const retryAfter = parseRetryAfter(res.headers.get('Retry-After'))
  const challenge = res.headers.get('WWW-Authenticate') ?? undefined
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    body = null
  }
  if (isObject(body)) {
    const problem: Problem = {
      type: typeof body.type === 'string' ? body.type : undefined,
      title: typeof body.title === 'string' ? body.title : res.statusText || undefined,
      status: typeof body.status === 'number' ? body.status : res.status,
      detail: typeof body.detail === 'string' ? body.detail : undefined,
      instance: typeof body.instance === 'string' ? body.instance : undefined,
      errors: Array.isArray(body.errors) ? (body.errors as ProblemFieldError[]) : undefined,
    }
    return new ProblemError(problem, retryAfter, challenge, body)
  }
  const fallback: Problem = {
    status: res.status,
    title: res.statusText || 'Request failed',
    detail: `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
  }
  return new ProblemError(fallback, retryAfter, challenge)
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RawRequestOptions {
  method?: Method
  headers?: Record<string, string>
  /** Sent as is (a FormData for multipart, a string for JSON). */
  body?: BodyInit
  token?: string | null
  signal?: AbortSignal
}

/**
 * Sends a prepared `Request` (the typed client's) with an explicit bearer token (or none).
 * Cookies go along for same-origin requests only: the refresh token is an HttpOnly cookie
 * scoped to `/api/auth`. Network failures and non-2xx answers become a ProblemError.
 */
export async function fetchPrepared(req: Request, token?: string | null): Promise<Response> {
  const url = new URL(req.url)
  const sameOrigin = typeof window !== 'undefined' && url.origin === window.location.origin
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  req.headers.forEach((value, key) => {
    headers[key.toLowerCase() === 'content-type' ? 'Content-Type' : key] = value
  })
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null
  const isJson = headers['Content-Type']?.includes('json') ?? false
  const body = hasBody ? (isJson ? await req.text() : await req.arrayBuffer()) : undefined
  return fetchResponse(sameOrigin ? `${url.pathname}${url.search}` : req.url, {
    method: req.method as Method,
    headers,
    body,
    token,
    signal: req.signal,
  })
}

function networkProblem(): ProblemError {
  return new ProblemError({
    status: 0,
    title: 'Network error',
    detail: 'Could not reach the Draxis server. Check your connection and try again.',
  })
}

/**
 * The one `fetch` of the web client: a path with an explicit bearer token (or none), answering
 * the successful `Response`; a network failure or a non-2xx answer is thrown as a ProblemError.
 * Callers want the typed client (client.ts) or, for a stream, a file or a multipart upload,
 * `authedFetch` (session.ts), which add the session's token and its 401 → refresh → retry.
 */
export async function fetchResponse(path: string, opts: RawRequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`
  let res: Response
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body,
      credentials: 'same-origin',
      signal: opts.signal,
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw networkProblem()
  }
  if (!res.ok) throw await toProblem(res)
  return res
}
