// Formal risk acceptance (api/routes/risk_acceptance.py, docs/risk-acceptance.md): request,
// approve or reject (never one's own), revoke, list. Through the typed client.
import { answer, api, type Schema } from './api/client'

export type Acceptance = Schema<'AcceptanceOut'>
export type AcceptanceStatus = Acceptance['status']

export const ACCEPTANCE_STATUS_LABEL: Record<AcceptanceStatus, string> = {
  pending: 'Pending approval',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  revoked: 'Revoked',
}

export async function listRiskAcceptances(riskId: string, signal?: AbortSignal): Promise<Acceptance[]> {
  return answer(await api.GET('/api/risks/{risk_id}/acceptances', { params: { path: { risk_id: riskId } }, signal }))
}

export async function listAcceptances(status: AcceptanceStatus | null, signal?: AbortSignal): Promise<Acceptance[]> {
  const query = status ? { status, limit: 500 } : { limit: 500 }
  return answer(await api.GET('/api/risk-acceptances', { params: { query }, signal })).items
}

export async function requestAcceptance(
  riskId: string,
  body: { justification: string; expires_at: string; compensating_control_id: string | null },
): Promise<Acceptance> {
  return answer(await api.POST('/api/risks/{risk_id}/acceptances', { params: { path: { risk_id: riskId } }, body }))
}

export async function decideAcceptance(id: string, decision: 'approve' | 'reject' | 'revoke', reason: string): Promise<Acceptance> {
  const path = { params: { path: { acceptance_id: id } } }
  if (decision === 'approve') {
    return answer(await api.POST('/api/risk-acceptances/{acceptance_id}/approve', { ...path, body: { reason: reason.trim() || null } }))
  }
  if (decision === 'reject') {
    return answer(await api.POST('/api/risk-acceptances/{acceptance_id}/reject', { ...path, body: { reason } }))
  }
  return answer(await api.POST('/api/risk-acceptances/{acceptance_id}/revoke', { ...path, body: { reason } }))
}

/** An acceptance stands when approved and not past its expiry day (UTC). */
export function activeAcceptance(list: readonly Acceptance[]): Acceptance | undefined {
  return list.find((a) => a.status === 'pending' || a.status === 'approved')
}

/** Tomorrow in UTC as YYYY-MM-DD: the earliest expiry a request may name. */
export function earliestExpiry(now: Date = new Date()): string {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
  return next.toISOString().slice(0, 10)
}
