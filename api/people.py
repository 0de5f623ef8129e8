"""User administration shared by tenant admins and organization admins.

The SQL is the same for both; what differs is the scope the transaction runs in (which users RLS
lets it see and write) and the roles the caller may hand out. A user outside the caller's scope is
simply not found: 404, never a database error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from psycopg import errors
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx
from api.invite_mail import accept_url, queue_invite_email
from api.patch_body import PatchBody
from api.problems import Problem
from api.types import Strict
from draxis.security.opaque import new_token, token_hash
from draxis.security.permissions import Role
from draxis.settings import Settings


class UserOut(BaseModel):
    id: UUID
    email: str
    display_name: str
    role: Role
    tenant_id: UUID | None
    is_active: bool
    mfa_enrolled: bool
    created_at: datetime
    last_login_at: datetime | None


class InviteOut(BaseModel):
    id: UUID
    email: str
    role: Role
    tenant_id: UUID | None
    expires_at: datetime
    token: str
    accept_url: str


class UserPatch(PatchBody):
    role: Role | None = None
    is_active: bool | None = None


class MfaPolicyIn(Strict):
    required: bool | None  # null: no rule at this level (inherit)


class MfaPolicyOut(BaseModel):
    level: str
    required: bool | None


@dataclass(frozen=True, slots=True)
class NewInvite:
    email: str
    role: Role
    organization_id: UUID
    tenant_id: UUID | None


# Under tenant scope RLS also shows the caller's own row (an impersonating admin's, say).
_IN_TENANT = "(platform.current_scope() <> 'tenant' or tenant_id = platform.current_tenant_id())"
_USER_COLUMNS = (
    "id, email, display_name, role, tenant_id, is_active, mfa_enrolled_at is not null"
    " as mfa_enrolled, created_at, last_login_at"
)


def list_users(tx: Tx) -> list[UserOut]:
    """Every user this transaction's scope shows (RLS decides), e-mail order."""
    return (
        tx.conn.cursor(row_factory=class_row(UserOut))
        .execute(
            f"select {_USER_COLUMNS} from platform.users"
            " where role not in ('superadmin', 'carrier_admin', 'carrier_user')"
            f" and {_IN_TENANT}"
            " order by lower(email)"
        )
        .fetchall()
    )


def get_user(tx: Tx, user_id: UUID) -> UserOut:
    row = (
        tx.conn.cursor(row_factory=class_row(UserOut))
        .execute(
            f"select {_USER_COLUMNS} from platform.users where id = %s"
            " and role not in ('superadmin', 'carrier_admin', 'carrier_user')"
            f" and {_IN_TENANT}",
            (user_id,),
        )
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such user.")
    return row


def invite(tx: Tx, settings: Settings, new: NewInvite) -> InviteOut:
    # No "already a user" check here: it would tell any admin which addresses exist anywhere on
    # the platform. Accepting the invite answers that, to the person who owns the address.
    token = new_token()
    expires = datetime.now(UTC) + timedelta(seconds=settings.invite_ttl_seconds)
    row = tx.conn.execute(
        "insert into platform.invites (token_hash, email, role, organization_id, tenant_id,"
        " invited_by, expires_at) values (%s, %s, %s, %s, %s, %s, %s) returning id",
        (
            token_hash(token),
            new.email,
            new.role.value,
            new.organization_id,
            new.tenant_id,
            tx.principal.user_id,
            expires,
        ),
    ).fetchone()
    assert row is not None
    queue_invite_email(tx, settings, row[0], token)
    tx.audit(
        "user.invite",
        target_type="invite",
        target_id=row[0],
        tenant_id=new.tenant_id,
        email=new.email,
        role=new.role.value,
    )
    return InviteOut(
        id=row[0],
        email=new.email,
        role=new.role,
        tenant_id=new.tenant_id,
        expires_at=expires,
        token=token,
        accept_url=accept_url(settings, token),
    )


def patch_user(tx: Tx, user_id: UUID, patch: UserPatch, assignable: frozenset[Role]) -> UserOut:
    if user_id == tx.principal.user_id:
        raise Problem(409, "You cannot change your own role or disable yourself.")
    current = get_user(tx, user_id)
    changes: dict[str, object] = {}
    if patch.role is not None and patch.role != current.role:
        if patch.role not in assignable or current.role not in assignable:
            raise Problem(
                403, f"You may not change a {current.role.value} into {patch.role.value}."
            )
        if (patch.role == Role.MASTER_ADMIN) != (current.role == Role.MASTER_ADMIN):
            raise Problem(409, "Moving between organization and tenant roles needs a new invite.")
        changes["role"] = patch.role.value
    if patch.is_active is not None and patch.is_active != current.is_active:
        changes["is_active"] = patch.is_active
    if changes:
        assignments = ", ".join(f"{column} = %s" for column in changes)
        tx.conn.execute(
            f"update platform.users set {assignments} where id = %s",
            (*changes.values(), user_id),
        )
        tx.audit(
            "user.update",
            target_type="user",
            target_id=user_id,
            tenant_id=current.tenant_id,
            changes=changes,
        )
    return get_user(tx, user_id)


def reset_mfa(tx: Tx, user_id: UUID) -> None:
    if user_id == tx.principal.user_id:
        raise Problem(409, "Ask another administrator to reset your own MFA.")
    user = get_user(tx, user_id)
    tx.conn.execute(
        "update platform.users set mfa_secret = null, mfa_enrolled_at = null,"
        " mfa_last_step = null where id = %s",
        (user_id,),
    )
    tx.conn.execute("delete from platform.mfa_recovery_codes where user_id = %s", (user_id,))
    tx.audit("mfa.reset", target_type="user", target_id=user_id, tenant_id=user.tenant_id)


def set_mfa_policy(
    tx: Tx,
    level: str,
    required: bool | None,
    *,
    organization_id: UUID | None = None,
    tenant_id: UUID | None = None,
    user_id: UUID | None = None,
) -> MfaPolicyOut:
    target = (level, organization_id, tenant_id, user_id)
    tx.conn.execute(
        "delete from platform.mfa_policy where level = %s and organization_id is not distinct"
        " from %s and tenant_id is not distinct from %s and user_id is not distinct from %s",
        target,
    )
    if required is not None:
        try:
            tx.conn.execute(
                "insert into platform.mfa_policy (level, organization_id, tenant_id, user_id,"
                " required, updated_by) values (%s, %s, %s, %s, %s, %s)",
                (*target, required, tx.principal.user_id),
            )
        except errors.InsufficientPrivilege:
            raise Problem(404, "No such target for an MFA rule.") from None
    tx.audit(
        "mfa.policy_set",
        target_type=level,
        target_id=organization_id or tenant_id or user_id,
        required=required,
    )
    return MfaPolicyOut(level=level, required=required)
