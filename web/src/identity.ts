import type { Schema } from './api/client'
// Identity and access types: the HTTP contract of docs/identity.md, plus pure helpers
// (where a role lands, where pending MFA sends you). Route functions are in endpoints.ts.

export type Role =
  | 'superadmin'
  | 'master_admin'
  | 'tenant_admin'
  | 'tenant_user'
  | 'carrier_admin'
  | 'carrier_user'

export const ROLE_LABEL: Record<Role, string> = {
  superadmin: 'Superadmin',
  master_admin: 'Master admin',
  tenant_admin: 'Tenant admin',
  tenant_user: 'Tenant user',
  carrier_admin: 'Carrier admin',
  carrier_user: 'Carrier user',
}

export interface UserSummary {
  id: string
  email: string
  display_name: string
  role: Role
  org_id: string | null
  tenant_id: string | null
  tenant_name: string | null
  carrier_id: string | null
}

export interface MfaState {
  required: boolean
  enrolled: boolean
  verified: boolean
}

export interface Impersonation {
  actor: { id: string; email: string; role: Role }
  tenant_id: string
  expires_at: string
}

/** Login, refresh, setup, invite accept, MFA verify / recover / confirm. */
export interface AuthResponse {
  access_token: string
  token_type: 'bearer'
  expires_in: number
  user: UserSummary
  mfa: MfaState
  impersonation: Impersonation | null
}

export type ScopeKind = 'tenant' | 'org' | 'platform' | 'carrier'

export interface Me extends Omit<AuthResponse, 'access_token' | 'token_type' | 'expires_in'> {
  permissions: string[]
  scope: { kind: ScopeKind; tenant_id: string | null; org_id: string | null; carrier_id: string | null }
}

/** From the OpenAPI document (`UserOut`). */
export type UserOut = Schema<'UserOut'>

/** From the OpenAPI document (`InviteOut`). */
export type InviteOut = Schema<'InviteOut'>

/** From the OpenAPI document (`TenantOut`). */
export type TenantOut = Schema<'TenantOut'>

export type OrgKind = 'direct' | 'partner'

/** From the OpenAPI document (`OrgOut`). */
export type OrgOut = Schema<'OrgOut'>

/** From the OpenAPI document (`AuditEntry`). */
export type AuditEntry = Schema<'AuditEntry'>

export interface ImpersonationStart {
  access_token: string
  token_type: 'bearer'
  expires_in: number
  impersonation: Impersonation
  tenant_name: string
}

export interface NeedsSetup {
  needs_setup: boolean
}

export interface MfaEnrollment {
  secret: string
  provisioning_uri: string
}

export type EnrollConfirmed = AuthResponse & { recovery_codes: string[] }
export type Recovered = AuthResponse & { recovery_codes_left: number }

/** `null` = inherit from the next broader level. */
export type MfaRequirement = boolean | null

/** From the OpenAPI document (`MfaPolicyOut`). */
export type MfaPolicyOut = Schema<'MfaPolicyOut'>

/** `GET /api/orgs/{org_id}/rollup`: one tenant's rolled-up posture (nulls: not rolled up yet). */
export interface TenantRollup {
  tenant_id: string
  slug: string
  name: string
  posture_score: number | null
  kri_count: number | null
  kris_red: number | null
  kris_amber: number | null
  kris_green: number | null
  /** Share (0–1) of KRIs whose data is stale. */
  stale_share: number | null
  risks_critical: number | null
  risks_high: number | null
  computed_at: string | null
  /** Open tasks past their due date. */
  overdue_tasks?: number
}

export type PortfolioBand = 'critical' | 'high' | 'medium' | 'low' | 'unassessed'

/** One insured in a carrier's book. */
export interface PortfolioRow {
  tenant_id: string
  tenant_name: string
  posture_score: number | null
  score_30d_ago: number | null
  /** Score change over 30 days; positive = worse. */
  trend_30d: number | null
  band: PortfolioBand
  risks_critical: number | null
  risks_high: number | null
  kri_count: number | null
  /** Share (0–1) of KRIs whose data is stale. */
  stale_share: number | null
  posture_computed_at: string | null
  projected_at: string
}

export interface Portfolio {
  book: {
    tenants: number
    bands: Record<PortfolioBand, number>
    worst_movers: PortfolioRow[]
  }
  tenants: PortfolioRow[]
}

/** `GET /api/tenant/carriers`: a carrier and this tenant's consent to share with it. */
export interface CarrierConsent {
  carrier_id: string
  carrier_name: string
  consent_granted_at: string | null
  revoked_at: string | null
}

export interface UserPatch {
  role?: Role
  is_active?: boolean
}

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
