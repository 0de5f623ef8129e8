"""The request lifecycle: token → permission → scoped transaction → live session → handler.

Every authenticated route takes one `Tx` from one of the factories below, naming the permission it
needs; nothing else opens a scoped transaction in the API. In order:

1. the bearer token's signature, algorithm, key id, issuer, audience and lifetime (401);
2. the route's permission against the role table (403), minus what impersonation may not do;
3. the scope: tenant from the token; organization from the path, checked against the caller
   (another organization's id answers 404, like one that does not exist); platform for
   superadmins; carrier for carrier users; one's own rows for MFA and `/api/me`;
4. one transaction whose first statement sets that scope (READ ONLY for tenant/self GETs),
   committed when the route function returns and before the response is sent, so the caller's
   next request sees the write and a failed commit is the answer (never a 2xx for a lost write);
5. the session named by the token is live (not revoked or expired, user active, organization
   enabled, tenant not deleted) and MFA is complete where it applies (403 `mfa-required`,
   except on MFA-completion routes);
6. widened scopes (org, platform) write an audit row first; so does every write made under an
   impersonation, naming both identities.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

import psycopg
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from api.deps import PoolDep, SettingsDep
from api.forwarded import client_address
from api.problems import Problem, commit_refused
from api.token_auth import Refusal, authenticate, is_api_token, refusal_problem
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity.audit import AuditContext, AuditEvent, record
from draxis.identity.sessions import SessionState, session_state
from draxis.log import request_id
from draxis.security.api_tokens import allows, cap
from draxis.security.permissions import Permission, Role, permissions_for
from draxis.security.tokens import InvalidToken, Principal, verify_access_token
from draxis.settings import Settings

Conn = psycopg.Connection[TupleRow]
log = logging.getLogger("draxis.api.access")
ScopeFamily = Literal["tenant", "org", "platform", "carrier", "self"]

MFA_REQUIRED_TYPE = "https://draxis.dev/problems/mfa-required"
_bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="draxis"'}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_ip(request: Request, settings: Settings) -> str | None:
    """The client's address; X-Forwarded-For only as far as `trusted_proxy_hops` vouch for it
    (`draxis serve` turns uvicorn's own proxy-header handling off, so the peer is the socket's)."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.getlist("x-forwarded-for")
    return client_address(peer, forwarded, settings.trusted_proxy_hops)


async def current_principal(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # async: a signature check is CPU-only and short, so it runs on the event loop rather than
    # costing a hop to the thread pool on every request. A personal access token needs the
    # database, so that one lookup goes to the thread pool.
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Sign in first: this route needs a bearer token.", headers=_CHALLENGE)
    token = credentials.credentials
    if is_api_token(token):
        found = await run_in_threadpool(
            authenticate,
            pool,
            token,
            ip=client_ip(request, settings),
            request_id=request_id.get(),
            channel="rest",
        )
        if isinstance(found, Refusal):
            raise refusal_problem(found)
        return found
    try:
        return verify_access_token(settings, token)
    except InvalidToken:
        raise Problem(
            401, "The access token is invalid or has expired; sign in again.", headers=_CHALLENGE
        ) from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    permissions: frozenset[Permission]
    session: SessionState | None  # None only when the session check is switched off (bench)
    request_id: str | None
    ip: str | None

    @property
    def audit_context(self) -> AuditContext:
        actor = self.principal.actor
        return AuditContext(
            actor_user_id=self.principal.user_id,
            impersonator_user_id=actor.user_id if actor else None,
            request_id=self.request_id,
            ip=self.ip,
        )


@dataclass(frozen=True, slots=True)
class Tx:
    """One request's transaction, its scope, and who is calling."""

    conn: Conn
    scope: Scope
    caller: Caller

    @property
    def principal(self) -> Principal:
        return self.caller.principal

    def audit(
        self,
        action: str,
        *,
        target_type: str | None = None,
        target_id: UUID | str | None = None,
        tenant_id: UUID | None = None,
        **detail: Any,
    ) -> None:
        record(
            self.conn,
            self.scope,
            self.caller.audit_context,
            AuditEvent(action, target_type, target_id, detail, tenant_id),
        )


def _authorize(
    principal: Principal, permission: Permission, *, write: bool
) -> frozenset[Permission]:
    granted = permissions_for(principal.role, impersonating=principal.impersonating)
    if principal.token is not None:
        refused = allows(principal.token, permission, write=write)
        if refused is not None:
            raise Problem(403, refused)
        granted = cap(granted, principal.token.scope)
        if permission not in granted:
            raise Problem(403, f"This token may not do this (it needs {permission.value!r}).")
    if permission not in granted:
        raise Problem(403, f"Your role may not do this (it needs {permission.value!r}).")
    return granted


def _check_session(
    conn: Conn, settings: Settings, principal: Principal, *, mfa_completion: bool
) -> SessionState | None:
    if not settings.session_check or principal.token is not None:
        # A token's liveness and MFA were checked when it was resolved, in this same call.
        return None
    state = session_state(conn, principal.session_id, principal.user_id)
    if state is None or not state.live:
        raise Problem(401, "This session has ended; sign in again.", headers=_CHALLENGE)
    if not _matches(principal, state):
        raise Problem(401, "This token does not match its session.", headers=_CHALLENGE)
    if state.mfa_pending and not mfa_completion:
        raise Problem(
            403,
            "Multi-factor authentication is required: verify your authentication code first.",
            type=MFA_REQUIRED_TYPE,
            mfa_enrolled=state.mfa_enrolled,
        )
    return state


def _matches(principal: Principal, state: SessionState) -> bool:
    """Belt and braces behind the signature: the token's claims are still the user's row."""
    if principal.actor is not None:
        return (
            state.impersonated_tenant_id == principal.tenant_id
            and state.role == principal.actor.role
        )
    return state.impersonated_tenant_id is None and (
        state.role,
        state.tenant_id,
        state.organization_id,
        state.carrier_id,
    ) == (principal.role, principal.tenant_id, principal.org_id, principal.carrier_id)


def _printable(path: str) -> str:
    """A request path fit for a jsonb audit row (no NUL or other control characters)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in path)


def _scope_for(family: ScopeFamily, principal: Principal, org_id: UUID | None) -> Scope:
    user = principal.user_id
    if family == "tenant":
        if principal.tenant_id is None:
            raise Problem(403, f"Role {principal.role!r} has no tenant; this route reads one.")
        return Scope.tenant(principal.tenant_id, principal.org_id, user)
    if family == "org":
        assert org_id is not None
        if principal.role != Role.SUPERADMIN and principal.org_id != org_id:
            raise Problem(404, "No such organization.")
        return Scope.org(org_id, user)
    if family == "platform":
        return Scope.platform(user)
    if family == "carrier":
        if principal.carrier_id is None:
            raise Problem(403, "Only carrier users reach the carrier portal.")
        return Scope.carrier(principal.carrier_id, user)
    if principal.tenant_id is not None:
        return Scope.tenant(principal.tenant_id, principal.org_id, user)
    return Scope.user(user, principal.org_id, principal.carrier_id)


def _open(
    family: ScopeFamily,
    permission: Permission,
    request: Request,
    pool: ConnectionPool,
    settings: Settings,
    principal: Principal,
    org_id: UUID | None,
    mfa_completion: bool,
) -> Generator[Tx, None, None]:
    yield from open_tx(
        family,
        permission,
        pool,
        settings,
        principal,
        Call(request.method, _printable(request.url.path), client_ip(request, settings)),
        org_id=org_id,
        mfa_completion=mfa_completion,
    )


@dataclass(frozen=True, slots=True)
class Call:
    """What is being called, for the audit trail: an HTTP method and path, or an MCP tool."""

    method: str
    path: str
    ip: str | None


def open_tx(
    family: ScopeFamily,
    permission: Permission,
    pool: ConnectionPool,
    settings: Settings,
    principal: Principal,
    call: Call,
    *,
    org_id: UUID | None = None,
    mfa_completion: bool = False,
    read_only: bool | None = None,
) -> Generator[Tx, None, None]:
    """Steps 2 to 6 of the lifecycle: the one scoped transaction of a REST call or a tool call
    (`read_only` False: a read that still writes its own audit row)."""
    write = call.method not in _SAFE_METHODS
    granted = _authorize(principal, permission, write=write)
    scope = _scope_for(family, principal, org_id)
    widened = scope.kind in ("org", "platform")
    if read_only is None:
        read_only = not write and not widened
    with pool.connection() as conn, scoped_transaction(conn, scope, read_only=read_only):
        state = _check_session(conn, settings, principal, mfa_completion=mfa_completion)
        caller = Caller(principal, granted, state, request_id.get(), call.ip)
        tx = Tx(conn, scope, caller)
        if scope.kind == "org":
            found = conn.execute(
                "select 1 from platform.organizations where id = %s", (org_id,)
            ).fetchone()
            if found is None:
                raise Problem(404, "No such organization.")
        if widened:
            tx.audit("scope.widened", method=call.method, path=call.path)
        if write and principal.impersonating:
            tx.audit("impersonation.write", method=call.method, path=call.path)
        yield tx


def committed(opened: Generator[Tx, None, None]) -> Generator[Tx, None, None]:
    """`opened`'s transaction, told apart from its commit: a failed COMMIT gets its own answer.

    The handler's exception is thrown into `opened` (which rolls back and re-raises it); after a
    normal return, resuming `opened` commits, and only then is a database error the commit's.
    """
    tx = next(opened)
    try:
        yield tx
    except BaseException as exc:
        opened.throw(exc)
        raise
    try:
        next(opened)
    except StopIteration:
        return
    except psycopg.Error as exc:
        problem = commit_refused(exc)
        if problem is None:
            raise
        raise problem from exc
    raise RuntimeError("a transaction dependency yielded twice")


# Each factory returns a dependency tagged with its permission, which the route × role test reads.
AccessDependency = Callable[..., Awaitable[Tx]]


def _committed_before_response(transaction: Callable[..., Iterator[Tx]]) -> AccessDependency:
    """Wrap the transaction so that it ends (commits) before the response is sent.

    A `yield` dependency of FastAPI's default scope ends after the response has gone out: the
    client could read the old state on its next request, and a failed commit went unheard.
    Scope "function" ends it when the route function returns, still inside the request, so a
    failed commit becomes the answer. The wrapper is async: it only passes the value on, and
    costs no hop to the thread pool.
    """

    async def dependency(tx: Tx) -> Tx:
        return tx

    # Set here: a postponed annotation (a string) could not name this closure's `transaction`.
    dependency.__annotations__["tx"] = Annotated[Tx, Depends(transaction, scope="function")]

    return dependency


def _tag(
    transaction: Callable[..., Iterator[Tx]], permission: Permission, family: ScopeFamily
) -> AccessDependency:
    dep = _committed_before_response(transaction)
    dep.draxis_permission = permission  # type: ignore[attr-defined]
    dep.draxis_scope = family  # type: ignore[attr-defined]
    return dep


def _simple(family: ScopeFamily, permission: Permission, mfa_completion: bool) -> AccessDependency:
    def transaction(
        request: Request, pool: PoolDep, settings: SettingsDep, principal: CurrentPrincipal
    ) -> Iterator[Tx]:
        yield from committed(
            _open(family, permission, request, pool, settings, principal, None, mfa_completion)
        )

    return _tag(transaction, permission, family)


def tenant_access(permission: Permission) -> AccessDependency:
    return _simple("tenant", permission, False)


def platform_access(permission: Permission) -> AccessDependency:
    return _simple("platform", permission, False)


def carrier_access(permission: Permission) -> AccessDependency:
    return _simple("carrier", permission, False)


def self_access(*, mfa_completion: bool = False) -> AccessDependency:
    """One's own rows; `mfa_completion` routes are reachable before MFA is verified."""
    return _simple("self", Permission.SELF, mfa_completion)


def org_access(permission: Permission) -> AccessDependency:
    def transaction(
        org_id: UUID,
        request: Request,
        pool: PoolDep,
        settings: SettingsDep,
        principal: CurrentPrincipal,
    ) -> Iterator[Tx]:
        yield from committed(
            _open("org", permission, request, pool, settings, principal, org_id, False)
        )

    return _tag(transaction, permission, "org")


@dataclass(frozen=True, slots=True)
class TenantWork:
    """Short transactions in the caller's tenant scope, for work that must not hold one open.

    A panel turn waits seconds on a model between its writes; each write is its own transaction,
    opened here with the scope set first, the session re-checked and audit rules as for `Tx`.
    """

    pool: ConnectionPool
    settings: Settings
    scope: Scope
    caller: Caller

    @property
    def tenant_id(self) -> UUID:
        assert self.scope.tenant_id is not None
        return self.scope.tenant_id

    @property
    def user_id(self) -> UUID | None:
        return self.caller.principal.user_id

    @contextmanager
    def transaction(self) -> Iterator[Conn]:
        with self.pool.connection() as conn, scoped_transaction(conn, self.scope):
            _check_session(conn, self.settings, self.caller.principal, mfa_completion=False)
            yield conn

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """One short transaction as a `Tx`, for route helpers written against one."""
        with self.transaction() as conn:
            yield Tx(conn, self.scope, self.caller)

    def audit(self, conn: Conn, action: str, target_id: UUID, **detail: Any) -> None:
        Tx(conn, self.scope, self.caller).audit(
            action, target_type="panel_session", target_id=target_id, **detail
        )


def tenant_work(permission: Permission) -> Callable[..., TenantWork]:
    """Like `tenant_access`, but hands out `TenantWork` instead of holding one transaction."""

    def dependency(
        request: Request, pool: PoolDep, settings: SettingsDep, principal: CurrentPrincipal
    ) -> TenantWork:
        with contextmanager(_open)(
            "tenant", permission, request, pool, settings, principal, None, False
        ) as tx:
            caller = tx.caller
        return TenantWork(pool, settings, tx.scope, caller)

    dependency.draxis_permission = permission  # type: ignore[attr-defined]
    dependency.draxis_scope = "tenant"  # type: ignore[attr-defined]
    return dependency


# Annotated dependencies -------------------------------------------------------------------------
# What routes declare, in FastAPI's `Annotated` idiom: `tx: Annotated[Tx, tenant_scope(P.X)]`, or
# a module-level alias of it (`Reader = Annotated[Tx, tenant_scope(P.RISK_MODEL_READ)]`). Each
# marker wraps the factory above, so the transaction keeps its `scope="function"` (committed
# before the response) and the route keeps exactly one permission tag for the route × role test.


def tenant_scope(permission: Permission) -> Any:
    """`Depends` marker: one transaction in the caller's tenant, needing `permission`."""
    return Depends(tenant_access(permission))


def org_scope(permission: Permission) -> Any:
    """`Depends` marker: one audited transaction in the path's organization (`org_id`)."""
    return Depends(org_access(permission))


def platform_scope(permission: Permission) -> Any:
    """`Depends` marker: one audited transaction across the platform (superadmins)."""
    return Depends(platform_access(permission))


def carrier_scope(permission: Permission) -> Any:
    """`Depends` marker: one transaction in the caller's carrier."""
    return Depends(carrier_access(permission))


def self_scope(*, mfa_completion: bool = False) -> Any:
    """`Depends` marker: one transaction over the caller's own rows (see `self_access`)."""
    return Depends(self_access(mfa_completion=mfa_completion))


def tenant_work_scope(permission: Permission) -> Any:
    """`Depends` marker for `TenantWork`: short tenant transactions around slow work."""
    return Depends(tenant_work(permission))
