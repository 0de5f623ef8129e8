// Session = bearer token + user. Held in memory, mirrored to sessionStorage so
// a reload keeps the user signed in (but a new tab / closed browser does not).
import { useSyncExternalStore } from 'react'
import type { LoginResponse, User } from './api'

export const SESSION_KEY = 'draxis.session'

export interface Session {
  token: string
  user: User
  /** Epoch milliseconds after which the token is no longer valid. */
  expires_at: number | null
}

type Listener = () => void
const listeners = new Set<Listener>()

function isSession(v: unknown): v is Session {
  if (typeof v !== 'object' || v === null) return false
  const s = v as Record<string, unknown>
  const u = s.user as Record<string, unknown> | undefined
  return (
    typeof s.token === 'string' &&
    s.token.length > 0 &&
    typeof u === 'object' &&
    u !== null &&
    typeof u.email === 'string'
  )
}

function storage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.sessionStorage : null
  } catch {
    return null
  }
}

function load(): Session | null {
  try {
    const raw = storage()?.getItem(SESSION_KEY)
    if (!raw) return null
    const parsed: unknown = JSON.parse(raw)
    if (!isSession(parsed)) return null
    if (parsed.expires_at !== null && typeof parsed.expires_at === 'number' && parsed.expires_at <= Date.now()) {
      storage()?.removeItem(SESSION_KEY)
      return null
    }
    return { ...parsed, expires_at: typeof parsed.expires_at === 'number' ? parsed.expires_at : null }
  } catch {
    return null
  }
}

let current: Session | null = load()

function emit() {
  for (const l of listeners) l()
}

export function getSession(): Session | null {
  return current
}

export function setSession(session: Session): void {
  current = session
  try {
    storage()?.setItem(SESSION_KEY, JSON.stringify(session))
  } catch {
    // Storage may be unavailable (private mode, quota); memory still works.
  }
  emit()
}

export function sessionFromLogin(res: LoginResponse, now = Date.now()): Session {
  return {
    token: res.access_token,
    user: res.user,
    expires_at: Number.isFinite(res.expires_in) && res.expires_in > 0 ? now + res.expires_in * 1000 : null,
  }
}

export function clearSession(): void {
  current = null
  try {
    storage()?.removeItem(SESSION_KEY)
  } catch {
    // ignore
  }
  emit()
}

/** Re-read sessionStorage (used by tests and after external changes). */
export function reloadSession(): void {
  current = load()
  emit()
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession, getSession)
}
