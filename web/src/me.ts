// `GET /api/me`: the signed-in user's permissions decide which links and actions the UI shows
// (the server enforces them regardless).
import { useQuery } from '@tanstack/react-query'
import { getMe } from './endpoints'
import type { Me } from './identity'
import { useSession, type Session } from './session'

function sameIdentity(me: Me, session: Session): boolean {
  return (
    me.user.id === session.user.id &&
    me.user.tenant_id === session.user.tenant_id &&
    (me.impersonation === null) === (session.impersonation === null)
  )
}

export function useMe() {
  const session = useSession()
  return useQuery<Me>({
    // Keyed by token: a new identity (sign-in, impersonation) is a new answer.
    queryKey: ['me', session?.token ?? null],
    queryFn: ({ signal }) => getMe(signal),
    enabled: session !== null,
    staleTime: 60_000,
    // A token refresh is the same identity: keep showing its links while /api/me refetches.
    placeholderData: (previous) => (previous && session && sameIdentity(previous, session) ? previous : undefined),
  })
}

/** The current permissions, or null until `/api/me` has answered. */
export function usePermissions(): ReadonlySet<string> | null {
  const me = useMe()
  return me.data ? new Set(me.data.permissions) : null
}
