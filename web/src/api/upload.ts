// A multipart upload that reports its progress. `fetch` cannot observe an upload's progress, so
// this one place uses XMLHttpRequest; errors become the same ProblemError as every other call.
import { ProblemError, parseRetryAfter, type Problem } from './http'

export interface UploadOptions {
  headers?: Record<string, string>
  /** Called with 0..1 as the body goes out. */
  onProgress?: (fraction: number) => void
}

function problemOf(xhr: XMLHttpRequest): ProblemError {
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(xhr.responseText)
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>
  } catch {
    body = {}
  }
  const problem: Problem = {
    status: xhr.status,
    title: typeof body.title === 'string' ? body.title : xhr.statusText || 'Request failed',
    detail: typeof body.detail === 'string' ? body.detail : `The server answered ${xhr.status}.`,
  }
  return new ProblemError(problem, parseRetryAfter(xhr.getResponseHeader('Retry-After')), undefined, body)
}

/** POST `form` to `path` (same origin), answering the parsed JSON body of a 2xx. */
export function uploadWithProgress<T>(path: string, form: FormData, opts: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json')
    for (const [name, value] of Object.entries(opts.headers ?? {})) xhr.setRequestHeader(name, value)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && opts.onProgress) opts.onProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T)
        } catch {
          reject(problemOf(xhr))
        }
      } else reject(problemOf(xhr))
    }
    xhr.onerror = () =>
      reject(
        new ProblemError({
          status: 0,
          title: 'Network error',
          detail: 'Could not reach the Draxis server. Check your connection and try again.',
        }),
      )
    xhr.send(form)
  })
}
