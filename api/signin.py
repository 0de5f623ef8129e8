"""Shared steps of every way in (password, first-run setup, invite, refresh, MFA): throttles
(`auth_limit`, the dependency every guessable route declares), the refresh cookie, and turning a
session into an `AuthResponse`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID

from fastapi import Depends, Request, Response
from psycopg_pool import ConnectionPool

from api.access import Conn, client_ip
from api.deps import PoolDep, SettingsDep
from api.problems import Problem
from api.schemas.identity import ActorOut, AuthResponse, Impersonation, MfaState, UserSummary
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity import throttle
from draxis.identity.sessions import SessionState, open_session, session_state
from draxis.log import request_id
from draxis.security.password_policy import password_problems
from draxis.security.permissions import Role
from draxis.security.tokens import Principal, issue_access_token
from draxis.settings import Settings

REFRESH_COOKIE = "draxis_refresh"
REFRESH_PATH = "/api/auth"


@dataclass(frozen=True, slots=True)
class Profile:
    """A user as sign-in needs them (a row of `platform.session_profile()` and friends)."""

    user_id: UUID
    email: str
    display_name: str
    role: str
    organization_id: UUID | None
    tenant_id: UUID | None
    carrier_id: UUID | None
    tenant_name: str | None


def too_many(wait: int, what: str) -> Problem:
    return Problem(
        429,
        f"Too many {what}; try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
        retry_after=wait,
    )


def throttle_ip(pool: ConnectionPool, settings: Settings, request: Request, bucket: str) -> None:
    """Count this request against the client IP's `bucket`; 429 when over its limit."""
    with pool.connection() as conn, scoped_transaction(conn, Scope.login()):
        count_ip(conn, settings, request, bucket)


def auth_limit(request: Request, pool: PoolDep, settings: SettingsDep) -> None:
    """Count the request against the client IP's auth budget (for routes that can be guessed).

    `api.problems` documents 429 on every route that depends on a function of this name."""
    throttle_ip(pool, settings, request, "auth")


# A router's or route's `dependencies=[AuthLimit]`.
AuthLimit = Depends(auth_limit)


def count_ip(conn: Conn, settings: Settings, request: Request, bucket: str) -> None:
    """`throttle_ip` inside the caller's transaction."""
    limit = settings.login_rate_limit if bucket == "login" else settings.auth_rate_limit
    ip = client_ip(request, settings) or "unknown"
    wait = throttle.take(conn, f"{bucket}:{ip}", limit, settings.rate_limit_window_seconds)
    if wait:
        raise too_many(wait, "requests from your address")


def throttle_session(conn: Conn, settings: Settings, session_id: UUID) -> None:
    """Count a refresh against its own session's budget; 429 when over.

    Called inside the refresh's transaction: a refused refresh rolls back with it, so the cookie
    the client holds stays good for when `Retry-After` has passed.
    """
    wait = throttle.take(
        conn,
        f"refresh:{session_id}",
        settings.refresh_rate_limit,
        settings.rate_limit_window_seconds,
    )
    if wait:
        raise too_many(wait, "refreshes of this session")


def check_lockout(pool: ConnectionPool, key: str) -> None:
    with pool.connection() as conn, scoped_transaction(conn, Scope.login(), read_only=True):
        wait = throttle.locked_for(conn, key)
    if wait:
        raise too_many(wait, "failed attempts for this account")


def count_failure(pool: ConnectionPool, settings: Settings, key: str) -> None:
    """Record a failed attempt in its own transaction, so the request's rollback keeps it."""
    with pool.connection() as conn, scoped_transaction(conn, Scope.login()):
        throttle.fail(conn, settings, key)


def set_refresh_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        token,
        max_age=settings.refresh_token_ttl_seconds,
        path=REFRESH_PATH,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )


def clear_refresh_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=REFRESH_PATH,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )


def summary(profile: Profile) -> UserSummary:
    return UserSummary(
        id=profile.user_id,
        email=profile.email,
        display_name=profile.display_name,
        role=Role(profile.role),
        org_id=profile.organization_id,
        tenant_id=profile.tenant_id,
        tenant_name=profile.tenant_name,
        carrier_id=profile.carrier_id,
    )


def mfa_state(state: SessionState | None) -> MfaState:
    if state is None:
        return MfaState(required=False, enrolled=False, verified=False)
    return MfaState(
        required=state.mfa_required, enrolled=state.mfa_enrolled, verified=state.mfa_verified
    )


def principal_for(profile: Profile, session_id: UUID, state: SessionState | None) -> Principal:
    return Principal(
        user_id=profile.user_id,
        email=profile.email,
        role=profile.role,
        tenant_id=profile.tenant_id,
        org_id=profile.organization_id,
        carrier_id=profile.carrier_id,
        mfa_verified=bool(state and state.mfa_verified),
        session_id=session_id,
    )


def auth_response(
    settings: Settings, principal: Principal, user: UserSummary, state: SessionState | None
) -> AuthResponse:
    """A fresh access token for `principal`, with what the client needs to route the user."""
    impersonation = None
    ttl = settings.access_token_ttl_seconds
    if principal.actor is not None and principal.tenant_id is not None and state is not None:
        impersonation = Impersonation(
            actor=ActorOut(
                id=principal.actor.user_id,
                email=principal.actor.email,
                role=Role(principal.actor.role),
            ),
            tenant_id=principal.tenant_id,
            expires_at=state.expires_at,
        )
    if state is not None:
        principal = replace(principal, mfa_verified=state.mfa_verified)
    return AuthResponse(
        access_token=issue_access_token(settings, principal, ttl_seconds=ttl),
        expires_in=ttl,
        user=user,
        mfa=mfa_state(state),
        impersonation=impersonation,
    )


def start_session(
    conn: Conn, settings: Settings, request: Request, response: Response, profile: Profile
) -> AuthResponse:
    """Open a session for a user who has just proved who they are (inside `conn`'s tx)."""
    session_id, refresh = open_session(
        conn,
        profile.user_id,
        timedelta(seconds=settings.refresh_token_ttl_seconds),
        ip=client_ip(request, settings),
        user_agent=request.headers.get("user-agent"),
        request_id=request_id.get(),
    )
    state = session_state(conn, session_id, profile.user_id)
    set_refresh_cookie(response, settings, refresh)
    principal = principal_for(profile, session_id, state)
    return auth_response(settings, principal, summary(profile), state)


def require_good_password(password: str, email: str, location: str = "body.password") -> None:
    """422 with every reason the password policy refuses `password`."""
    problems = password_problems(password, email)
    if problems:
        raise Problem(
            422,
            "The password " + "; ".join(problems) + ".",
            errors=[{"location": location, "message": p} for p in problems],
        )
