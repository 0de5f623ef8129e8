"""MCP authentication: personal access tokens through the SDK's token verifier, and the scope gate.

`PatVerifier` is the SDK's `TokenVerifier`: it resolves a token through `api.token_auth`, the
same code the REST API uses, so expiry, revocation, MFA, the per-token rate limit, `last_used_at`
and the first-use audit behave the same on both doors. A token it refuses leaves the request
unauthenticated, and the SDK answers 401 with the RFC 9728 `resource_metadata` URL in
`WWW-Authenticate`. A push token is refused here as everywhere but its push endpoint.

`WriteScopeGate` sits behind the SDK's bearer check and answers 403 `insufficient_scope` (the MCP
authorization spec's answer) when a read token calls a write tool, before the call reaches the
server; the tool's own transaction checks the scope again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import Any

import anyio
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from psycopg_pool import ConnectionPool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.mcp.runtime import PRINCIPAL_CLAIM
from api.token_auth import Refusal, authenticate
from draxis.security.api_tokens import TokenScope

log = logging.getLogger("draxis.api.mcp")
READ = TokenScope.READ.value
READ_WRITE = TokenScope.READ_WRITE.value
MAX_BODY = 1024 * 1024  # a JSON-RPC call to a tool is small; larger bodies are not inspected
# Why this request's token was refused, for `RefusalReasons` to tell the client.
_refusals: ContextVar[list[Refusal] | None] = ContextVar("draxis_mcp_refusals", default=None)


class PatVerifier:
    """The SDK's token verifier for Draxis personal access tokens."""

    def __init__(self, pool: Callable[[], ConnectionPool]) -> None:
        self._pool = pool

    async def verify_token(self, token: str) -> AccessToken | None:
        found = await anyio.to_thread.run_sync(
            partial(authenticate, self._pool(), token, ip=None, request_id=None, channel="mcp")
        )
        if isinstance(found, Refusal):
            log.info("mcp token refused", extra={"status": found.status, "reason": found.reason})
            noted = _refusals.get()
            if noted is not None:
                noted.append(found)
            return None
        assert found.token is not None
        scopes = [READ, READ_WRITE] if found.token.writes else [READ]
        return AccessToken(
            token=token,
            client_id=str(found.token.token_id),
            scopes=scopes,
            subject=str(found.user_id),
            claims={PRINCIPAL_CLAIM: found},
        )


def _called_tools(body: bytes) -> list[str]:
    """The tool names a JSON-RPC message (or batch) calls; [] for anything else."""
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        return []
    messages = parsed if isinstance(parsed, list) else [parsed]
    names = []
    for message in messages:
        if isinstance(message, dict) and message.get("method") == "tools/call":
            params = message.get("params")
            if isinstance(params, dict) and isinstance(params.get("name"), str):
                names.append(params["name"])
    return names


class RefusalReasons:
    """Outermost around the MCP endpoint: the SDK answers every refused token with a bare 401;
    this says why (revoked, expired, a push token, MFA) and keeps the status the REST API would
    give: 403 for a push token or MFA, 429 with `Retry-After` for a token over its rate limit.
    The `WWW-Authenticate` challenge with the resource metadata URL stays as the SDK built it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        noted: list[Refusal] = []
        reset = _refusals.set(noted)
        held: Message | None = None

        async def explain(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 401 and noted:
                held = message  # rewritten with the body below
                return
            if held is not None and message["type"] == "http.response.body":
                await self._refuse(send, held, noted[0])
                return
            await send(message)

        try:
            await self.app(scope, receive, explain)
        finally:
            _refusals.reset(reset)

    @staticmethod
    async def _refuse(send: Send, start: Message, refusal: Refusal) -> None:
        error = "invalid_token" if refusal.status == 401 else "access_denied"
        if refusal.status == 429:
            error = "rate_limited"
        body = json.dumps({"error": error, "error_description": refusal.reason}).encode()
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"content-type")
        ]
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if refusal.retry_after is not None:
            headers.append((b"retry-after", str(refusal.retry_after).encode()))
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class WriteScopeGate:
    """403 `insufficient_scope` for a read token calling a write tool (ASGI, behind the auth)."""

    def __init__(self, app: ASGIApp, write_tools: frozenset[str], metadata_url: str) -> None:
        self.app = app
        self.write_tools = write_tools
        self.metadata_url = metadata_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        if isinstance(user, AuthenticatedUser) and READ_WRITE in user.scopes:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more and len(body) <= MAX_BODY:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if any(name in self.write_tools for name in _called_tools(body)):
            await self._refuse(send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": more}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        detail = "This tool writes: it needs a read + write token."
        body = json.dumps({"error": "insufficient_scope", "error_description": detail}).encode()
        challenge = (
            f'Bearer error="insufficient_scope", scope="{READ_WRITE}",'
            f' error_description="{detail}", resource_metadata="{self.metadata_url}"'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", challenge.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
