"""Organization administration: tenants, people, MFA rule and impersonation, for master admins.

The organization comes from the path and must be the caller's own (superadmins reach every one);
`api.access.org_scope` answers 404 otherwise, and opens the audited org scope.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from psycopg import errors
from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict

from api.access import Tx, client_ip, org_scope
from api.bulk import BulkActive, BulkIds, each
from api.deps import SettingsDep
from api.invite_mail import PendingInvite, pending_invites, resend_invite, revoke_invite
from api.organizations import OrgOut, find_org
from api.people import (
    InviteOut,
    MfaPolicyIn,
    MfaPolicyOut,
    NewInvite,
    UserOut,
    UserPatch,
    invite,
    list_users,
    patch_user,
    reset_mfa,
    set_mfa_policy,
)
from api.problems import Problem, problem_responses
from api.schemas.identity import ActorOut, Impersonation
from api.types import Email, Name, OrgSlug, Strict
from draxis.identity.sessions import open_impersonation
from draxis.security.permissions import IMPERSONATION_ROLE, ORG_ASSIGNABLE, Permission, Role
from draxis.security.tokens import Actor, Principal, issue_access_token

router = APIRouter(
    prefix="/api/orgs/{org_id}",
    tags=["organization administration"],
    responses=problem_responses(409),
)
P = Permission
OrgReader = Annotated[Tx, org_scope(P.ORG_READ)]
TenantsManager = Annotated[Tx, org_scope(P.ORG_TENANTS_MANAGE)]
UsersManager = Annotated[Tx, org_scope(P.ORG_USERS_MANAGE)]
MfaManager = Annotated[Tx, org_scope(P.ORG_MFA_MANAGE)]
Impersonator = Annotated[Tx, org_scope(P.IMPERSONATE)]


class TenantOut(BaseModel):
    id: UUID
    slug: str
    name: str
    created_at: datetime
    deleted_at: datetime | None


class TenantIn(Strict):
    slug: OrgSlug
    name: Name


class OrgInviteIn(Strict):
    email: Email
    role: Role
    tenant_id: UUID | None = None


class ImpersonationStart(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # always sent
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int
    impersonation: Impersonation
    tenant_name: str


def _tenant(tx: Tx, org_id: UUID, tenant_id: UUID) -> TenantOut:
    row = (
        tx.conn.cursor(row_factory=class_row(TenantOut))
        .execute(
            "select id, slug, name, created_at, deleted_at from platform.tenants"
            " where id = %s and organization_id = %s",
            (tenant_id, org_id),
        )
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such tenant in this organization.")
    return row


@router.get("", response_model=OrgOut)
def organization(org_id: UUID, tx: OrgReader) -> OrgOut:
    row = find_org(tx, org_id)
    assert row is not None  # org_scope checked it exists
    return row


@router.get("/tenants", response_model=list[TenantOut])
def tenants(org_id: UUID, tx: OrgReader) -> list[TenantOut]:
    return (
        tx.conn.cursor(row_factory=class_row(TenantOut))
        .execute(
            "select id, slug, name, created_at, deleted_at from platform.tenants"
            " where organization_id = %s order by deleted_at nulls first, name",
            (org_id,),
        )
        .fetchall()
    )


@router.post("/tenants", response_model=TenantOut, status_code=201)
def create_tenant(org_id: UUID, body: TenantIn, tx: TenantsManager) -> TenantOut:
    """A new tenant in this organization; its slug is global (it names Dagster partitions)."""
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into platform.tenants (organization_id, slug, name) values (%s, %s, %s)"
                " returning id",
                (org_id, body.slug, body.name),
            ).fetchone()
    except errors.UniqueViolation:
        raise Problem(409, f"The slug {body.slug!r} is taken; choose another.") from None
    assert row is not None
    tx.audit(
        "tenant.create", target_type="tenant", target_id=row[0], tenant_id=row[0], slug=body.slug
    )
    return _tenant(tx, org_id, row[0])


@router.delete("/tenants/{tenant_id}", status_code=204)
def delete_tenant(org_id: UUID, tenant_id: UUID, tx: TenantsManager) -> Response:
    """Soft-delete: the tenant's users are locked out at once; its data stays for the record."""
    tenant = _tenant(tx, org_id, tenant_id)
    if tenant.deleted_at is None:
        tx.conn.execute(
            "update platform.tenants set deleted_at = now() where id = %s", (tenant_id,)
        )
        tx.audit("tenant.delete", target_type="tenant", target_id=tenant_id, tenant_id=tenant_id)
    return Response(status_code=204)


@router.post("/tenants/bulk-delete", status_code=204, responses=problem_responses(403, 404))
def bulk_delete_tenants(org_id: UUID, body: BulkIds, tx: TenantsManager) -> Response:
    """Soft-delete several tenants in one transaction, each as `DELETE /tenants/{id}` does;
    one that is not this organization's refuses the lot and nothing is written."""
    each(body.ids, lambda tenant_id: delete_tenant(org_id, tenant_id, tx))
    return Response(status_code=204)


@router.get("/users", response_model=list[UserOut])
def users(org_id: UUID, tx: OrgReader) -> list[UserOut]:
    return list_users(tx)


@router.post("/invites", response_model=InviteOut, status_code=201)
def invite_user(
    org_id: UUID,
    body: OrgInviteIn,
    tx: UsersManager,
    settings: SettingsDep,
) -> InviteOut:
    if body.role not in ORG_ASSIGNABLE:
        raise Problem(403, f"An organization admin may not invite a {body.role.value}.")
    if (body.role == Role.MASTER_ADMIN) != (body.tenant_id is None):
        raise Problem(422, "Tenant roles need a tenant_id; master_admin takes none.")
    if body.tenant_id is not None and _tenant(tx, org_id, body.tenant_id).deleted_at:
        raise Problem(409, "That tenant is deleted.")
    return invite(tx, settings, NewInvite(body.email, body.role, org_id, body.tenant_id))


@router.get("/invites", response_model=list[PendingInvite])
def pending(org_id: UUID, tx: UsersManager) -> list[PendingInvite]:
    """The organization's pending invites (its tenants' and its own admins')."""
    return pending_invites(tx, tenant_id=None, org_id=org_id)


@router.post("/invites/{invite_id}/revoke", status_code=204, responses=problem_responses(404))
def revoke(org_id: UUID, invite_id: UUID, tx: UsersManager) -> Response:
    revoke_invite(tx, invite_id, tenant_id=None, org_id=org_id)
    return Response(status_code=204)


@router.post("/invites/{invite_id}/resend", status_code=204, responses=problem_responses(404))
def resend(org_id: UUID, invite_id: UUID, tx: UsersManager, settings: SettingsDep) -> Response:
    resend_invite(tx, settings, invite_id, tenant_id=None, org_id=org_id)
    return Response(status_code=204)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    org_id: UUID,
    user_id: UUID,
    body: UserPatch,
    tx: UsersManager,
) -> UserOut:
    return patch_user(tx, user_id, body, ORG_ASSIGNABLE)


@router.post(
    "/users/bulk-active", response_model=list[UserOut], responses=problem_responses(403, 404)
)
def bulk_set_active(org_id: UUID, body: BulkActive, tx: UsersManager) -> list[UserOut]:
    """Disable (or enable) several of the organization's users in one transaction, each as
    `PATCH /users/{id}` does; one unknown id, or oneself, refuses the lot."""
    patch = UserPatch(is_active=body.is_active)
    return each(body.ids, lambda user_id: patch_user(tx, user_id, patch, ORG_ASSIGNABLE))


@router.post("/users/{user_id}/mfa-reset", status_code=204)
def mfa_reset(org_id: UUID, user_id: UUID, tx: UsersManager) -> Response:
    reset_mfa(tx, user_id)
    return Response(status_code=204)


@router.put("/mfa-policy", response_model=MfaPolicyOut)
def org_mfa_policy(org_id: UUID, body: MfaPolicyIn, tx: MfaManager) -> MfaPolicyOut:
    return set_mfa_policy(tx, "organization", body.required, organization_id=org_id)


@router.post("/tenants/{tenant_id}/impersonate", response_model=ImpersonationStart, status_code=201)
def impersonate(
    org_id: UUID,
    tenant_id: UUID,
    request: Request,
    tx: Impersonator,
    settings: SettingsDep,
) -> ImpersonationStart:
    """A time-limited token acting as the tenant's admin, naming the caller in `act`."""
    tenant = _tenant(tx, org_id, tenant_id)
    if tenant.deleted_at is not None:
        raise Problem(409, "That tenant is deleted.")
    actor = tx.principal
    ttl = settings.impersonation_ttl_seconds
    session_id = open_impersonation(
        tx.conn,
        actor.session_id,
        actor.user_id,
        tenant_id,
        timedelta(seconds=ttl),
        ip=client_ip(request, settings),
        user_agent=request.headers.get("user-agent"),
    )
    expires = tx.conn.execute(
        "select expires_at from platform.sessions where id = %s", (session_id,)
    ).fetchone()
    assert expires is not None
    principal = Principal(
        user_id=actor.user_id,
        email=actor.email,
        role=IMPERSONATION_ROLE.value,
        tenant_id=tenant_id,
        org_id=org_id,
        carrier_id=None,
        mfa_verified=actor.mfa_verified,
        session_id=session_id,
        actor=Actor(actor.user_id, actor.email, actor.role),
    )
    tx.audit(
        "impersonation.start",
        target_type="tenant",
        target_id=tenant_id,
        tenant_id=tenant_id,
        session_id=str(session_id),
    )
    return ImpersonationStart(
        access_token=issue_access_token(settings, principal, ttl_seconds=ttl),
        expires_in=ttl,
        impersonation=Impersonation(
            actor=ActorOut(id=actor.user_id, email=actor.email, role=Role(actor.role)),
            tenant_id=tenant_id,
            expires_at=expires[0],
        ),
        tenant_name=tenant.name,
    )


class TenantRollup(BaseModel):
    tenant_id: UUID
    slug: str
    name: str
    posture_score: float | None
    kri_count: int | None
    kris_red: int | None
    kris_amber: int | None
    kris_green: int | None
    stale_share: float | None
    risks_critical: int | None
    risks_high: int | None
    computed_at: datetime | None  # null: not rolled up yet
    overdue_tasks: int  # open tasks past their due date (migration 0018 lets the org read them)


@router.get("/rollup", response_model=list[TenantRollup])
def rollup(org_id: UUID, tx: OrgReader) -> list[TenantRollup]:
    """Every live tenant's posture, worst first: one query under the (audited) org scope."""
    return (
        tx.conn.cursor(row_factory=class_row(TenantRollup))
        .execute(
            "select t.id as tenant_id, t.slug, t.name, p.posture_score, p.kri_count, p.kris_red,"
            " p.kris_amber, p.kris_green, p.stale_share, p.risks_critical, p.risks_high,"
            " p.computed_at, (select count(*) from tenant.task k where k.tenant_id = t.id"
            " and k.due_date < current_date and k.status not in ('done', 'cancelled'))"
            " as overdue_tasks from platform.tenants t"
            " left join tenant.tenant_posture p on p.tenant_id = t.id"
            " where t.organization_id = %s and t.deleted_at is null"
            " order by p.posture_score desc nulls last, t.name",
            (org_id,),
        )
        .fetchall()
    )
