// One typed function per API route the web client uses (docs/identity.md, "HTTP contract").
// Public routes go through `request`; everything else through `authedRequest`, which adds the
// access token and the 401 → refresh → retry logic. The MFA code routes answer 401 for a wrong
// code as well: there only a 401 with a `WWW-Authenticate` challenge means the token failed.
import { request, type Dashboard } from './api'
import type {
  AuditEntry,
  AuthResponse,
  CarrierConsent,
  EnrollConfirmed,
  ImpersonationStart,
  InviteOut,
  Me,
  MfaEnrollment,
  MfaPolicyOut,
  MfaRequirement,
  NeedsSetup,
  OrgKind,
  OrgOut,
  Portfolio,
  PortfolioRow,
  Recovered,
  Role,
  TenantOut,
  TenantRollup,
  UserOut,
  UserPatch,
} from './identity'
import type {
  Bucket,
  EntityKind,
  EntityMap,
  KriHistory,
  KriLinks,
  ListPage,
  ListParams,
  RiskLinks,
} from './riskModel'
import { authedRequest } from './session'

const enc = encodeURIComponent

// ---- public ---------------------------------------------------------------------------------

export function getNeedsSetup(signal?: AbortSignal): Promise<NeedsSetup> {
  return request<NeedsSetup>('/api/auth/needs-setup', { signal })
}

export function setup(body: { email: string; display_name: string; password: string }): Promise<AuthResponse> {
  return request<AuthResponse>('/api/auth/setup', { method: 'POST', body })
}

export function login(email: string, password: string): Promise<AuthResponse> {
  return request<AuthResponse>('/api/auth/login', { method: 'POST', body: { email, password } })
}

export function acceptInvite(body: { token: string; display_name: string; password: string }): Promise<AuthResponse> {
  return request<AuthResponse>('/api/auth/invites/accept', { method: 'POST', body })
}

// ---- any signed-in user (also before MFA is complete) --------------------------------------

export function getMe(signal?: AbortSignal): Promise<Me> {
  return authedRequest<Me>('/api/me', { signal })
}

/** `GET /api/me` with an explicit token (a freshly started impersonation). */
export function getMeWithToken(token: string): Promise<Me> {
  return request<Me>('/api/me', { token })
}

export function startMfaEnrollment(): Promise<MfaEnrollment> {
  return authedRequest<MfaEnrollment>('/api/auth/mfa/enroll', { method: 'POST' })
}

export function confirmMfaEnrollment(code: string): Promise<EnrollConfirmed> {
  return authedRequest<EnrollConfirmed>('/api/auth/mfa/enroll/confirm', {
    method: 'POST',
    body: { code },
    refreshOn401: 'challenge',
  })
}

export function verifyMfa(code: string): Promise<AuthResponse> {
  return authedRequest<AuthResponse>('/api/auth/mfa/verify', { method: 'POST', body: { code }, refreshOn401: 'challenge' })
}

export function recoverMfa(recovery_code: string): Promise<Recovered> {
  return authedRequest<Recovered>('/api/auth/mfa/recover', {
    method: 'POST',
    body: { recovery_code },
    refreshOn401: 'challenge',
  })
}

/** Change one's own password; the answer is a fresh session (other sessions are signed out). */
export function changePassword(body: { current_password: string; new_password: string }): Promise<AuthResponse> {
  return authedRequest<AuthResponse>('/api/auth/password', { method: 'POST', body })
}

/** Ends an impersonation; needs the impersonation token itself (no refresh-and-retry). */
export function stopImpersonation(token: string): Promise<void> {
  return request<void>('/api/auth/impersonation/stop', { method: 'POST', token })
}

// ---- tenant ---------------------------------------------------------------------------------

export function getDashboard(signal?: AbortSignal): Promise<Dashboard> {
  return authedRequest<Dashboard>('/api/dashboard', { signal })
}

export function listTenantUsers(signal?: AbortSignal): Promise<UserOut[]> {
  return authedRequest<UserOut[]>('/api/tenant/users', { signal })
}

export function inviteTenantUser(body: { email: string; role: 'tenant_admin' | 'tenant_user' }): Promise<InviteOut> {
  return authedRequest<InviteOut>('/api/tenant/invites', { method: 'POST', body })
}

export function updateTenantUser(userId: string, body: UserPatch): Promise<UserOut> {
  return authedRequest<UserOut>(`/api/tenant/users/${enc(userId)}`, { method: 'PATCH', body })
}

export function resetTenantUserMfa(userId: string): Promise<void> {
  return authedRequest<void>(`/api/tenant/users/${enc(userId)}/mfa-reset`, { method: 'POST' })
}

export function setTenantMfaPolicy(required: MfaRequirement): Promise<MfaPolicyOut> {
  return authedRequest<MfaPolicyOut>('/api/tenant/mfa-policy', { method: 'PUT', body: { required } })
}

export function listTenantCarriers(signal?: AbortSignal): Promise<CarrierConsent[]> {
  return authedRequest<CarrierConsent[]>('/api/tenant/carriers', { signal })
}

export function grantCarrierConsent(carrierId: string): Promise<void> {
  return authedRequest<void>(`/api/tenant/carriers/${enc(carrierId)}/consent`, { method: 'PUT' })
}

export function revokeCarrierConsent(carrierId: string): Promise<void> {
  return authedRequest<void>(`/api/tenant/carriers/${enc(carrierId)}/consent`, { method: 'DELETE' })
}

// ---- organization ---------------------------------------------------------------------------

export function getOrg(orgId: string, signal?: AbortSignal): Promise<OrgOut> {
  return authedRequest<OrgOut>(`/api/orgs/${enc(orgId)}`, { signal })
}

export function listOrgTenants(orgId: string, signal?: AbortSignal): Promise<TenantOut[]> {
  return authedRequest<TenantOut[]>(`/api/orgs/${enc(orgId)}/tenants`, { signal })
}

/** Each tenant's rolled-up posture, worst first. */
export function getOrgRollup(orgId: string, signal?: AbortSignal): Promise<TenantRollup[]> {
  return authedRequest<TenantRollup[]>(`/api/orgs/${enc(orgId)}/rollup`, { signal })
}

export function createTenant(orgId: string, body: { slug: string; name: string }): Promise<TenantOut> {
  return authedRequest<TenantOut>(`/api/orgs/${enc(orgId)}/tenants`, { method: 'POST', body })
}

export function deleteTenant(orgId: string, tenantId: string): Promise<void> {
  return authedRequest<void>(`/api/orgs/${enc(orgId)}/tenants/${enc(tenantId)}`, { method: 'DELETE' })
}

export function listOrgUsers(orgId: string, signal?: AbortSignal): Promise<UserOut[]> {
  return authedRequest<UserOut[]>(`/api/orgs/${enc(orgId)}/users`, { signal })
}

export function inviteOrgUser(
  orgId: string,
  body: { email: string; role: Role; tenant_id?: string },
): Promise<InviteOut> {
  return authedRequest<InviteOut>(`/api/orgs/${enc(orgId)}/invites`, { method: 'POST', body })
}

export function updateOrgUser(orgId: string, userId: string, body: UserPatch): Promise<UserOut> {
  return authedRequest<UserOut>(`/api/orgs/${enc(orgId)}/users/${enc(userId)}`, { method: 'PATCH', body })
}

export function resetOrgUserMfa(orgId: string, userId: string): Promise<void> {
  return authedRequest<void>(`/api/orgs/${enc(orgId)}/users/${enc(userId)}/mfa-reset`, { method: 'POST' })
}

export function setOrgMfaPolicy(orgId: string, required: MfaRequirement): Promise<MfaPolicyOut> {
  return authedRequest<MfaPolicyOut>(`/api/orgs/${enc(orgId)}/mfa-policy`, { method: 'PUT', body: { required } })
}

export function impersonateTenant(orgId: string, tenantId: string): Promise<ImpersonationStart> {
  return authedRequest<ImpersonationStart>(`/api/orgs/${enc(orgId)}/tenants/${enc(tenantId)}/impersonate`, {
    method: 'POST',
  })
}

// ---- platform -------------------------------------------------------------------------------

export function listOrgs(signal?: AbortSignal): Promise<OrgOut[]> {
  return authedRequest<OrgOut[]>('/api/platform/orgs', { signal })
}

export function createOrg(body: { slug: string; name: string; kind: OrgKind }): Promise<OrgOut> {
  return authedRequest<OrgOut>('/api/platform/orgs', { method: 'POST', body })
}

export function setOrgDisabled(orgId: string, disabled: boolean): Promise<OrgOut> {
  return authedRequest<OrgOut>(`/api/platform/orgs/${enc(orgId)}`, { method: 'PATCH', body: { disabled } })
}

export function setPlatformMfaPolicy(required: MfaRequirement): Promise<MfaPolicyOut> {
  return authedRequest<MfaPolicyOut>('/api/platform/mfa-policy', { method: 'PUT', body: { required } })
}

export function listPlatformAudit(
  opts: { limit?: number; before?: string } = {},
  signal?: AbortSignal,
): Promise<AuditEntry[]> {
  const params = new URLSearchParams({ limit: String(opts.limit ?? 50) })
  if (opts.before) params.set('before', opts.before)
  return authedRequest<AuditEntry[]>(`/api/platform/audit?${params.toString()}`, { signal })
}

// ---- carrier --------------------------------------------------------------------------------

export function getPortfolio(signal?: AbortSignal): Promise<Portfolio> {
  return authedRequest<Portfolio>('/api/carrier/portfolio', { signal })
}

/** One insured of the book; 404 once it is no longer in the book (consent revoked). */
export function getCarrierTenant(tenantId: string, signal?: AbortSignal): Promise<PortfolioRow> {
  return authedRequest<PortfolioRow>(`/api/carrier/tenants/${enc(tenantId)}`, { signal })
}

// ---- risk model -----------------------------------------------------------------------------

function listQuery(params: ListParams): string {
  const q = new URLSearchParams()
  q.set('limit', String(params.limit ?? 50))
  q.set('offset', String(params.offset ?? 0))
  if (params.sort) q.set('sort', params.sort)
  if (params.q) q.set('q', params.q)
  for (const [name, value] of Object.entries(params.filters ?? {})) if (value !== '') q.set(name, value)
  return q.toString()
}

export function listEntities<K extends EntityKind>(
  kind: K,
  params: ListParams = {},
  signal?: AbortSignal,
): Promise<ListPage<EntityMap[K]>> {
  return authedRequest<ListPage<EntityMap[K]>>(`/api/${kind}?${listQuery(params)}`, { signal })
}

/** Every item of a kind (for pickers), page by page; stops after `maxPages` pages. */
export async function listAllEntities<K extends EntityKind>(
  kind: K,
  signal?: AbortSignal,
  maxPages = 20,
): Promise<EntityMap[K][]> {
  const limit = 100
  const items: EntityMap[K][] = []
  for (let page = 0; page < maxPages; page += 1) {
    const res = await listEntities(kind, { limit, offset: page * limit }, signal)
    items.push(...res.items)
    if (res.items.length === 0 || items.length >= res.total) break
  }
  return items
}

export function getEntity<K extends EntityKind>(kind: K, id: string, signal?: AbortSignal): Promise<EntityMap[K]> {
  return authedRequest<EntityMap[K]>(`/api/${kind}/${enc(id)}`, { signal })
}

export function createEntity<K extends EntityKind>(kind: K, body: Record<string, unknown>): Promise<EntityMap[K]> {
  return authedRequest<EntityMap[K]>(`/api/${kind}`, { method: 'POST', body })
}

export function updateEntity<K extends EntityKind>(kind: K, id: string, body: Record<string, unknown>): Promise<EntityMap[K]> {
  return authedRequest<EntityMap[K]>(`/api/${kind}/${enc(id)}`, { method: 'PATCH', body })
}

/** Deletes all of `ids` in one transaction, or none (an unknown id answers 404). */
export function bulkDeleteEntities(kind: EntityKind, ids: readonly string[]): Promise<{ deleted: number }> {
  return authedRequest<{ deleted: number }>(`/api/${kind}/bulk-delete`, { method: 'POST', body: { ids } })
}

export function deleteEntity(kind: EntityKind, id: string): Promise<void> {
  return authedRequest<void>(`/api/${kind}/${enc(id)}`, { method: 'DELETE' })
}

export function getRiskLinks(riskId: string, signal?: AbortSignal): Promise<RiskLinks> {
  return authedRequest<RiskLinks>(`/api/risks/${enc(riskId)}/links`, { signal })
}

export function putRiskLinks(riskId: string, body: Partial<RiskLinks>): Promise<RiskLinks> {
  return authedRequest<RiskLinks>(`/api/risks/${enc(riskId)}/links`, { method: 'PUT', body })
}

export function getKriLinks(kriId: string, signal?: AbortSignal): Promise<KriLinks> {
  return authedRequest<KriLinks>(`/api/kris/${enc(kriId)}/links`, { signal })
}

export function putKriLinks(kriId: string, body: Partial<KriLinks>): Promise<KriLinks> {
  return authedRequest<KriLinks>(`/api/kris/${enc(kriId)}/links`, { method: 'PUT', body })
}

export function getKriObservations(
  kriId: string,
  params: { from?: string; to?: string; bucket?: Bucket } = {},
  signal?: AbortSignal,
): Promise<KriHistory> {
  const q = new URLSearchParams()
  if (params.from) q.set('from', params.from)
  if (params.to) q.set('to', params.to)
  if (params.bucket) q.set('bucket', params.bucket)
  const qs = q.toString()
  return authedRequest<KriHistory>(`/api/kris/${enc(kriId)}/observations${qs ? `?${qs}` : ''}`, { signal })
}
