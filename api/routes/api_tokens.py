"""Personal access tokens: yours at `/api/me/tokens`, your tenant's at `/api/tenant/tokens`.

A token is created from a signed-in session (never from another token) and shown once; only its
hash is kept. It acts as you, in your home, with your role capped by its scope; if your MFA
policy requires MFA, only tokens created from an MFA-verified session work. Tenant admins list
and revoke every token of their tenant. Create and revoke are audited; so is a token's first use.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, StringConstraints

from api.access import Tx, self_scope, tenant_scope
from api.bulk import BulkIds, each
from api.problems import Problem, problem_responses
from api.types import PlainText, Strict
from draxis.identity import api_tokens
from draxis.security.api_tokens import (
    DEFAULT_LIFETIME,
    MAX_LIFETIME,
    TokenScope,
    new_personal_token,
)
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["api tokens"], responses=problem_responses(404))
Own = Annotated[Tx, self_scope()]
TenantTokens = Annotated[Tx, tenant_scope(Permission.TENANT_USERS_MANAGE)]


# What the token is for, as its owner names it ('Claude Desktop'): plain text, at most 100.
TokenName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PlainText)
]


class NewToken(Strict):
    name: TokenName = Field(description="What the token is for, e.g. 'Claude Desktop'.")
    scope: TokenScope = TokenScope.READ
    expires_in_days: int = Field(
        default=DEFAULT_LIFETIME.days,
        ge=1,
        le=MAX_LIFETIME.days,
        description="Days until the token stops working: 90 by default, at most 365.",
    )


class TokenOut(BaseModel):
    id: UUID
    name: str
    prefix: str
    scope: TokenScope
    owner_email: str | None
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class CreatedToken(TokenOut):
    token: str = Field(description="Shown once: store it in your tool's secret store now.")


def _out(row: api_tokens.TokenRow) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scope=TokenScope(row.scope),
        owner_email=row.owner_email,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


@router.post("/me/tokens", response_model=CreatedToken, status_code=201)
def create_token(body: NewToken, tx: Own) -> CreatedToken:
    """A new personal access token, returned once in `token`."""
    principal = tx.principal
    if principal.impersonating:
        raise Problem(403, "An impersonation cannot create tokens for the person it acts as.")
    session = tx.caller.session
    verified = session.mfa_verified if session is not None else principal.mfa_verified
    token = new_personal_token()
    row = api_tokens.create(
        tx.conn,
        principal,
        token,
        name=body.name,
        scope=body.scope,
        expires_at=datetime.now(UTC) + timedelta(days=body.expires_in_days),
        mfa_verified=verified,
    )
    tx.audit(
        "api_token.create",
        target_type="api_token",
        target_id=row.id,
        name=row.name,
        prefix=row.prefix,
        scope=row.scope,
        expires_at=row.expires_at.isoformat(),
    )
    return CreatedToken(**_out(row).model_dump(), token=token)


@router.get("/me/tokens", response_model=list[TokenOut])
def list_own_tokens(tx: Own) -> list[TokenOut]:
    """Your tokens, newest first, revoked and expired ones included."""
    return [_out(r) for r in api_tokens.list_tokens(tx.conn, user_id=tx.principal.user_id)]


@router.delete("/me/tokens/{token_id}", status_code=204, response_class=Response)
def revoke_own_token(token_id: UUID, tx: Own) -> Response:
    """Revoke one of your tokens; it stops working at once."""
    _revoke(tx, token_id, user_id=tx.principal.user_id)
    return Response(status_code=204)


@router.post(
    "/me/tokens/bulk-revoke",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404),
)
def bulk_revoke_own_tokens(body: BulkIds, tx: Own) -> Response:
    """Revoke several of your tokens at once; one unknown or already revoked refuses the lot."""
    each(body.ids, lambda token_id: _revoke(tx, token_id, user_id=tx.principal.user_id))
    return Response(status_code=204)


@router.get("/tenant/tokens", response_model=list[TokenOut])
def list_tenant_tokens(tx: TenantTokens) -> list[TokenOut]:
    """Every personal access token of your tenant's users (tenant admins)."""
    return [_out(r) for r in api_tokens.list_tokens(tx.conn)]


@router.delete("/tenant/tokens/{token_id}", status_code=204, response_class=Response)
def revoke_tenant_token(token_id: UUID, tx: TenantTokens) -> Response:
    """Revoke any token of your tenant (tenant admins)."""
    _revoke(tx, token_id, user_id=None)
    return Response(status_code=204)


@router.post(
    "/tenant/tokens/bulk-revoke",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404),
)
def bulk_revoke_tenant_tokens(body: BulkIds, tx: TenantTokens) -> Response:
    """Revoke several of your tenant's tokens at once (tenant admins), all or none."""
    each(body.ids, lambda token_id: _revoke(tx, token_id, user_id=None))
    return Response(status_code=204)


def _revoke(tx: Tx, token_id: UUID, *, user_id: UUID | None) -> None:
    row = api_tokens.get(tx.conn, token_id)
    if row is None or (user_id is not None and row.user_id != user_id):
        raise Problem(404, "No such token.")
    if not api_tokens.revoke(tx.conn, token_id):
        raise Problem(409, "This token was already revoked.")
    tx.audit(
        "api_token.revoke",
        target_type="api_token",
        target_id=token_id,
        prefix=row.prefix,
        owner=str(row.user_id),
    )
