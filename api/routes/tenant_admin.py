"""Tenant administration: the tenant's users, their MFA, the tenant's MFA rule, its audit log.

The tenant is the caller's own (from the token); nothing here takes a tenant id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.access import Tx, tenant_scope
from api.audit_views import AuditEntry, read_audit
from api.bulk import BulkActive, each
from api.crud import tenant_of
from api.deps import SettingsDep
from api.invite_mail import PendingInvite, pending_invites, resend_invite, revoke_invite
from api.people import (
    InviteOut,
    MfaPolicyIn,
    MfaPolicyOut,
    NewInvite,
    UserOut,
    UserPatch,
    get_user,
    invite,
    list_users,
    patch_user,
    reset_mfa,
    set_mfa_policy,
)
from api.problems import Problem, problem_responses
from api.types import Email, Strict
from draxis.security.permissions import TENANT_ASSIGNABLE, Permission, Role

router = APIRouter(
    prefix="/api/tenant", tags=["tenant administration"], responses=problem_responses(409)
)
P = Permission
UsersReader = Annotated[Tx, tenant_scope(P.TENANT_USERS_READ)]
UsersManager = Annotated[Tx, tenant_scope(P.TENANT_USERS_MANAGE)]
MfaManager = Annotated[Tx, tenant_scope(P.TENANT_MFA_MANAGE)]
AuditReader = Annotated[Tx, tenant_scope(P.TENANT_AUDIT_READ)]


class TenantInviteIn(Strict):
    email: Email
    role: Role


@router.get("/users", response_model=list[UserOut])
def users(tx: UsersReader) -> list[UserOut]:
    return list_users(tx)


@router.post("/invites", response_model=InviteOut, status_code=201)
def invite_user(
    body: TenantInviteIn,
    tx: UsersManager,
    settings: SettingsDep,
) -> InviteOut:
    """Invite someone into this tenant; the answer carries the single-use accept link."""
    if body.role not in TENANT_ASSIGNABLE:
        raise Problem(403, f"A tenant admin may not invite a {body.role.value}.")
    org_id = tx.principal.org_id
    assert org_id is not None
    return invite(tx, settings, NewInvite(body.email, body.role, org_id, tenant_of(tx)))


@router.get("/invites", response_model=list[PendingInvite])
def pending(tx: UsersManager) -> list[PendingInvite]:
    """Invites into this tenant not yet accepted, revoked or expired, with their e-mail's
    state (sent, pending, failed, skipped)."""
    return pending_invites(tx, tenant_id=tenant_of(tx), org_id=None)


@router.post("/invites/{invite_id}/revoke", status_code=204, responses=problem_responses(404))
def revoke(invite_id: UUID, tx: UsersManager) -> Response:
    """Revoke a pending invite: its link stops working."""
    revoke_invite(tx, invite_id, tenant_id=tenant_of(tx), org_id=None)
    return Response(status_code=204)


@router.post("/invites/{invite_id}/resend", status_code=204, responses=problem_responses(404))
def resend(invite_id: UUID, tx: UsersManager, settings: SettingsDep) -> Response:
    """E-mail a pending invite again, with a new link (the old one stops working)."""
    resend_invite(tx, settings, invite_id, tenant_id=tenant_of(tx), org_id=None)
    return Response(status_code=204)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: UUID,
    body: UserPatch,
    tx: UsersManager,
) -> UserOut:
    """Change a user's role or disable them; a disabled user's sessions end at once."""
    return patch_user(tx, user_id, body, TENANT_ASSIGNABLE)


@router.post(
    "/users/bulk-active", response_model=list[UserOut], responses=problem_responses(403, 404, 409)
)
def bulk_set_active(body: BulkActive, tx: UsersManager) -> list[UserOut]:
    """Disable (or enable) several users in one transaction, each as `PATCH /users/{id}` does;
    one unknown id, or oneself, refuses the whole request and nothing is written."""
    patch = UserPatch(is_active=body.is_active)
    return each(body.ids, lambda user_id: patch_user(tx, user_id, patch, TENANT_ASSIGNABLE))


@router.post("/users/{user_id}/mfa-reset", status_code=204)
def mfa_reset(user_id: UUID, tx: MfaManager) -> Response:
    reset_mfa(tx, user_id)
    return Response(status_code=204)


@router.put("/mfa-policy", response_model=MfaPolicyOut)
def tenant_mfa_policy(body: MfaPolicyIn, tx: MfaManager) -> MfaPolicyOut:
    return set_mfa_policy(tx, "tenant", body.required, tenant_id=tenant_of(tx))


@router.put("/users/{user_id}/mfa-policy", response_model=MfaPolicyOut)
def user_mfa_policy(
    user_id: UUID,
    body: MfaPolicyIn,
    tx: MfaManager,
) -> MfaPolicyOut:
    get_user(tx, user_id)
    return set_mfa_policy(tx, "user", body.required, user_id=user_id)


@router.get("/audit", response_model=list[AuditEntry])
def tenant_audit(
    tx: AuditReader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: datetime | None = None,
) -> list[AuditEntry]:
    return read_audit(tx, "tenant.audit_log", limit, before)
