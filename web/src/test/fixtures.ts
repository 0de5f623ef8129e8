import type { Dashboard, Kri } from '../api'
import type {
  AuthResponse,
  ImpersonationStart,
  Me,
  MfaState,
  Role,
  TenantOut,
  UserOut,
  UserSummary,
} from '../identity'
import type { Control, ListPage, ModelKri, Outcome, Risk } from '../riskModel'

export function kri(overrides: Partial<Kri> = {}): Kri {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    slug: 'mfa_adoption_pct',
    name: 'MFA adoption',
    description: 'Share of active accounts enrolled in MFA',
    unit: '%',
    direction: 'lower_is_worse',
    warn: 95,
    critical: 90,
    value: 97.3,
    status: 'green',
    observed_at: '2025-01-01T09:00:00Z',
    source: 'Demo data',
    ...overrides,
  }
}

export const tenantAdmin: UserSummary = {
  id: 'u-1',
  email: 'ada@acme.test',
  display_name: 'Ada Lovelace',
  role: 'tenant_admin',
  org_id: 'o-1',
  tenant_id: 't-1',
  tenant_name: 'Acme Health',
  carrier_id: null,
}

export const masterAdmin: UserSummary = {
  id: 'u-9',
  email: 'grace@partner.test',
  display_name: 'Grace Hopper',
  role: 'master_admin',
  org_id: 'o-1',
  tenant_id: null,
  tenant_name: null,
  carrier_id: null,
}

export const MFA_DONE: MfaState = { required: false, enrolled: false, verified: false }

export function authResponse(overrides: Partial<AuthResponse> = {}): AuthResponse {
  return {
    access_token: 'tok-123',
    token_type: 'bearer',
    expires_in: 900,
    user: tenantAdmin,
    mfa: MFA_DONE,
    impersonation: null,
    ...overrides,
  }
}

/** Kept for the original tests' wording: a tenant admin without MFA. */
export const loginResponse: AuthResponse = authResponse()

const ROLE_PERMISSIONS: Record<Role, string[]> = {
  superadmin: ['self', 'org:read', 'org_tenants:manage', 'org_users:manage', 'org_mfa:manage', 'impersonate', 'platform_orgs:manage', 'platform_audit:read', 'platform_mfa:manage'],
  master_admin: ['self', 'org:read', 'org_tenants:manage', 'org_users:manage', 'org_mfa:manage', 'impersonate'],
  tenant_admin: ['self', 'dashboard:read', 'tenant_users:read', 'tenant_users:manage', 'tenant_audit:read', 'tenant_mfa:manage', 'risk_model:read', 'risk_model:write', 'risk_acceptance:request', 'risk_acceptance:decide', 'carrier_consent:manage', 'tasks:read', 'tasks:work', 'tasks:delete', 'tprm:read', 'tprm:manage'],
  tenant_user: ['self', 'dashboard:read', 'tenant_users:read', 'risk_model:read', 'risk_acceptance:request', 'tasks:read', 'tasks:work', 'tprm:read'],
  carrier_admin: ['self', 'carrier:read'],
  carrier_user: ['self', 'carrier:read'],
}

export function me(user: UserSummary = tenantAdmin, overrides: Partial<Me> = {}): Me {
  return {
    user,
    mfa: MFA_DONE,
    impersonation: null,
    permissions: ROLE_PERMISSIONS[user.role],
    scope: {
      kind: user.role === 'superadmin' ? 'platform' : user.role === 'master_admin' ? 'org' : user.role.startsWith('carrier') ? 'carrier' : 'tenant',
      tenant_id: user.tenant_id,
      org_id: user.org_id,
      carrier_id: user.carrier_id,
    },
    org_name: null,
    ...overrides,
  }
}

export function userOut(overrides: Partial<UserOut> = {}): UserOut {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    email: 'someone@acme.test',
    display_name: 'Someone',
    role: 'tenant_user',
    tenant_id: 't-1',
    is_active: true,
    mfa_enrolled: false,
    created_at: '2025-01-01T09:00:00Z',
    last_login_at: null,
    ...overrides,
  }
}

export function tenantOut(overrides: Partial<TenantOut> = {}): TenantOut {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    slug: 'acme',
    name: 'Acme Health',
    created_at: '2025-01-01T09:00:00Z',
    deleted_at: null,
    ...overrides,
  }
}

export function impersonationStart(overrides: Partial<ImpersonationStart> = {}): ImpersonationStart {
  return {
    access_token: 'imp-tok',
    token_type: 'bearer',
    expires_in: 1800,
    impersonation: {
      actor: { id: masterAdmin.id, email: masterAdmin.email, role: 'master_admin' },
      tenant_id: 't-1',
      expires_at: '2025-01-01T12:30:00Z',
    },
    tenant_name: 'Acme Health',
    ...overrides,
  }
}

export function dashboard(kris: Kri[]): Dashboard {
  const counts = { green: 0, amber: 0, red: 0, stale: 0, no_data: 0 }
  for (const k of kris) counts[k.status] += 1
  return {
    tenant: { id: 't-1', name: 'Acme Health' },
    generated_at: new Date().toISOString(),
    counts,
    kris,
    posture: null,
    top_risks: [],
    outcomes: [],
  }
}

export function jsonResponse(
  body: unknown,
  status = 200,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': contentType, ...headers } })
}

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return jsonResponse({ type: 'about:blank', title: 'Error', status, detail, ...extra }, status, 'application/problem+json', headers)
}

export function noContent(): Response {
  return new Response(null, { status: 204 })
}

export function modelKri(overrides: Partial<ModelKri> = {}): ModelKri {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    slug: 'open_critical_vulns',
    name: 'Open critical vulnerabilities',
    description: 'Critical CVEs open past SLA',
    unit: 'count',
    direction: 'higher_is_worse',
    warn: 5,
    critical: 10,
    category: 'vulnerability',
    owner: 'secops',
    source_id: null,
    owner_user_id: null,
    owner_name: null,
    due_date: null,
    review_date: null,
    created_at: '2025-01-01T09:00:00Z',
    updated_at: '2025-01-01T09:00:00Z',
    ...overrides,
  }
}

export function risk(overrides: Partial<Risk> = {}): Risk {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    slug: 'ransomware',
    title: 'Ransomware outbreak',
    description: 'Encryption of core systems',
    category: 'cyber',
    owner: 'ciso',
    status: 'open',
    owner_user_id: null,
    owner_name: null,
    due_date: null,
    review_date: null,
    created_at: '2025-01-01T09:00:00Z',
    updated_at: '2025-01-01T09:00:00Z',
    ...overrides,
  }
}

export function outcome(overrides: Partial<Outcome> = {}): Outcome {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    slug: 'data_breach',
    name: 'Data breach',
    description: '',
    owner: '',
    owner_user_id: null,
    owner_name: null,
    due_date: null,
    review_date: null,
    created_at: '2025-01-01T09:00:00Z',
    updated_at: '2025-01-01T09:00:00Z',
    ...overrides,
  }
}

export function control(overrides: Partial<Control> = {}): Control {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    slug: 'edr',
    name: 'EDR on all endpoints',
    description: '',
    effectiveness: 'effective',
    framework: 'cis_v8',
    framework_ref: '10.1',
    attack_techniques: ['T1059.001'],
    owner: '',
    owner_user_id: null,
    owner_name: null,
    due_date: null,
    review_date: null,
    created_at: '2025-01-01T09:00:00Z',
    updated_at: '2025-01-01T09:00:00Z',
    ...overrides,
  }
}

export function listPage<T>(items: T[]): ListPage<T> {
  return { items, total: items.length, limit: 50, offset: 0 }
}
