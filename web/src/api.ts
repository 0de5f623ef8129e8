// Tiny typed client for the Draxis API. Errors are RFC 9457 problem+json.

export type Role = string

export interface User {
  id: string
  email: string
  display_name: string
  role: Role
  /** null for roles without a home tenant (superadmin, carrier users). */
  tenant_id: string | null
  tenant_name: string | null
}

export interface LoginResponse {
  access_token: string
  token_type: 'bearer' | string
  expires_in: number
  user: User
}

export type KriStatus = 'green' | 'amber' | 'red' | 'stale' | 'no_data'
export type KriDirection = 'lower_is_worse' | 'higher_is_worse'

export interface Kri {
  id: string
  slug: string
  name: string
  description: string
  unit: string
  direction: KriDirection
  warn: number | null
  critical: number | null
  value: number | null
  status: KriStatus
  observed_at: string | null
  source: string | null
}

export interface Dashboard {
  tenant: { id: string; name: string }
  generated_at: string
  counts: Record<KriStatus, number>
  kris: Kri[]
}

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

  constructor(problem: Problem) {
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
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

async function toProblem(res: Response): Promise<ProblemError> {
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    body = null
  }
  if (isObject(body)) {
    const detail =
      typeof body.detail === 'string'
        ? body.detail
        : undefined
    return new ProblemError({
      type: typeof body.type === 'string' ? body.type : undefined,
      title: typeof body.title === 'string' ? body.title : res.statusText || undefined,
      status: typeof body.status === 'number' ? body.status : res.status,
      detail,
      instance: typeof body.instance === 'string' ? body.instance : undefined,
      errors: Array.isArray(body.errors) ? (body.errors as ProblemFieldError[]) : undefined,
    })
  }
  return new ProblemError({
    status: res.status,
    title: res.statusText || 'Request failed',
    detail: `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
  })
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  token?: string | null
  signal?: AbortSignal
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`

  let res: Response
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ProblemError({
      status: 0,
      title: 'Network error',
      detail: 'Could not reach the Draxis server. Check your connection and try again.',
    })
  }
  if (!res.ok) throw await toProblem(res)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

export function login(email: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>('/api/auth/login', {
    method: 'POST',
    body: { email, password },
  })
}

export function getDashboard(token: string, signal?: AbortSignal): Promise<Dashboard> {
  return request<Dashboard>('/api/dashboard', { token, signal })
}
