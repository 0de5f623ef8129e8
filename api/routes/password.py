"""`POST /api/auth/password`: change one's own password, staying signed in on this device.

The current password is verified with argon2 off the pooled connection (as sign-in does); a
wrong one counts against the account's lockout and the client IP's auth budget, and writes
nothing. `platform.change_password` swaps the hash only if it is still the one verified against
and audits the change; its trigger revokes every session of the user, so other devices are
signed out, and the caller gets a fresh session (MFA carried over from the session it proved
itself in) in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api.access import CurrentPrincipal, client_ip
from api.deps import PoolDep, SettingsDep
from api.problems import Problem, problem_responses
from api.schemas.identity import AuthResponse
from api.signin import (
    AuthLimit,
    Profile,
    auth_response,
    check_lockout,
    count_failure,
    principal_for,
    require_good_password,
    set_refresh_cookie,
    summary,
)
from api.types import NewPassword, Strict
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity import throttle
from draxis.identity.sessions import mark_mfa_verified, open_session, session_state
from draxis.log import request_id
from draxis.security.passwords import hash_password, verify_password
from draxis.security.permissions import Permission
from draxis.security.tokens import Principal

router = APIRouter(
    prefix="/api/auth", tags=["auth"], responses=problem_responses(400, 401, 403, 409, 422)
)
log = logging.getLogger("draxis.api.password")

_WRONG_CURRENT = "The current password is not correct; nothing was changed."


class PasswordChange(Strict):
    current_password: NewPassword
    new_password: NewPassword


def _signed_in_self(principal: CurrentPrincipal) -> Principal:
    """The caller acting as themself in a signed-in session (no token, no impersonation).

    Tagged with `self` like `api.access.self_access`, but opens no transaction: the route
    must not hold a pooled connection across argon2.
    """
    if principal.token is not None:
        raise Problem(403, "An API token may not change a password; sign in as yourself.")
    if principal.actor is not None:
        raise Problem(403, "You may not change a password while impersonating; stop first.")
    return principal


_signed_in_self.draxis_permission = Permission.SELF  # type: ignore[attr-defined]
_signed_in_self.draxis_scope = "self"  # type: ignore[attr-defined]
SignedInSelf = Annotated[Principal, Depends(_signed_in_self)]


def _current(pool: PoolDep, principal: Principal) -> tuple[Profile, str, bool]:
    """The caller's profile, current hash, and whether this session passed MFA; 401/403 else."""
    with pool.connection() as conn, scoped_transaction(conn, Scope.login(), read_only=True):
        state = session_state(conn, principal.session_id, principal.user_id)
        if state is None or not state.live:
            raise Problem(401, "This session has ended; sign in again.")
        if state.mfa_pending:
            raise Problem(403, "Verify your authentication code before changing your password.")
        row = conn.execute(
            "select user_id, email, display_name, role, organization_id, tenant_id, carrier_id,"
            " tenant_name, password_hash, is_active from platform.login_candidate(%s)",
            (principal.email,),
        ).fetchone()
    if row is None or row[0] != principal.user_id or not row[9]:
        raise Problem(401, "This session has ended; sign in again.")
    return Profile(*row[:8]), str(row[8]), state.mfa_verified


@router.post(
    "/password",
    response_model=AuthResponse,
    dependencies=[AuthLimit],
    responses={
        400: {"description": "The current password is wrong"},
        409: {"description": "The password changed meanwhile"},
        429: {"description": "Too many requests; `Retry-After` is the wait"},
    },
)
def change_password(
    body: PasswordChange,
    principal: SignedInSelf,
    request: Request,
    response: Response,
    pool: PoolDep,
    settings: SettingsDep,
) -> AuthResponse:
    """Change your password; other sessions are signed out, this one gets a fresh session."""
    profile, old_hash, mfa_verified = _current(pool, principal)
    key = throttle.account_key("password", profile.email)
    check_lockout(pool, key)
    # argon2 runs without holding a pooled connection.
    if not verify_password(old_hash, body.current_password):
        count_failure(pool, settings, key)
        log.info("password change refused", extra={"user_id": str(profile.user_id)})
        raise Problem(
            400,
            _WRONG_CURRENT,
            errors=[{"location": "body.current_password", "message": "is not correct"}],
        )
    if body.new_password == body.current_password:
        raise Problem(422, "The new password must differ from the current one.")
    require_good_password(body.new_password, profile.email, "body.new_password")
    new_hash = hash_password(body.new_password)
    ip = client_ip(request, settings)
    with pool.connection() as conn, scoped_transaction(conn, Scope.login()):
        row = conn.execute(
            "select platform.change_password(%s, %s, %s, %s, %s)",
            (profile.user_id, old_hash, new_hash, ip, request_id.get()),
        ).fetchone()
        if not (row and row[0]):
            raise Problem(409, "Your password was changed meanwhile; sign in again.")
        throttle.clear(conn, key)
        session_id, refresh = open_session(
            conn,
            profile.user_id,
            timedelta(seconds=settings.refresh_token_ttl_seconds),
            ip=ip,
            user_agent=request.headers.get("user-agent"),
            request_id=request_id.get(),
        )
        if mfa_verified:
            mark_mfa_verified(conn, session_id, profile.user_id)
        state = session_state(conn, session_id, profile.user_id)
    set_refresh_cookie(response, settings, refresh)
    log.info("password changed", extra={"user_id": str(profile.user_id)})
    return auth_response(
        settings, principal_for(profile, session_id, state), summary(profile), state
    )
