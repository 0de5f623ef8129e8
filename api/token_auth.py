"""Personal access tokens as credentials: from a bearer token to the `Principal` it acts as.

Shared by the REST dependency chain (`api.access.current_principal`) and the MCP server's token
verifier (`api.mcp.auth`), so both refuse and admit exactly the same tokens. Before any scope
exists, `platform.api_token_principal` finds the token by its hash; then the call is counted
against the token's own rate limit, its use noted (at most once a minute) and its first use
audited, each in its own short statement or transaction, never inside the request's.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from psycopg_pool import ConnectionPool

from api.problems import Problem
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity import api_tokens, throttle
from draxis.identity.audit import AuditContext, AuditEvent, record
from draxis.security.api_tokens import RATE_LIMIT_PER_MINUTE, looks_like_personal_token
from draxis.security.tokens import Principal

PUSH_TOKEN_PREFIX = "dxp_"  # noqa: S105 - a marker that says what a token is, not a secret
MFA_REQUIRED_TYPE = "https://draxis.dev/problems/mfa-required"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a token was refused, as the HTTP answer would say it."""

    status: int
    reason: str
    retry_after: int | None = None
    type: str | None = None


def refusal_problem(refusal: Refusal) -> Problem:
    """The problem document a REST call answers with for a refused token."""
    headers = {"WWW-Authenticate": 'Bearer realm="draxis"'} if refusal.status == 401 else {}
    if refusal.retry_after is not None:
        headers["Retry-After"] = str(refusal.retry_after)
    extra = {} if refusal.type is None else {"type": refusal.type}
    return Problem(refusal.status, refusal.reason, headers=headers or None, **extra)


def is_api_token(token: str) -> bool:
    """Whether a bearer credential is one of ours that is not a session JWT."""
    return looks_like_personal_token(token) or token.startswith(PUSH_TOKEN_PREFIX)


def home_scope(principal: Principal) -> Scope:
    """Where a token's own audit rows go: its user's tenant, or the user's own rows."""
    if principal.tenant_id is not None:
        return Scope.tenant(principal.tenant_id, principal.org_id, principal.user_id)
    return Scope.user(principal.user_id, principal.org_id, principal.carrier_id)


def authenticate(
    pool: ConnectionPool,
    token: str,
    *,
    ip: str | None,
    request_id: str | None,
    channel: str,
) -> Principal | Refusal:
    """The principal a personal access token acts as, or why it may not act at all."""
    if token.startswith(PUSH_TOKEN_PREFIX):
        return Refusal(403, "A push token only pushes values to its source; nothing else.")
    if not looks_like_personal_token(token):
        return Refusal(401, "This is not a Draxis access token.")
    with pool.connection() as conn:  # autocommit: each statement is its own transaction
        found = api_tokens.resolve(conn, token)
        if found is None:
            return Refusal(401, "This access token is unknown.")
        if found.kind != "personal":
            return Refusal(403, "A push token only pushes values to its source; nothing else.")
        if not found.live:
            return Refusal(401, "This access token was revoked or has expired.")
        if found.mfa_pending:
            return Refusal(
                403,
                "Your MFA policy requires MFA: create this token from an MFA-verified session.",
                type=MFA_REQUIRED_TYPE,
            )
        wait = throttle.take(conn, f"pat:{found.token_id}", RATE_LIMIT_PER_MINUTE, 60)
        if wait:
            return Refusal(429, "Too many calls with this token; wait and retry.", wait)
        principal = found.principal()
        if api_tokens.touch(conn, found.token_id):
            _audit_first_use(conn, principal, found.token_id, ip, request_id, channel)
    return principal


def _audit_first_use(
    conn: api_tokens.Conn,
    principal: Principal,
    token_id: UUID,
    ip: str | None,
    request_id: str | None,
    channel: str,
) -> None:
    scope = home_scope(principal)
    with scoped_transaction(conn, scope):
        record(
            conn,
            scope,
            AuditContext(principal.user_id, request_id=request_id, ip=ip),
            AuditEvent("api_token.first_use", "api_token", token_id, {"channel": channel}),
        )
