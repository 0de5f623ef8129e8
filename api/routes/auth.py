"""The ways in and out: first-run setup, sign-in, refresh, sign-out, invites, and the JWKS.

The client IP's auth budget guards what can be guessed: sign-in (also against its own, tighter
limit), first-run setup, invite preview and acceptance, MFA codes (`api.routes.mfa`), and a
refresh token we do not know. What every page load does (refresh a live session, ask whether
setup is needed) and sign-out cost it nothing: an office behind one address would otherwise sign
itself out by browsing. A live session's refreshes are bounded per session instead.

A wrong password and an unknown e-mail take the same path (one argon2 verification, one
lockout count) and get the same answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Cookie, Request, Response
from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict

from api.access import client_ip
from api.deps import PoolDep, SettingsDep
from api.problems import Problem, problem_responses
from api.schemas.identity import AuthResponse
from api.signin import (
    AuthLimit,
    Profile,
    auth_response,
    check_lockout,
    clear_refresh_cookie,
    count_failure,
    count_ip,
    principal_for,
    require_good_password,
    set_refresh_cookie,
    start_session,
    summary,
    throttle_ip,
    throttle_session,
)
from api.types import DisplayName, Email, NewPassword, Strict
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity import throttle
from draxis.identity.sessions import revoke, rotate_refresh, session_state
from draxis.log import request_id
from draxis.security.opaque import token_hash
from draxis.security.passwords import hash_password, verify_password
from draxis.security.permissions import Role
from draxis.security.tokens import InvalidToken, jwks, verify_access_token

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=problem_responses(401, 409, 410))
# Public key material: not throttled, cacheable by resource servers.
keys_router = APIRouter(prefix="/api/auth", tags=["auth"])
log = logging.getLogger("draxis.api.auth")

_BAD_CREDENTIALS = "Invalid email or password."
# Why a refresh was refused, for the client to tell the person it sends to the sign-in page.
SESSION_ENDED_TYPE = "https://draxis.dev/problems/session-ended"
SESSION_REPLAYED_TYPE = "https://draxis.dev/problems/session-replayed"
_THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many requests; `Retry-After` is the wait"}
}


class LoginRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "admin@acme.example", "password": "••••"}]},
    )
    email: Email
    password: NewPassword


class SetupRequest(Strict):
    email: Email
    display_name: DisplayName
    password: NewPassword


class InviteAcceptRequest(Strict):
    token: str
    display_name: DisplayName
    password: NewPassword


class NeedsSetup(BaseModel):
    needs_setup: bool


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
    mfa_enrolled: bool
    tenant_name: str | None

    @property
    def profile(self) -> Profile:
        return Profile(
            self.user_id,
            self.email,
            self.display_name,
            self.role,
            self.organization_id,
            self.tenant_id,
            self.carrier_id,
            self.tenant_name,
        )


@router.get("/needs-setup", response_model=NeedsSetup)
def needs_setup(pool: PoolDep) -> NeedsSetup:
    with pool.connection() as conn, scoped_transaction(conn, Scope.login(), read_only=True):
        row = conn.execute("select platform.needs_setup()").fetchone()
    return NeedsSetup(needs_setup=bool(row and row[0]))


@router.post(
    "/setup",
    response_model=AuthResponse,
    status_code=201,
    dependencies=[AuthLimit],
    responses={409: {"description": "A superadmin already exists"}, **_THROTTLED},
)
def setup(
    body: SetupRequest, request: Request, response: Response, pool: PoolDep, settings: SettingsDep
) -> AuthResponse:
    """Register the platform's first superadmin; refused once one exists, even when racing."""
    require_good_password(body.password, body.email)
    password_hash = hash_password(body.password)
    with pool.connection() as conn, scoped_transaction(conn, Scope.login()):
        row = conn.execute(
            "select platform.register_first_superadmin(%s, %s, %s)",
            (body.email, body.display_name, password_hash),
        ).fetchone()
        if row is None or row[0] is None:
            raise Problem(409, "Draxis is already set up; sign in instead.")
        profile = Profile(
            UUID(str(row[0])), body.email, body.display_name, "superadmin", None, None, None, None
        )
        answer = start_session(conn, settings, request, response, profile)
    log.info("first superadmin registered", extra={"user_id": str(profile.user_id)})
    return answer


@router.post(
    "/login",
    response_model=AuthResponse,
    dependencies=[AuthLimit],
    responses={401: {"description": "Bad credentials"}, **_THROTTLED},
)
def login(
    body: LoginRequest, request: Request, response: Response, pool: PoolDep, settings: SettingsDep
) -> AuthResponse:
    throttle_ip(pool, settings, request, "login")
    key = throttle.account_key("login", body.email)
    check_lockout(pool, key)
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
        count_failure(pool, settings, key)
        log.info("sign-in refused", extra={"email_domain": body.email.rsplit("@", 1)[-1]})
        raise Problem(401, _BAD_CREDENTIALS)
    with pool.connection() as conn, scoped_transaction(conn, Scope.login()):
        throttle.clear(conn, key)
        answer = start_session(conn, settings, request, response, user.profile)
    log.info("signed in", extra={"user_id": str(user.user_id), "role": user.role})
    return answer


@router.post(
    "/refresh",
    response_model=AuthResponse,
    responses={401: {"description": "Signed out"}, **_THROTTLED},
)
def refresh(
    request: Request,
    response: Response,
    pool: PoolDep,
    settings: SettingsDep,
    draxis_refresh: Annotated[str | None, Cookie()] = None,
) -> AuthResponse:
    """Swap the refresh cookie for a new one and a fresh access token.

    Bounded per session, not per client IP: every page load refreshes. A token we do not know
    (a guess) counts against the IP's auth budget.
    """
    if not draxis_refresh:
        raise Problem(401, "No session to refresh; sign in.")
    with pool.connection() as conn:
        with scoped_transaction(conn, Scope.login()):
            refreshed, new = rotate_refresh(
                conn, draxis_refresh, ip=client_ip(request, settings), request_id=request_id.get()
            )
            if refreshed.outcome == "ok" and refreshed.session_id is not None:
                throttle_session(conn, settings, refreshed.session_id)  # 429 rolls back
        # Committed: a replay's revocation stands even though this request is refused.
        if refreshed.outcome != "ok" or refreshed.session_id is None:
            if refreshed.outcome == "unknown":
                with scoped_transaction(conn, Scope.login()):
                    count_ip(conn, settings, request, "auth")
            if refreshed.outcome == "reused":
                log.warning(
                    "refresh token replayed; session revoked",
                    extra={"session_id": str(refreshed.session_id)},
                )
                raise Problem(
                    401,
                    "This session was signed out because its sign-in was used twice, as by"
                    " another device; sign in again.",
                    type=SESSION_REPLAYED_TYPE,
                )
            raise Problem(
                401,
                "This session has ended: it expired or was signed out elsewhere; sign in again.",
                type=SESSION_ENDED_TYPE,
            )
        with scoped_transaction(conn, Scope.login(), read_only=True):
            profile = (
                conn.cursor(row_factory=class_row(Profile))
                .execute("select * from platform.session_profile(%s)", (refreshed.session_id,))
                .fetchone()
            )
            assert profile is not None
            state = session_state(conn, refreshed.session_id, profile.user_id)
    set_refresh_cookie(response, settings, new)
    principal = principal_for(profile, refreshed.session_id, state)
    return auth_response(settings, principal, summary(profile), state)


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    response: Response,
    pool: PoolDep,
    settings: SettingsDep,
    draxis_refresh: Annotated[str | None, Cookie()] = None,
) -> Response:
    """Revoke the cookie's session and the bearer's; always clears the cookie."""
    bearer = request.headers.get("authorization", "")
    with pool.connection() as conn, scoped_transaction(conn, Scope.login()):
        if draxis_refresh:
            conn.execute(
                "select platform.session_logout(%s, %s, %s)",
                (token_hash(draxis_refresh), request_id.get(), client_ip(request, settings)),
            )
        if bearer.lower().startswith("bearer "):
            try:
                principal = verify_access_token(settings, bearer[7:].strip())
                revoke(conn, principal.session_id, principal.user_id, "logout")
            except InvalidToken:
                pass
    answer = Response(status_code=204)
    clear_refresh_cookie(answer, settings)
    return answer


class InvitePreviewRequest(Strict):
    token: str


class InvitePreview(BaseModel):
    email: str
    role: Role
    organization_name: str | None
    tenant_name: str | None


def _preview(pool: PoolDep, token: str) -> InvitePreview:
    with pool.connection() as conn, scoped_transaction(conn, Scope.login(), read_only=True):
        row = (
            conn.cursor(row_factory=class_row(InvitePreview))
            .execute("select * from platform.invite_preview(%s)", (token_hash(token),))
            .fetchone()
        )
    if row is None:
        raise Problem(410, "This invite is not valid: it was used, revoked, or has expired.")
    return row


@router.post(
    "/invites/preview", response_model=InvitePreview, dependencies=[AuthLimit], responses=_THROTTLED
)
def preview_invite(body: InvitePreviewRequest, pool: PoolDep) -> InvitePreview:
    """What an invite is for (e-mail, role, organization, tenant), if it is still valid."""
    return _preview(pool, body.token)


@router.post(
    "/invites/accept",
    response_model=AuthResponse,
    status_code=201,
    dependencies=[AuthLimit],
    responses={410: {"description": "Used, expired or unknown invite"}, **_THROTTLED},
)
def accept_invite(
    body: InviteAcceptRequest,
    request: Request,
    response: Response,
    pool: PoolDep,
    settings: SettingsDep,
) -> AuthResponse:
    """Accept an invite: set a password, become the invited user, and sign in."""
    invite = _preview(pool, body.token)
    require_good_password(body.password, invite.email)
    password_hash = hash_password(body.password)
    with pool.connection() as conn, scoped_transaction(conn, Scope.login()):
        outcome = conn.execute(
            "select outcome, user_id from platform.invite_accept(%s, %s, %s, %s, %s)",
            (
                token_hash(body.token),
                body.display_name,
                password_hash,
                client_ip(request, settings),
                request_id.get(),
            ),
        ).fetchone()
        assert outcome is not None
        if outcome[0] == "email_taken":
            raise Problem(409, "A user with this e-mail address already exists.")
        if outcome[0] != "ok":
            raise Problem(410, "This invite is not valid: it was used, revoked, or has expired.")
        user = (
            conn.cursor(row_factory=class_row(LoginCandidate))
            .execute("select * from platform.login_candidate(%s)", (invite.email,))
            .fetchone()
        )
        assert user is not None
        return start_session(conn, settings, request, response, user.profile)


@keys_router.get("/jwks.json")
def jwks_document(settings: SettingsDep) -> dict[str, list[dict[str, str]]]:
    """The public keys access tokens are signed with (RFC 7517)."""
    return jwks(settings)
