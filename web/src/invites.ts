// Pending invites (not accepted, revoked or expired) of the caller's tenant or of an organization,
// with the state of their e-mail; revoke one, or resend it with a new link.
import type { Schema } from './api/client'
import { authedRequest } from './session'

export type PendingInvite = Schema<'PendingInvite'>

const enc = encodeURIComponent

/** Where an admin's invites live: the tenant's own (`/api/tenant`) or an organization's. */
export function invitesBase(orgId?: string): string {
  return orgId ? `/api/orgs/${enc(orgId)}` : '/api/tenant'
}

export function listPendingInvites(base: string, signal?: AbortSignal): Promise<PendingInvite[]> {
  return authedRequest<PendingInvite[]>(`${base}/invites`, { signal })
}

export function revokeInvite(base: string, id: string): Promise<void> {
  return authedRequest<void>(`${base}/invites/${enc(id)}/revoke`, { method: 'POST' })
}

export function resendInvite(base: string, id: string): Promise<void> {
  return authedRequest<void>(`${base}/invites/${enc(id)}/resend`, { method: 'POST' })
}

export const EMAIL_STATUS_LABEL: Record<string, string> = {
  pending: 'Sending',
  sent: 'E-mailed',
  failed: 'E-mail failed',
  skipped: 'Not e-mailed',
}
