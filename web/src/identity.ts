// Identity and access types: the HTTP contract of docs/identity.md as the OpenAPI document states
// it (aliases of its schemas), plus pure helpers (where a role lands, where pending MFA sends you).
// Route functions are in endpoints.ts.
import type { Schema } from './api/client'

/** From the OpenAPI document (`UserSummary['role']`, `draxis.security.permissions.Role`). */
export type Role = Schema<'UserSummary'>['role']

export const ROLE_LABEL: Record<Role, string> = {
  superadmin: 'Superadmin',
  master_admin: 'Master admin',
  tenant_admin: 'Tenant admin',
  tenant_user: 'Tenant user',
  carrier_admin: 'Carrier admin',
  carrier_user: 'Carrier user',
}

export type UserSummary = Schema<'UserSummary'>

export type MfaState = Schema<'MfaState'>

export type Impersonation = Schema<'Impersonation'>

/** Login, refresh, setup, invite accept, MFA verify / recover / confirm. */
export type AuthResponse = Schema<'AuthResponse'>

export type ScopeKind = Schema<'ScopeOut'>['kind']

export type Me = Schema<'Me'>

/** From the OpenAPI document (`UserOut`). */
export type UserOut = Schema<'UserOut'>

/** From the OpenAPI document (`InviteOut`). */
export type InviteOut = Schema<'InviteOut'>

/** From the OpenAPI document (`TenantOut`). */
export type TenantOut = Schema<'TenantOut'>

export type OrgKind = Schema<'OrgOut'>['kind']

/** From the OpenAPI document (`OrgOut`). */
export type OrgOut = Schema<'OrgOut'>

/** From the OpenAPI document (`AuditEntry`). */
export type AuditEntry = Schema<'AuditEntry'>

export type ImpersonationStart = Schema<'ImpersonationStart'>

export type NeedsSetup = Schema<'NeedsSetup'>

export type MfaEnrollment = Schema<'Enrollment'>

export type EnrollConfirmed = Schema<'EnrollConfirmed'>
export type Recovered = Schema<'Recovered'>

/** `null` = inherit from the next broader level. */
export type MfaRequirement = Schema<'MfaPolicyIn'>['required']

/** From the OpenAPI document (`MfaPolicyOut`). */
export type MfaPolicyOut = Schema<'MfaPolicyOut'>

/** `GET /api/orgs/{org_id}/rollup`: one tenant's rolled-up posture (nulls: not rolled up yet). */
export type TenantRollup = Schema<'TenantRollup'>

export type PortfolioBand = Schema<'PortfolioRow'>['band']

/** One insured in a carrier's book (`trend_30d`: score change over 30 days, positive = worse). */
export type PortfolioRow = Schema<'PortfolioRow'>

export type Portfolio = Schema<'Portfolio'>

/** `GET /api/tenant/carriers`: a carrier and this tenant's consent to share with it. */
export type CarrierConsent = Schema<'Consent'>

export type UserPatch = Schema<'UserPatch'>

// Permission names the client looks at (docs/identity.md, "Roles and permissions").
export const PERMISSION = {
  self: 'self',
  dashboardRead: 'dashboard:read',
  tenantUsersRead: 'tenant_users:read',
  tenantUsersManage: 'tenant_users:manage',
  tenantMfaManage: 'tenant_mfa:manage',
  tenantAuditRead: 'tenant_audit:read',
  orgRead: 'org:read',
  orgTenantsManage: 'org_tenants:manage',
  orgUsersManage: 'org_users:manage',
  orgMfaManage: 'org_mfa:manage',
  impersonate: 'impersonate',
  platformOrgsManage: 'platform_orgs:manage',
  platformAuditRead: 'platform_audit:read',
  platformMfaManage: 'platform_mfa:manage',
  carrierRead: 'carrier:read',
  carrierConsentManage: 'carrier_consent:manage',
  riskModelRead: 'risk_model:read',
  riskModelWrite: 'risk_model:write',
  riskAcceptanceRequest: 'risk_acceptance:request',
  riskAcceptanceDecide: 'risk_acceptance:decide',
  tprmRead: 'tprm:read',
  tprmManage: 'tprm:manage',
  panelUse: 'panel:use',
  knowledgeRead: 'knowledge:read',
  knowledgeWrite: 'knowledge:write',
  tasksRead: 'tasks:read',
  tasksWork: 'tasks:work',
} as const

export const MFA_REQUIRED_SUFFIX = '/mfa-required'

/** MFA applies but this session has not completed it yet. */
export function mfaPending(mfa: MfaState): boolean {
  return mfa.required && !mfa.verified
}

/** Where a pending MFA sends the user, or null when nothing is pending. */
export function mfaPath(mfa: MfaState): '/mfa/enroll' | '/mfa/verify' | null {
  if (!mfaPending(mfa)) return null
  return mfa.enrolled ? '/mfa/verify' : '/mfa/enroll'
}

/** Each role's home page: tenant roles see the dashboard at `/`. */
export function landingFor(role: Role): string {
  switch (role) {
    case 'superadmin':
      return '/platform'
    case 'master_admin':
      return '/org'
    case 'carrier_admin':
    case 'carrier_user':
      return '/carrier'
    default:
      return '/'
  }
}

/** Where to go right after signing in (or restoring a session): MFA first, then home. */
export function postAuthPath(auth: { mfa: MfaState }): string {
  return mfaPath(auth.mfa) ?? '/'
}

export const MIN_PASSWORD_LENGTH = 12

/** Client-side checks before a new password goes to the server (which checks more). */
export function passwordErrors(password: string, confirmation: string): string[] {
  const errors: string[] = []
  if (password.length < MIN_PASSWORD_LENGTH)
    errors.push(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`)
  if (password !== confirmation) errors.push('The passwords do not match.')
  return errors
}

export type TenantRole = 'tenant_admin' | 'tenant_user'
export const TENANT_ROLES: readonly TenantRole[] = ['tenant_admin', 'tenant_user']

export function isTenantRole(role: Role): role is TenantRole {
  return role === 'tenant_admin' || role === 'tenant_user'
}

/** The roles a tenant admin or user may be switched between (the tenant roles); null for anyone else. */
export function tenantRoleChoices(user: { role: Role }): readonly TenantRole[] | null {
  return isTenantRole(user.role) ? TENANT_ROLES : null
}
