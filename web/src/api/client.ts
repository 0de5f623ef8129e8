// The typed API client: paths and bodies come from the OpenAPI document (schema.d.ts, generated
// by `make api-types` and checked by tests/api/test_openapi_types.py), sent by openapi-fetch
// through the session's one token-and-refresh implementation (session.ts, `authedFetchPrepared`).
import createClient from 'openapi-fetch'
import { authedFetchPrepared } from '../session'
import type { components, paths } from './schema'

/** Every non-2xx answer is thrown as a ProblemError by the fetch below, so `data` is the answer. */
export const api = createClient<paths>({
  // Absolute, so a Request can be built outside a browser too; sent same-origin as a path.
  baseUrl: typeof window !== 'undefined' ? window.location.origin : 'http://localhost',
  fetch: (req) => authedFetchPrepared(req),
})

/** A schema of the OpenAPI document by name (`Schema<'KriOut'>`). */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name]

/** The body of a successful answer (openapi-fetch leaves `data` optional; errors were thrown). */
export function answer<T>(result: { data?: T; response: Response }): T {
  return result.data as T
}
