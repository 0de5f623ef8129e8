// One typed function per API route the web client uses (docs/identity.md, "HTTP contract"), each
// over the typed client (api/client.ts): paths, parameters and answers come from the OpenAPI
// document. Public routes go through `publicApi`; everything else through `api`, which adds the
// access token and the one 401 → refresh → retry (session.ts). The MFA code routes answer 401 for
// a wrong code as well: there only a 401 with a `WWW-Authenticate` challenge means the token failed.
import type { Dashboard } from './api'
import { answer, api, done, publicApi, refreshOn, withToken } from './api/client'
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

// ---- public ---------------------------------------------------------------------------------

export async function getNeedsSetup(signal?: AbortSignal): Promise<NeedsSetup> {
  return answer(await publicApi.GET('/api/auth/needs-setup', { signal }))
}

export async function setup(body: { email: string; display_name: string; password: string }): Promise<AuthResponse> {
  return answer(await publicApi.POST('/api/auth/setup', { body }))
}

export async function login(email: string, password: string): Promise<AuthResponse> {
  return answer(await publicApi.POST('/api/auth/login', { body: { email, password } }))
}

export async function acceptInvite(body: { token: string; display_name: string; password: string }): Promise<AuthResponse> {
  return answer(await publicApi.POST('/api/auth/invites/accept', { body }))
}

// ---- any signed-in user (also before MFA is complete) --------------------------------------

export async function getMe(signal?: AbortSignal): Promise<Me> {
  return answer(await api.GET('/api/me', { signal }))
}

/** `GET /api/me` with an explicit token (a freshly started impersonation). */
export async function getMeWithToken(token: string): Promise<Me> {
  return answer(await publicApi.GET('/api/me', withToken(token)))
}

export async function startMfaEnrollment(): Promise<MfaEnrollment> {
  return answer(await api.POST('/api/auth/mfa/enroll'))
}

export async function confirmMfaEnrollment(code: string): Promise<EnrollConfirmed> {
  return answer(await api.POST('/api/auth/mfa/enroll/confirm', { body: { code }, ...refreshOn('challenge') }))
}

export async function verifyMfa(code: string): Promise<AuthResponse> {
  return answer(await api.POST('/api/auth/mfa/verify', { body: { code }, ...refreshOn('challenge') }))
}

export async function recoverMfa(recovery_code: string): Promise<Recovered> {
  return answer(await api.POST('/api/auth/mfa/recover', { body: { recovery_code }, ...refreshOn('challenge') }))
}

/** Change one's own password; the answer is a fresh session (other sessions are signed out). */
export async function changePassword(body: { current_password: string; new_password: string }): Promise<AuthResponse> {
  return answer(await api.POST('/api/auth/password', { body }))
}

/** Ends an impersonation; needs the impersonation token itself (no refresh-and-retry). */
export function stopImpersonation(token: string): Promise<void> {
  return done(publicApi.POST('/api/auth/impersonation/stop', withToken(token)))
}

// ---- tenant ---------------------------------------------------------------------------------

export async function getDashboard(signal?: AbortSignal): Promise<Dashboard> {
  return answer(await api.GET('/api/dashboard', { signal }))
}

export async function listTenantUsers(signal?: AbortSignal): Promise<UserOut[]> {
  return answer(await api.GET('/api/tenant/users', { signal }))
}

export async function inviteTenantUser(body: { email: string; role: 'tenant_admin' | 'tenant_user' }): Promise<InviteOut> {
  return answer(await api.POST('/api/tenant/invites', { body }))
}

export async function updateTenantUser(userId: string, body: UserPatch): Promise<UserOut> {
  return answer(await api.PATCH('/api/tenant/users/{user_id}', { params: { path: { user_id: userId } }, body }))
}

export function resetTenantUserMfa(userId: string): Promise<void> {
  return done(api.POST('/api/tenant/users/{user_id}/mfa-reset', { params: { path: { user_id: userId } } }))
}

export async function setTenantMfaPolicy(required: MfaRequirement): Promise<MfaPolicyOut> {
  return answer(await api.PUT('/api/tenant/mfa-policy', { body: { required } }))
}

export async function listTenantCarriers(signal?: AbortSignal): Promise<CarrierConsent[]> {
  return answer(await api.GET('/api/tenant/carriers', { signal }))
}

export function grantCarrierConsent(carrierId: string): Promise<void> {
  return done(api.PUT('/api/tenant/carriers/{carrier_id}/consent', { params: { path: { carrier_id: carrierId } } }))
}

export function revokeCarrierConsent(carrierId: string): Promise<void> {
  return done(api.DELETE('/api/tenant/carriers/{carrier_id}/consent', { params: { path: { carrier_id: carrierId } } }))
}

// ---- organization ---------------------------------------------------------------------------

const org = (orgId: string) => ({ params: { path: { org_id: orgId } } })
const orgTenant = (orgId: string, tenantId: string) => ({ params: { path: { org_id: orgId, tenant_id: tenantId } } })
const orgUser = (orgId: string, userId: string) => ({ params: { path: { org_id: orgId, user_id: userId } } })

export async function getOrg(orgId: string, signal?: AbortSignal): Promise<OrgOut> {
  return answer(await api.GET('/api/orgs/{org_id}', { ...org(orgId), signal }))
}

export async function listOrgTenants(orgId: string, signal?: AbortSignal): Promise<TenantOut[]> {
  return answer(await api.GET('/api/orgs/{org_id}/tenants', { ...org(orgId), signal }))
}

/** Each tenant's rolled-up posture, worst first. */
export async function getOrgRollup(orgId: string, signal?: AbortSignal): Promise<TenantRollup[]> {
  return answer(await api.GET('/api/orgs/{org_id}/rollup', { ...org(orgId), signal }))
}

export async function createTenant(orgId: string, body: { slug: string; name: string }): Promise<TenantOut> {
  return answer(await api.POST('/api/orgs/{org_id}/tenants', { ...org(orgId), body }))
}

export function deleteTenant(orgId: string, tenantId: string): Promise<void> {
  return done(api.DELETE('/api/orgs/{org_id}/tenants/{tenant_id}', orgTenant(orgId, tenantId)))
}

export async function listOrgUsers(orgId: string, signal?: AbortSignal): Promise<UserOut[]> {
  return answer(await api.GET('/api/orgs/{org_id}/users', { ...org(orgId), signal }))
}

export async function inviteOrgUser(orgId: string, body: { email: string; role: Role; tenant_id?: string }): Promise<InviteOut> {
  return answer(await api.POST('/api/orgs/{org_id}/invites', { ...org(orgId), body }))
}

export async function updateOrgUser(orgId: string, userId: string, body: UserPatch): Promise<UserOut> {
  return answer(await api.PATCH('/api/orgs/{org_id}/users/{user_id}', { ...orgUser(orgId, userId), body }))
}

export function resetOrgUserMfa(orgId: string, userId: string): Promise<void> {
  return done(api.POST('/api/orgs/{org_id}/users/{user_id}/mfa-reset', orgUser(orgId, userId)))
}

export async function setOrgMfaPolicy(orgId: string, required: MfaRequirement): Promise<MfaPolicyOut> {
  return answer(await api.PUT('/api/orgs/{org_id}/mfa-policy', { ...org(orgId), body: { required } }))
}

export async function impersonateTenant(orgId: string, tenantId: string): Promise<ImpersonationStart> {
  return answer(await api.POST('/api/orgs/{org_id}/tenants/{tenant_id}/impersonate', orgTenant(orgId, tenantId)))
}

// ---- platform -------------------------------------------------------------------------------

export async function listOrgs(signal?: AbortSignal): Promise<OrgOut[]> {
  return answer(await api.GET('/api/platform/orgs', { signal }))
}

export async function createOrg(body: { slug: string; name: string; kind: OrgKind }): Promise<OrgOut> {
  return answer(await api.POST('/api/platform/orgs', { body }))
}

export async function setOrgDisabled(orgId: string, disabled: boolean): Promise<OrgOut> {
  return answer(await api.PATCH('/api/platform/orgs/{org_id}', { ...org(orgId), body: { disabled } }))
}

export async function setPlatformMfaPolicy(required: MfaRequirement): Promise<MfaPolicyOut> {
  return answer(await api.PUT('/api/platform/mfa-policy', { body: { required } }))
}

export async function listPlatformAudit(
  opts: { limit?: number; before?: string } = {},
  signal?: AbortSignal,
): Promise<AuditEntry[]> {
  const query = { limit: opts.limit ?? 50, ...(opts.before ? { before: opts.before } : {}) }
  return answer(await api.GET('/api/platform/audit', { params: { query }, signal }))
}

// ---- carrier --------------------------------------------------------------------------------

export async function getPortfolio(signal?: AbortSignal): Promise<Portfolio> {
  return answer(await api.GET('/api/carrier/portfolio', { signal }))
}

/** One insured of the book; 404 once it is no longer in the book (consent revoked). */
export async function getCarrierTenant(tenantId: string, signal?: AbortSignal): Promise<PortfolioRow> {
  return answer(await api.GET('/api/carrier/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } }, signal }))
}

// ---- risk model -----------------------------------------------------------------------------
// The five kinds share one set of routes (api/crud.py) that differ only in the item's schema, so
// these generic functions name the KRI routes' paths for the type checker and send `/api/{kind}`.

const listPath = (kind: EntityKind) => `/api/${kind}` as '/api/kris'
const itemPath = (kind: EntityKind) => `/api/${kind}/{item_id}` as '/api/kris/{item_id}'
const item = (id: string) => ({ path: { item_id: id } })

function listQuery(params: ListParams): Record<string, string | number> {
  const q: Record<string, string | number> = { limit: params.limit ?? 50, offset: params.offset ?? 0 }
  if (params.sort) q.sort = params.sort
  if (params.q) q.q = params.q
  for (const [name, value] of Object.entries(params.filters ?? {})) if (value !== '') q[name] = value
  return q
}

export async function listEntities<K extends EntityKind>(
  kind: K,
  params: ListParams = {},
  signal?: AbortSignal,
): Promise<ListPage<EntityMap[K]>> {
  const res = await api.GET(listPath(kind), { params: { query: listQuery(params) }, signal })
  return answer(res) as ListPage<EntityMap[K]>
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

export async function getEntity<K extends EntityKind>(kind: K, id: string, signal?: AbortSignal): Promise<EntityMap[K]> {
  return answer(await api.GET(itemPath(kind), { params: item(id), signal })) as EntityMap[K]
}

export async function createEntity<K extends EntityKind>(kind: K, body: Record<string, unknown>): Promise<EntityMap[K]> {
  return answer(await api.POST(listPath(kind), { body: body as never })) as EntityMap[K]
}

export async function updateEntity<K extends EntityKind>(kind: K, id: string, body: Record<string, unknown>): Promise<EntityMap[K]> {
  return answer(await api.PATCH(itemPath(kind), { params: item(id), body: body as never })) as EntityMap[K]
}

/** Deletes all of `ids` in one transaction, or none (an unknown id answers 404). */
export async function bulkDeleteEntities(kind: EntityKind, ids: readonly string[]): Promise<{ deleted: number }> {
  const path = `/api/${kind}/bulk-delete` as '/api/kris/bulk-delete'
  return answer(await api.POST(path, { body: { ids: [...ids] } }))
}

export function deleteEntity(kind: EntityKind, id: string): Promise<void> {
  return done(api.DELETE(itemPath(kind), { params: item(id) }))
}

export async function getRiskLinks(riskId: string, signal?: AbortSignal): Promise<RiskLinks> {
  return answer(await api.GET('/api/risks/{item_id}/links', { params: item(riskId), signal }))
}

export async function putRiskLinks(riskId: string, body: Partial<RiskLinks>): Promise<RiskLinks> {
  return answer(await api.PUT('/api/risks/{item_id}/links', { params: item(riskId), body }))
}

export async function getKriLinks(kriId: string, signal?: AbortSignal): Promise<KriLinks> {
  return answer(await api.GET('/api/kris/{item_id}/links', { params: item(kriId), signal }))
}

export async function putKriLinks(kriId: string, body: Partial<KriLinks>): Promise<KriLinks> {
  return answer(await api.PUT('/api/kris/{item_id}/links', { params: item(kriId), body }))
}

export async function getKriObservations(
  kriId: string,
  params: { from?: string; to?: string; bucket?: Bucket } = {},
  signal?: AbortSignal,
): Promise<KriHistory> {
  const query = Object.fromEntries(Object.entries(params).filter(([, v]) => v)) as typeof params
  return answer(await api.GET('/api/kris/{kri_id}/observations', { params: { path: { kri_id: kriId }, query }, signal }))
}
