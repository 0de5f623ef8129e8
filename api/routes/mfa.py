"""MFA completion: enroll a TOTP app, verify a code, or spend a recovery code.

These routes are reachable before MFA is verified (they are how it gets verified), never under an
impersonation, and every failed code counts toward the account's lockout.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from psycopg.rows import class_row
from pydantic import BaseModel, Field

from api.access import Tx, self_scope
from api.deps import PoolDep, SettingsDep
from api.problems import Problem, problem_responses
from api.schemas.identity import AuthResponse, UserSummary
from api.signin import AuthLimit, auth_response, check_lockout, count_failure
from api.types import Strict
from draxis.identity import throttle
from draxis.identity.sessions import mark_mfa_verified, session_state
from draxis.security.crypto import seal, unseal
from draxis.security.mfa import (
    accepted_step,
    new_recovery_codes,
    new_totp_secret,
    provisioning_uri,
    recovery_code_hash,
)
from draxis.security.permissions import Role
from draxis.settings import Settings

router = APIRouter(
    prefix="/api/auth/mfa",
    tags=["mfa"],
    dependencies=[AuthLimit],
    responses=problem_responses(401, 409),
)
SelfTx = Annotated[Tx, self_scope(mfa_completion=True)]


class Enrollment(BaseModel):
    secret: str
    provisioning_uri: str


class CodeRequest(Strict):
    code: str = Field(min_length=6, max_length=12, examples=["492039"])


class RecoveryRequest(Strict):
    recovery_code: str = Field(min_length=8, max_length=32, examples=["k3xbd-7mq2p"])


class EnrollConfirmed(AuthResponse):
    recovery_codes: list[str]


class Recovered(AuthResponse):
    recovery_codes_left: int


@dataclass(frozen=True, slots=True)
class OwnMfa:
    """The caller's own MFA columns (RLS shows every user their own row)."""

    sealed: bytes | None
    enrolled_at: datetime | None
    last_step: int | None
    display_name: str


def _own_row(tx: Tx) -> OwnMfa:
    if tx.principal.impersonating:
        raise Problem(403, "MFA cannot be changed while impersonating.")
    row = (
        tx.conn.cursor(row_factory=class_row(OwnMfa))
        .execute(
            "select mfa_secret as sealed, mfa_enrolled_at as enrolled_at,"
            " mfa_last_step as last_step, display_name from platform.users where id = %s",
            (tx.principal.user_id,),
        )
        .fetchone()
    )
    if row is None:
        raise Problem(401, "This session has ended; sign in again.")
    return row


def _secret(settings: Settings, sealed: bytes, user_id: UUID) -> str:
    return unseal(settings, sealed, f"mfa:{user_id}").decode()


def _verified(tx: Tx, settings: Settings, display_name: str) -> AuthResponse:
    p = tx.principal
    mark_mfa_verified(tx.conn, p.session_id, p.user_id)
    state = session_state(tx.conn, p.session_id, p.user_id)
    tenant_name = None
    if p.tenant_id is not None:
        row = tx.conn.execute(
            "select name from platform.tenants where id = %s", (p.tenant_id,)
        ).fetchone()
        tenant_name = row[0] if row else None
    user = UserSummary(
        id=p.user_id,
        email=p.email,
        display_name=display_name,
        role=Role(p.role),
        org_id=p.org_id,
        tenant_id=p.tenant_id,
        tenant_name=tenant_name,
        carrier_id=p.carrier_id,
    )
    return auth_response(settings, replace(p, mfa_verified=True), user, state)


def _mfa_key(tx: Tx) -> str:
    return throttle.account_key("mfa", str(tx.principal.user_id))


@router.post("/enroll", response_model=Enrollment, responses={409: {"description": "Enrolled"}})
def enroll(tx: SelfTx, settings: SettingsDep) -> Enrollment:
    """Start (or restart) enrollment: a new secret, pending until a code confirms it."""
    if _own_row(tx).enrolled_at is not None:
        raise Problem(409, "MFA is already enrolled; ask an administrator to reset it.")
    secret = new_totp_secret()
    tx.conn.execute(
        "update platform.users set mfa_secret = %s, mfa_last_step = null where id = %s",
        (seal(settings, secret.encode(), f"mfa:{tx.principal.user_id}"), tx.principal.user_id),
    )
    tx.audit("mfa.enroll_started", target_type="user", target_id=tx.principal.user_id)
    return Enrollment(
        secret=secret,
        provisioning_uri=provisioning_uri(secret, tx.principal.email, settings.mfa_issuer),
    )


@router.post("/enroll/confirm", response_model=EnrollConfirmed)
def confirm_enrollment(
    body: CodeRequest, tx: SelfTx, pool: PoolDep, settings: SettingsDep
) -> EnrollConfirmed:
    """Prove the app works with one code: enrollment completes, ten recovery codes are issued."""
    key = _mfa_key(tx)
    check_lockout(pool, key)
    own = _own_row(tx)
    if own.enrolled_at is not None or own.sealed is None:
        raise Problem(409, "There is no pending enrollment; start one first.")
    step = accepted_step(
        _secret(settings, own.sealed, tx.principal.user_id), body.code, datetime.now(UTC), None
    )
    if step is None:
        count_failure(pool, settings, key)
        raise Problem(401, "That authentication code is not valid.")
    user_id = tx.principal.user_id
    tx.conn.execute(
        "update platform.users set mfa_enrolled_at = now(), mfa_last_step = %s where id = %s",
        (step, user_id),
    )
    codes = new_recovery_codes()
    tx.conn.execute("delete from platform.mfa_recovery_codes where user_id = %s", (user_id,))
    with tx.conn.cursor() as cur:
        cur.executemany(
            "insert into platform.mfa_recovery_codes (user_id, code_hash) values (%s, %s)",
            [(user_id, recovery_code_hash(c)) for c in codes],
        )
    throttle.clear(tx.conn, key)
    tx.audit("mfa.enrolled", target_type="user", target_id=user_id)
    answer = _verified(tx, settings, own.display_name)
    return EnrollConfirmed(**answer.model_dump(), recovery_codes=codes)


@router.post("/verify", response_model=AuthResponse)
def verify(body: CodeRequest, tx: SelfTx, pool: PoolDep, settings: SettingsDep) -> AuthResponse:
    """Complete sign-in with a code from the authenticator app."""
    key = _mfa_key(tx)
    check_lockout(pool, key)
    own = _own_row(tx)
    if own.enrolled_at is None or own.sealed is None:
        raise Problem(409, "MFA is not enrolled yet; enroll first.")
    step = accepted_step(
        _secret(settings, own.sealed, tx.principal.user_id),
        body.code,
        datetime.now(UTC),
        own.last_step,
    )
    # The guarded update makes a code single-use even against a concurrent request.
    used = (
        step is not None
        and tx.conn.execute(
            "update platform.users set mfa_last_step = %s where id = %s"
            " and (mfa_last_step is null or mfa_last_step < %s)",
            (step, tx.principal.user_id, step),
        ).rowcount
        == 1
    )
    if not used:
        count_failure(pool, settings, key)
        raise Problem(401, "That authentication code is not valid.")
    throttle.clear(tx.conn, key)
    tx.audit("mfa.verified", target_type="session", target_id=tx.principal.session_id)
    return _verified(tx, settings, own.display_name)


@router.post("/recover", response_model=Recovered)
def recover(body: RecoveryRequest, tx: SelfTx, pool: PoolDep, settings: SettingsDep) -> Recovered:
    """Complete sign-in with a single-use recovery code instead of the app."""
    key = _mfa_key(tx)
    check_lockout(pool, key)
    own = _own_row(tx)
    user_id = tx.principal.user_id
    spent = tx.conn.execute(
        "update platform.mfa_recovery_codes set used_at = now()"
        " where user_id = %s and code_hash = %s and used_at is null",
        (user_id, recovery_code_hash(body.recovery_code)),
    ).rowcount
    if own.enrolled_at is None or spent != 1:
        count_failure(pool, settings, key)
        raise Problem(401, "That recovery code is not valid.")
    left = tx.conn.execute(
        "select count(*) from platform.mfa_recovery_codes where user_id = %s and used_at is null",
        (user_id,),
    ).fetchone()
    throttle.clear(tx.conn, key)
    tx.audit("mfa.recovery_code_used", target_type="user", target_id=user_id)
    answer = _verified(tx, settings, own.display_name)
    return Recovered(**answer.model_dump(), recovery_codes_left=int(left[0]) if left else 0)
