"""Sign-in: e-mail and password (argon2id) for a signed, short-lived access token."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import PoolDep, SettingsDep
from api.problems import Problem
from draxis.db.scope import Scope, scoped_transaction
from draxis.security.passwords import verify_password
from draxis.security.tokens import Principal, issue_access_token

router = APIRouter(prefix="/api/auth", tags=["auth"])
log = logging.getLogger("draxis.api.auth")

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]


class LoginRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "admin@acme.example", "password": "••••••••"}]},
    )
    email: Email
    password: str = Field(min_length=1, max_length=1024)


class SignedInUser(BaseModel):
    id: UUID
    email: str
    display_name: str
    role: str
    tenant_id: UUID | None
    tenant_name: str | None


class LoginResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "user": {
                        "id": "6f1c2a8e-2d1b-4a52-9f0e-3b7c5d9e1a24",
                        "email": "admin@acme.example",
                        "display_name": "Avery (Acme admin)",
                        "role": "tenant_admin",
                        "tenant_id": "0eb139c5-bf9a-4a58-bff9-b4a49c24ff2a",
                        "tenant_name": "Acme Health",
                    },
                }
            ]
        }
    )
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    user: SignedInUser


_BAD_CREDENTIALS = "Invalid email or password."


@dataclass(frozen=True, slots=True)
class LoginCandidate:
    """A row of `platform.login_candidate()`, the only way to read a user before sign-in."""

    user_id: UUID
    email: str
    display_name: str
    password_hash: str
    role: str
    organization_id: UUID | None
    tenant_id: UUID | None
    carrier_id: UUID | None
    is_active: bool


@router.post(
    "/login", response_model=LoginResponse, responses={401: {"description": "Bad credentials"}}
)
def login(body: LoginRequest, pool: PoolDep, settings: SettingsDep) -> LoginResponse:
    with pool.connection() as conn, scoped_transaction(conn, Scope.login(), read_only=True):
        user = (
            conn.cursor(row_factory=class_row(LoginCandidate))
            .execute("select * from platform.login_candidate(%s)", (body.email,))
            .fetchone()
        )
    # argon2 runs without holding a pooled connection; an unknown e-mail costs the same.
    if not verify_password(user.password_hash if user else None, body.password) or not (
        user and user.is_active
    ):
        log.info("sign-in refused", extra={"email_domain": body.email.rsplit("@", 1)[-1]})
        raise Problem(401, _BAD_CREDENTIALS)
    tenant_name = None
    if user.tenant_id is not None:
        # Users without a home tenant (superadmin, carrier) get last_login_at with the identity
        # work, which brings the audited platform scope they need.
        with (
            pool.connection() as conn,
            scoped_transaction(conn, Scope.tenant(user.tenant_id, user.organization_id)),
        ):
            found = conn.execute(
                "select name from platform.tenants where id = %s", (user.tenant_id,)
            ).fetchone()
            conn.execute(
                "update platform.users set last_login_at = now() where id = %s", (user.user_id,)
            )
        tenant_name = found[0] if found else None
    principal = Principal(
        user_id=user.user_id,
        email=user.email,
        role=user.role,
        tenant_id=user.tenant_id,
        org_id=user.organization_id,
        carrier_id=user.carrier_id,
        mfa_verified=False,
    )
    log.info("signed in", extra={"user_id": str(user.user_id), "role": user.role})
    return LoginResponse(
        access_token=issue_access_token(settings, principal),
        expires_in=settings.access_token_ttl_seconds,
        user=SignedInUser(
            id=user.user_id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            tenant_id=user.tenant_id,
            tenant_name=tenant_name,
        ),
    )
