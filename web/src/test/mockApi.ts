import { vi } from 'vitest'
import { problem } from './fixtures'

export interface Call {
  method: string
  path: string
  body: unknown
  /** The bearer token sent, or null. */
  token: string | null
  credentials: RequestCredentials | undefined
}

type Handler = (call: Call) => Response | Promise<Response>

/**
 * Stubs `fetch` with a route table: keys are "METHOD /path" (query string ignored unless the key
 * has one). Unknown routes answer 404. Returns the recorded calls.
 */
export function mockApi(routes: Record<string, Handler | Response | (() => Response)>) {
  const calls: Call[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url
    const method = (init.method ?? 'GET').toUpperCase()
    const headers = (init.headers ?? {}) as Record<string, string>
    const auth = headers.Authorization ?? null
    const call: Call = {
      method,
      path: url,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      token: auth ? auth.replace(/^Bearer /, '') : null,
      credentials: init.credentials,
    }
    calls.push(call)
    const handler = routes[`${method} ${url}`] ?? routes[`${method} ${url.split('?')[0]}`]
    if (handler === undefined) return problem(404, `No mock for ${method} ${url}`)
    if (handler instanceof Response) return handler.clone()
    return handler(call)
  })
  vi.stubGlobal('fetch', fetchMock)
  return { calls, fetchMock, callsTo: (key: string) => calls.filter((c) => `${c.method} ${c.path.split('?')[0]}` === key) }
}
