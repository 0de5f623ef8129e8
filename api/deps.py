"""The request lifecycle as a typed dependency chain.

authenticate (JWT signature, expiry, issuer, audience) → resolve the tenant → open the scoped
transaction (READ ONLY for GET) → handler. MFA enforcement and permissions join this chain with
the identity work (issue 3).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import psycopg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from api.problems import Problem
from draxis.db.scope import Scope, scoped_transaction
from draxis.security.tokens import InvalidToken, Principal, verify_access_token
from draxis.settings import Settings

_bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="draxis"'}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> ConnectionPool:
    pool: ConnectionPool = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[ConnectionPool, Depends(get_pool)]


def current_principal(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Sign in first: this route needs a bearer token.", headers=_CHALLENGE)
    try:
        return verify_access_token(settings, credentials.credentials)
    except InvalidToken:
        raise Problem(
            401, "The access token is invalid or has expired; sign in again.", headers=_CHALLENGE
        ) from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def tenant_scope(principal: CurrentPrincipal) -> Scope:
    if principal.tenant_id is None:
        raise Problem(403, f"Role {principal.role!r} has no tenant; this route reads tenant data.")
    return Scope.tenant(principal.tenant_id, principal.org_id)


def tenant_session(
    request: Request, pool: PoolDep, scope: Annotated[Scope, Depends(tenant_scope)]
) -> Iterator[psycopg.Connection[TupleRow]]:
    """One transaction for the request, scoped to the caller's tenant; READ ONLY for GET."""
    read_only = request.method in ("GET", "HEAD")
    with pool.connection() as conn, scoped_transaction(conn, scope, read_only=read_only):
        yield conn


TenantSession = Annotated[psycopg.Connection[TupleRow], Depends(tenant_session)]
