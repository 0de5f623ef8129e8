"""One tool call = one scoped transaction as the token's user, exactly like a REST call.

The token was verified by the SDK's bearer middleware (`api.mcp.auth`), which left the resolved
`Principal` in the access token's claims. Each call goes through `api.access.open_tx`: the
permission against the role capped by the token's scope, the scope from the token's user, one
transaction whose first statement sets it, committed when the tool returns (a failed commit is
the tool's error, never a success). Every call writes an audit row (`mcp.tool_call`) in that
transaction, so read tools run read-write: the audit is their only write, and the policies
decide what they see as for any other call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import anyio
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver.exceptions import ToolError
from psycopg_pool import ConnectionPool

from api.access import Call, ScopeFamily, TenantWork, Tx, committed, open_tx
from api.problems import Problem
from draxis.security.permissions import Permission
from draxis.security.tokens import Principal
from draxis.settings import Settings

T = TypeVar("T")
PRINCIPAL_CLAIM = "draxis_principal"
TOOL_METHOD = "GET"  # a read tool's call, as the permission check and audit read it
WRITE_METHOD = "POST"


def caller() -> Principal:
    """The token's principal, as the bearer middleware verified it for this request."""
    token = get_access_token()
    claims = token.claims if token is not None else None
    principal = claims.get(PRINCIPAL_CLAIM) if claims else None
    if not isinstance(principal, Principal):
        raise ToolError("This call carries no verified Draxis token.")
    return principal


def refused(exc: Problem) -> ToolError:
    return ToolError(f"Refused ({exc.status}): {exc.detail}")


@dataclass(frozen=True, slots=True)
class ToolRuntime:
    """Where tools get their database and settings: the app's, once its lifespan has begun."""

    settings: Settings
    pool: Callable[[], ConnectionPool]

    @contextmanager
    def _tx(
        self,
        principal: Principal,
        tool: str,
        permission: Permission,
        family: ScopeFamily,
        write: bool,
    ) -> Iterator[Tx]:
        method = WRITE_METHOD if write else TOOL_METHOD
        opened = open_tx(
            family,
            permission,
            self.pool(),
            self.settings,
            principal,
            Call(method, f"mcp:{tool}", None),
            org_id=principal.org_id if family == "org" else None,
            read_only=False,
        )
        transaction = committed(opened)
        tx = next(transaction)
        try:
            tx.audit("mcp.tool_call", target_type="mcp_tool", target_id=tool, write=write)
            yield tx
        except BaseException as exc:
            transaction.throw(exc)  # rolls back, then raises `exc` again
            raise
        next(transaction, None)  # commits; a refused commit raises its `Problem`

    async def run(
        self,
        tool: str,
        permission: Permission,
        work: Callable[[Tx], T],
        *,
        family: ScopeFamily = "tenant",
        write: bool = False,
    ) -> T:
        """`work(tx)` in one scoped, audited transaction, off the event loop."""
        principal = caller()
        if family == "org" and principal.org_id is None:
            raise ToolError("Refused (403): this tool reads your own organization; you have none.")

        def run_sync() -> T:
            try:
                with self._tx(principal, tool, permission, family, write) as tx:
                    return work(tx)
            except Problem as exc:
                raise refused(exc) from None

        return await anyio.to_thread.run_sync(run_sync)

    async def tenant_work(self, tool: str, permission: Permission) -> TenantWork:
        """Short tenant transactions for slow work (the panel), authorised like `run`."""
        principal = caller()

        def open_work() -> TenantWork:
            try:
                with self._tx(principal, tool, permission, "tenant", False) as tx:
                    return TenantWork(self.pool(), self.settings, tx.scope, tx.caller)
            except Problem as exc:
                raise refused(exc) from None

        return await anyio.to_thread.run_sync(open_work)
