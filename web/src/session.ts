// The session: a short-lived access token held in memory only (never in Web Storage), restored
// on load from the HttpOnly refresh cookie via `POST /api/auth/refresh`. `withAccessToken` is the
// web client's one token-and-refresh logic: every signed-in call (the typed client's
// `authedFetchPrepared`, the raw `authedFetch`) attaches the token through it, and on a 401
// refreshes once (single-flight) and retries once; if that fails the session is cleared and the
// route guards send the user to /login, which says why (`SignOutReason`).
import { useSyncExternalStore } from 'react'
import { answer, publicApi, withToken } from './api/client'
import { fetchPrepared, fetchResponse, ProblemError, type RawRequestOptions } from './api/http'
import {
  MFA_REQUIRED_SUFFIX,
  type AuthResponse,
  type Impersonation,
  type ImpersonationStart,
  type Me,
  type MfaState,
  type UserSummary,
} from './identity'
import { signOutReasonFor, type SignOutReason } from './signOutReason'

export interface Session {
  token: string
  /** Epoch milliseconds after which the access token is no longer valid. */
  expires_at: number | null
  user: UserSummary
  mfa: MfaState
  impersonation: Impersonation | null
  /** Name of the impersonated tenant (from ImpersonationStart), when impersonating. */
  impersonated_tenant_name: string | null
}

export type AuthState =
  | { status: 'loading' }
  /** `reason`: why the app signed the person out, for the sign-in page to say; null if they did. */
  | { status: 'signed-out'; reason: SignOutReason | null }
  | { status: 'signed-in'; session: Session }

const LOADING: AuthState = { status: 'loading' }
function signedOut(reason: SignOutReason | null): AuthState {
  return { status: 'signed-out', reason }
}

/** Refresh this long before the access token expires (or at 75 % of a short lifetime). */
export const REFRESH_LEAD_MS = 60_000
/** After a failed background refresh (network, 5xx), try again this much later. */
export const REFRESH_RETRY_MS = 30_000

type Listener = () => void
const listeners = new Set<Listener>()

let state: AuthState = LOADING
/** Bumped whenever the session is cleared, so a refresh that was in flight cannot revive it. */
let generation = 0
let refreshInFlight: Promise<Session> | null = null
let bootstrapInFlight: Promise<void> | null = null
let refreshTimer: ReturnType<typeof setTimeout> | null = null

function emit() {
  for (const l of listeners) l()
}

function setState(next: AuthState) {
  state = next
  emit()
}

export function getAuthState(): AuthState {
  return state
}

export function getSession(): Session | null {
  return state.status === 'signed-in' ? state.session : null
}

function expiresAt(expiresIn: number, now: number): number | null {
  return Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * 1000 : null
}

export function sessionFromAuth(res: AuthResponse, now = Date.now()): Session {
  return {
    token: res.access_token,
    expires_at: expiresAt(res.expires_in, now),
    user: res.user,
    mfa: res.mfa,
    impersonation: res.impersonation,
    impersonated_tenant_name: res.impersonation ? res.user.tenant_name : null,
  }
}

/**
 * The session of an impersonation token. It has no refresh token: when it expires (or 401s),
 * refreshing restores the actor's own session from their untouched refresh cookie.
 */
export function sessionFromImpersonation(
  start: ImpersonationStart,
  me: Pick<Me, 'user' | 'mfa'>,
  now = Date.now(),
): Session {
  return {
    token: start.access_token,
    expires_at: expiresAt(start.expires_in, now),
    user: me.user,
    mfa: me.mfa,
    impersonation: start.impersonation,
    impersonated_tenant_name: start.tenant_name,
  }
}

function cancelTimer() {
  if (refreshTimer !== null) clearTimeout(refreshTimer)
  refreshTimer = null
}

function scheduleRefresh(session: Session, now = Date.now()) {
  cancelTimer()
  if (session.expires_at === null) return
  const lifetime = session.expires_at - now
  // An impersonation cannot be refreshed: let it run to its end, then fall back to the actor.
  const delay = session.impersonation
    ? lifetime
    : Math.max(lifetime - REFRESH_LEAD_MS, Math.floor(lifetime * 0.75))
  refreshTimer = setTimeout(() => void backgroundRefresh(), Math.max(0, delay))
}

async function backgroundRefresh() {
  refreshTimer = null
  const current = getSession()
  if (!current) return
  try {
    await refreshSession()
  } catch (err) {
    // A 401 already cleared the session. Otherwise (offline, 5xx) try again a little later;
    // if the token dies meanwhile, the next 401 takes the refresh-or-sign-out path.
    if (!(err instanceof ProblemError && err.status === 401) && getSession() === current) {
      refreshTimer = setTimeout(() => void backgroundRefresh(), REFRESH_RETRY_MS)
    }
  }
}

export function setSession(session: Session): void {
  setState({ status: 'signed-in', session })
  scheduleRefresh(session)
}

/** Forget the session; `reason` says why when it was not the person's own doing. */
export function clearSession(reason: SignOutReason | null = null): void {
  generation += 1
  cancelTimer()
  setState(signedOut(reason))
}

/** Why the app last signed the person out, if it did (shown on the sign-in page). */
export function getSignOutReason(): SignOutReason | null {
  return state.status === 'signed-out' ? state.reason : null
}

/** Back to "not yet known" (tests; a fresh page load starts here). */
export function resetSession(): void {
  generation += 1
  cancelTimer()
  refreshInFlight = null
  bootstrapInFlight = null
  setState(LOADING)
}

/** A 403 `mfa-required`: the session still needs MFA; the route guard sends the user there. */
export function markMfaPending(): void {
  const s = getSession()
  if (!s) return
  setState({ status: 'signed-in', session: { ...s, mfa: { ...s.mfa, required: true, verified: false } } })
}

/** Serialise refreshes across tabs too: two tabs presenting one rotated cookie end the session. */
async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : undefined
  if (!locks) return fn()
  return locks.request('draxis.refresh', fn)
}

/**
 * Swap the refresh cookie for a new access token. Single-flight: concurrent callers share one
 * request (a second request would present an already-rotated token and revoke the session).
 * A 401 clears the session; any failure rejects.
 */
export function refreshSession(): Promise<Session> {
  if (refreshInFlight) return refreshInFlight
  const startedAt = generation
  const hadSession = state.status === 'signed-in'
  const run = async (): Promise<Session> => {
    try {
      const res: AuthResponse = await withRefreshLock(async () => answer(await publicApi.POST('/api/auth/refresh')))
      if (generation !== startedAt) throw new ProblemError({ status: 401, title: 'Unauthorized', detail: 'Signed out.' })
      const session = sessionFromAuth(res)
      setSession(session)
      return session
    } catch (err) {
      if (err instanceof ProblemError && err.status === 401 && generation === startedAt)
        clearSession(signOutReasonFor(err, hadSession))
      throw err
    }
  }
  const flight = run().finally(() => {
    if (refreshInFlight === flight) refreshInFlight = null
  })
  refreshInFlight = flight
  return flight
}

/** On app start: restore the session from the refresh cookie (200) or settle as signed out. */
export function bootstrapSession(): Promise<void> {
  if (state.status !== 'loading') return Promise.resolve()
  if (bootstrapInFlight) return bootstrapInFlight
  const flight: Promise<void> = refreshSession()
    .then(
      () => undefined,
      (err: unknown) => {
        // Not a 401 (that settled it already): throttled, or the server could not be reached.
        if (state.status === 'loading') setState(signedOut(signOutReasonFor(err, false)))
      },
    )
    .finally(() => {
      if (bootstrapInFlight === flight) bootstrapInFlight = null
    })
  bootstrapInFlight = flight
  return flight
}

/**
 * `'challenge'`: the route answers 401 for a wrong code or password too, so only a 401 that
 * carries a `WWW-Authenticate` challenge (the token failed) is refreshed and retried.
 */
export type RefreshOn401 = 'always' | 'challenge'

function tokenRejected(err: ProblemError, opts: { refreshOn401?: RefreshOn401 }): boolean {
  return err.status === 401 && (opts.refreshOn401 !== 'challenge' || err.challenge !== undefined)
}

export interface AuthedFetchOptions extends Omit<RawRequestOptions, 'token'> {
  refreshOn401?: RefreshOn401
}

/**
 * A raw `Response` (a stream, a file, a multipart upload) with the session's token and the same
 * 401 → refresh → retry-once as the typed client. Only the opening of the request is retried; once the
 * answer is 2xx its body is the caller's to read.
 */
export async function authedFetch(path: string, opts: AuthedFetchOptions = {}): Promise<Response> {
  const { refreshOn401: _mode, ...fetchOpts } = opts
  return withAccessToken(opts, (token) => fetchResponse(path, { ...fetchOpts, token }))
}

/**
 * The typed client's `fetch` (api/client.ts): a prepared `Request` with the session's token and
 * the same 401 → refresh → retry-once. Each attempt sends a fresh clone (a body reads once).
 */
export async function authedFetchPrepared(req: Request, refreshOn401?: RefreshOn401): Promise<Response> {
  const original = req.clone()
  return withAccessToken({ refreshOn401 }, (token) => fetchPrepared(original.clone(), token))
}

/**
 * The one token-and-refresh logic. Runs `call` with the session's token; on a rejected token,
 * refreshes once (unless another caller already did; concurrent callers share one refresh) and
 * retries once; if that fails, clears the session. A 403 `mfa-required` marks MFA pending.
 */
async function withAccessToken<T>(
  opts: { refreshOn401?: RefreshOn401 },
  call: (token: string | undefined) => Promise<T>,
): Promise<T> {
  const before = getSession()
  try {
    return await call(before?.token)
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err
    if (err.status === 403 && err.hasType(MFA_REQUIRED_SUFFIX)) markMfaPending()
    if (!tokenRejected(err, opts) || !before) throw err

    let next = getSession()
    if (!next || next.token === before.token) {
      try {
        next = await refreshSession()
      } catch (refreshErr) {
        // A 401 cleared the session with its reason already; anything else ends it here.
        if (getSession()) clearSession(signOutReasonFor(refreshErr, true))
        throw err
      }
    }
    // The impersonation ended and the actor's session is back: this request was the
    // impersonated tenant's, so do not replay it as the actor.
    if (before.impersonation && !next.impersonation) throw err
    try {
      return await call(next.token)
    } catch (retryErr) {
      if (retryErr instanceof ProblemError && tokenRejected(retryErr, opts)) clearSession({ kind: 'ended' })
      if (retryErr instanceof ProblemError && retryErr.status === 403 && retryErr.hasType(MFA_REQUIRED_SUFFIX))
        markMfaPending()
      throw retryErr
    }
  }
}

/**
 * Sign out: revoke the session server-side (best effort), then forget it here. `beforeClear`
 * runs just before the session goes (e.g. to drop cached server state).
 */
export async function signOut(beforeClear?: () => void): Promise<void> {
  const s = getSession()
  try {
    await publicApi.POST('/api/auth/logout', withToken(s?.token))
  } catch {
    // The cookie may already be gone or the server unreachable; sign out locally regardless.
  }
  beforeClear?.()
  clearSession()
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function useAuth(): AuthState {
  return useSyncExternalStore(subscribe, getAuthState, getAuthState)
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession, getSession)
}

export function useSignOutReason(): SignOutReason | null {
  return useSyncExternalStore(subscribe, getSignOutReason, getSignOutReason)
}
