// Why the app sent someone to the sign-in page, and how the page says it. Pure: session.ts
// decides when a session ends; this only names the reason from the failed refresh.
import { ProblemError } from './api'

/** Problem types of a refused `POST /api/auth/refresh` (docs/identity.md, "Rate limits"). */
export const SESSION_ENDED_SUFFIX = '/session-ended'
export const SESSION_REPLAYED_SUFFIX = '/session-replayed'

export type SignOutReason =
  /** The session expired, or was signed out elsewhere (another tab, device, or an admin). */
  | { kind: 'ended' }
  /** Its refresh token was presented twice (another tab or device), so the server revoked it. */
  | { kind: 'replayed' }
  /** Too many requests; `retryAfter` is the server's `Retry-After` in seconds, when it sent one. */
  | { kind: 'throttled'; retryAfter: number | null }
  /** The server could not be reached (or failed), so the session could not be restored. */
  | { kind: 'unreachable' }

/**
 * The reason a failed refresh ends (or fails to restore) a session, or null when there is nothing
 * to say: a visitor without a session cookie is simply not signed in. `hadSession`: the person was
 * signed in a moment ago, so even a bare 401 means their session ended.
 */
export function signOutReasonFor(err: unknown, hadSession: boolean): SignOutReason | null {
  if (!(err instanceof ProblemError)) return hadSession ? { kind: 'unreachable' } : null
  if (err.status === 401) {
    if (err.hasType(SESSION_REPLAYED_SUFFIX)) return { kind: 'replayed' }
    if (err.hasType(SESSION_ENDED_SUFFIX) || hadSession) return { kind: 'ended' }
    return null
  }
  if (err.status === 429) return { kind: 'throttled', retryAfter: err.retryAfter ?? null }
  if (err.status === 0 || err.status >= 500) return { kind: 'unreachable' }
  return hadSession ? { kind: 'ended' } : null
}

function seconds(n: number): string {
  return `${n} ${n === 1 ? 'second' : 'seconds'}`
}

/** What the sign-in page tells the person it was sent there for. */
export function signOutMessage(reason: SignOutReason): string {
  switch (reason.kind) {
    case 'ended':
      return 'Your session has ended: it expired, or you were signed out elsewhere. Please sign in again.'
    case 'replayed':
      return 'You were signed out because your session was used from another tab or device. Please sign in again.'
    case 'throttled':
      return reason.retryAfter === null
        ? 'Too many requests from your network. Please wait a moment, then sign in again.'
        : `Too many requests from your network. Please try again in ${seconds(reason.retryAfter)}.`
    case 'unreachable':
      return 'Could not reach the Draxis server to restore your session. Check your connection, then try again.'
  }
}
