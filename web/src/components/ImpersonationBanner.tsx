import { useState } from 'react'
import { useNavigate } from 'react-router'
import { stopImpersonation } from '../endpoints'
import { landingFor } from '../identity'
import { refreshSession, type Session } from '../session'

function formatTime(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

/**
 * Shown while an admin acts as a tenant's admin. Stopping ends the impersonation server-side,
 * then restores the actor's own session from their (untouched) refresh cookie.
 */
export function ImpersonationBanner({ session }: { session: Session }) {
  const navigate = useNavigate()
  const [pending, setPending] = useState(false)
  const [failed, setFailed] = useState(false)
  const imp = session.impersonation
  if (!imp) return null

  const tenantName = session.impersonated_tenant_name ?? session.user.tenant_name ?? 'this tenant'

  async function stop() {
    if (!imp) return
    setPending(true)
    setFailed(false)
    try {
      await stopImpersonation(session.token)
    } catch {
      // Already expired or revoked: the actor's session is what we want back either way.
    }
    try {
      const own = await refreshSession()
      navigate(landingFor(own.user.role), { replace: true })
    } catch {
      // A 401 cleared the session (the guard shows /login); anything else: let the user retry.
      setFailed(true)
      setPending(false)
    }
  }

  return (
    <div
      data-testid="impersonation-banner"
      role="status"
      className="sticky top-0 z-40 border-b border-amber-300 bg-amber-100 text-amber-950"
    >
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-2 text-sm sm:px-6 lg:px-8">
        <p>
          You are acting as tenant admin of <strong>{tenantName}</strong> — signed in as{' '}
          <strong>{imp.actor.email}</strong>. Ends at <time dateTime={imp.expires_at}>{formatTime(imp.expires_at)}</time>.
          {failed && <span className="ml-2 font-medium text-rose-800">Could not restore your session; try again.</span>}
        </p>
        <button
          type="button"
          onClick={() => void stop()}
          disabled={pending}
          aria-busy={pending}
          className="rounded-md border border-amber-400 bg-white px-3 py-1 text-sm font-medium text-amber-950 shadow-sm hover:bg-amber-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60"
        >
          Stop impersonating
        </button>
      </div>
    </div>
  )
}
