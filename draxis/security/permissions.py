"""Who may do what: named permissions granted to roles by one table. Pure; no I/O.

Every API route declares the one permission it needs (`api.access`);
`tests/api/test_route_permissions` walks every route × role against this table. Scope (which
tenant, which organization) is checked separately: a permission says what kind of thing a role
may do, never where.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUPERADMIN = "superadmin"
    MASTER_ADMIN = "master_admin"
    TENANT_ADMIN = "tenant_admin"
    TENANT_USER = "tenant_user"
    CARRIER_ADMIN = "carrier_admin"
    CARRIER_USER = "carrier_user"


class Permission(StrEnum):
    SELF = "self"  # one's own identity, MFA and sign-out
    DASHBOARD_READ = "dashboard:read"
    RISK_MODEL_READ = "risk_model:read"  # KRIs, controls, risks, outcomes, vendors, links
    RISK_MODEL_WRITE = "risk_model:write"
    RISK_ACCEPTANCE_REQUEST = "risk_acceptance:request"  # ask that a risk be accepted until a date
    RISK_ACCEPTANCE_DECIDE = "risk_acceptance:decide"  # approve, reject or revoke an acceptance
    TENANT_USERS_READ = "tenant_users:read"
    TENANT_USERS_MANAGE = "tenant_users:manage"
    TENANT_AUDIT_READ = "tenant_audit:read"
    TENANT_MFA_MANAGE = "tenant_mfa:manage"
    CARRIER_CONSENT_MANAGE = "carrier_consent:manage"  # which insurers see the tenant's posture
    INTEGRATIONS_READ = "integrations:read"  # the catalog, sources (never credentials), runs
    INTEGRATIONS_MANAGE = "integrations:manage"  # add / edit / test / run sources
    PANEL_USE = "panel:use"  # open panel sessions, ask the panel, end sessions
    KNOWLEDGE_READ = "knowledge:read"  # institutional memory: facts and documents
    KNOWLEDGE_WRITE = "knowledge:write"  # add, edit, delete facts; upload and delete documents
    TASKS_READ = "tasks:read"  # tasks, their comments, attachments and history; the members list
    TASKS_WORK = "tasks:work"  # create, edit, move, reassign, comment on and attach to tasks
    TASKS_DELETE = "tasks:delete"  # remove a task for good (a cancelled one stays in the record)
    TPRM_READ = "tprm:read"  # questionnaires, assessments and their answers, vendor findings
    # Edit and publish questionnaires, send and cancel assessments, review and override scores,
    # resolve findings, set the reassessment cadence.
    TPRM_MANAGE = "tprm:manage"
    ORG_READ = "org:read"
    ORG_TENANTS_MANAGE = "org_tenants:manage"
    ORG_USERS_MANAGE = "org_users:manage"
    ORG_MFA_MANAGE = "org_mfa:manage"
    IMPERSONATE = "impersonate"
    PLATFORM_ORGS_MANAGE = "platform_orgs:manage"
    PLATFORM_AUDIT_READ = "platform_audit:read"
    PLATFORM_MFA_MANAGE = "platform_mfa:manage"
    CARRIER_READ = "carrier:read"


P = Permission
_ORG_ADMIN = frozenset(
    {P.ORG_READ, P.ORG_TENANTS_MANAGE, P.ORG_USERS_MANAGE, P.ORG_MFA_MANAGE, P.IMPERSONATE}
)
_TENANT_READ = frozenset(
    {
        P.DASHBOARD_READ,
        P.TENANT_USERS_READ,
        P.RISK_MODEL_READ,
        P.INTEGRATIONS_READ,
        P.PANEL_USE,
        P.KNOWLEDGE_READ,
        P.TASKS_READ,
        P.TASKS_WORK,
        P.TPRM_READ,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUPERADMIN: frozenset(
        {P.SELF, P.PLATFORM_ORGS_MANAGE, P.PLATFORM_AUDIT_READ, P.PLATFORM_MFA_MANAGE}
    )
    | _ORG_ADMIN,
    Role.MASTER_ADMIN: frozenset({P.SELF}) | _ORG_ADMIN,
    Role.TENANT_ADMIN: frozenset(
        {
            P.SELF,
            P.TENANT_USERS_MANAGE,
            P.TENANT_AUDIT_READ,
            P.TENANT_MFA_MANAGE,
            P.RISK_MODEL_WRITE,
            P.RISK_ACCEPTANCE_REQUEST,
            P.RISK_ACCEPTANCE_DECIDE,
            P.CARRIER_CONSENT_MANAGE,
            P.INTEGRATIONS_MANAGE,
            P.KNOWLEDGE_WRITE,
            P.TASKS_DELETE,
            P.TPRM_MANAGE,
        }
    )
    | _TENANT_READ,
    Role.TENANT_USER: frozenset({P.SELF, P.RISK_ACCEPTANCE_REQUEST}) | _TENANT_READ,
    Role.CARRIER_ADMIN: frozenset({P.SELF, P.CARRIER_READ}),
    Role.CARRIER_USER: frozenset({P.SELF, P.CARRIER_READ}),
}

# An impersonation acts as the tenant's admin, but can neither manage people nor impersonate,
# nor take a formal decision that must be a tenant member's own (accepting a risk).
IMPERSONATION_ROLE = Role.TENANT_ADMIN
IMPERSONATION_DENIED = frozenset(
    {
        P.TENANT_USERS_MANAGE,
        P.TENANT_MFA_MANAGE,
        P.IMPERSONATE,
        P.ORG_USERS_MANAGE,
        P.CARRIER_CONSENT_MANAGE,
        P.RISK_ACCEPTANCE_REQUEST,
        P.RISK_ACCEPTANCE_DECIDE,
    }
)
# Roles an administrator may hand out, by the scope they administer.
TENANT_ASSIGNABLE = frozenset({Role.TENANT_ADMIN, Role.TENANT_USER})
ORG_ASSIGNABLE = TENANT_ASSIGNABLE | {Role.MASTER_ADMIN}


def permissions_for(role: str, *, impersonating: bool = False) -> frozenset[Permission]:
    try:
        granted = ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()
    return granted - IMPERSONATION_DENIED if impersonating else granted


def allowed(role: str, permission: Permission, *, impersonating: bool = False) -> bool:
    return permission in permissions_for(role, impersonating=impersonating)
