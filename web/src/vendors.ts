// The vendor profile (api/routes/vendor_profile.py, vendor_contacts.py, vendor_findings.py,
// tprm_policy.py; docs/tprm.md "Vendor profile"): the list, one vendor's profile, its contacts,
// risks and findings, and the tenant's reassessment policy. Through the typed client.
import { answer, api, done, type Schema } from './api/client'

export type VendorSummary = Schema<'VendorSummary'>
export type VendorProfile = Schema<'VendorProfile'>
export type Contact = Schema<'ContactOut'>
export type ContactIn = Schema<'ContactIn'>
export type VendorRisk = Schema<'VendorRisk'>
export type Finding = Schema<'FindingOut'>
export type Policy = Schema<'PolicyOut'>
export type PolicyIn = Schema<'PolicyIn'>
export type FindingDecision = 'resolve' | 'accept'

export const VENDORS_KEY = ['tprm-vendors'] as const
export const POLICY_KEY = ['tprm-policy'] as const

export function vendorKey(vendorId: string): readonly unknown[] {
  return [...VENDORS_KEY, vendorId]
}

export const CRITICALITY_LABEL: Record<string, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' }
export const DATA_ACCESS_LABEL: Record<string, string> = {
  none: 'None',
  internal: 'Internal',
  confidential: 'Confidential',
  restricted: 'Restricted',
}

export async function listVendorSummaries(
  filters: { tier?: number; overdue?: boolean },
  signal?: AbortSignal,
): Promise<VendorSummary[]> {
  const query = { limit: 500, ...filters }
  return answer(await api.GET('/api/tprm/vendors', { params: { query }, signal })).items
}

export async function getProfile(vendorId: string, signal?: AbortSignal): Promise<VendorProfile> {
  return answer(await api.GET('/api/vendors/{vendor_id}/profile', { params: { path: { vendor_id: vendorId } }, signal }))
}

export async function createContact(vendorId: string, body: ContactIn): Promise<Contact> {
  return answer(await api.POST('/api/vendors/{vendor_id}/contacts', { params: { path: { vendor_id: vendorId } }, body }))
}

export async function updateContact(vendorId: string, contactId: string, body: Partial<ContactIn>): Promise<Contact> {
  return answer(
    await api.PATCH('/api/vendors/{vendor_id}/contacts/{contact_id}', {
      params: { path: { vendor_id: vendorId, contact_id: contactId } },
      body,
    }),
  )
}

export async function deleteContact(vendorId: string, contactId: string): Promise<void> {
  await done(
    api.DELETE('/api/vendors/{vendor_id}/contacts/{contact_id}', {
      params: { path: { vendor_id: vendorId, contact_id: contactId } },
    }),
  )
}

export async function setVendorRisks(vendorId: string, riskIds: string[]): Promise<VendorRisk[]> {
  return answer(
    await api.PUT('/api/vendors/{vendor_id}/risks', { params: { path: { vendor_id: vendorId } }, body: { risk_ids: riskIds } }),
  )
}

export async function listVendorFindings(vendorId: string, signal?: AbortSignal): Promise<Finding[]> {
  return answer(
    await api.GET('/api/vendors/{vendor_id}/findings', {
      params: { path: { vendor_id: vendorId }, query: { limit: 500 } },
      signal,
    }),
  ).items
}

export async function decideFinding(findingId: string, decision: FindingDecision, reason: string): Promise<Finding> {
  const init = { params: { path: { finding_id: findingId } }, body: { reason } }
  if (decision === 'resolve') return answer(await api.POST('/api/vendor-findings/{finding_id}/resolve', init))
  return answer(await api.POST('/api/vendor-findings/{finding_id}/accept', init))
}

export async function getPolicy(signal?: AbortSignal): Promise<Policy> {
  return answer(await api.GET('/api/tprm/policy', { signal }))
}

export async function putPolicy(body: PolicyIn): Promise<Policy> {
  return answer(await api.PUT('/api/tprm/policy', { body }))
}
