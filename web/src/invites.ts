// Pending invites (not accepted, revoked or expired) of the caller's tenant or of an organization,
// with the state of their e-mail; revoke one, or resend it with a new link.
import { answer, api, done, type Schema } from './api/client'

export type PendingInvite = Schema<'PendingInvite'>

/** Whose invites: the caller's tenant's (`/api/tenant/invites`) or an organization's. */
export interface InvitesScope {
  orgId?: string
}

/** Where an admin's invites live: the tenant's own, or an organization's. */
export function invitesBase(orgId?: string): InvitesScope {
  return orgId ? { orgId } : {}
}

export async function listPendingInvites(scope: InvitesScope, signal?: AbortSignal): Promise<PendingInvite[]> {
  if (scope.orgId) {
    return answer(await api.GET('/api/orgs/{org_id}/invites', { params: { path: { org_id: scope.orgId } }, signal }))
  }
  return answer(await api.GET('/api/tenant/invites', { signal }))
}

export function revokeInvite(scope: InvitesScope, id: string): Promise<void> {
  if (scope.orgId) {
    return done(
      api.POST('/api/orgs/{org_id}/invites/{invite_id}/revoke', {
        params: { path: { org_id: scope.orgId, invite_id: id } },
      }),
    )
  }
  return done(api.POST('/api/tenant/invites/{invite_id}/revoke', { params: { path: { invite_id: id } } }))
}

export function resendInvite(scope: InvitesScope, id: string): Promise<void> {
  if (scope.orgId) {
    return done(
      api.POST('/api/orgs/{org_id}/invites/{invite_id}/resend', {
        params: { path: { org_id: scope.orgId, invite_id: id } },
      }),
    )
  }
  return done(api.POST('/api/tenant/invites/{invite_id}/resend', { params: { path: { invite_id: id } } }))
}

export const EMAIL_STATUS_LABEL: Record<string, string> = {
  pending: 'Sending',
  sent: 'E-mailed',
  failed: 'E-mail failed',
  skipped: 'Not e-mailed',
}
