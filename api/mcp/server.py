"""The MCP server, built with the official SDK and mounted into the FastAPI app at `/api/mcp`.

Streamable HTTP, stateless (`stateless_http`: no session id, any replica answers any request);
each POST is answered with a short SSE stream (not `json_response`), so that a slow tool's
progress notifications (the panel's) reach the client before its result.
Authentication is the SDK's resource-server mode: `PatVerifier` as its `TokenVerifier`,
`AuthSettings.resource_server_url` = `<public_url>/api/mcp`, so an unauthenticated call gets 401
with `WWW-Authenticate: Bearer ... resource_metadata="<public_url>/.well-known/oauth-protected-
resource/api/mcp"` and that document (RFC 9728) is served at the site's root, where discovery
looks for it.

The SDK builds a Starlette app; its routes are lifted into the FastAPI app rather than mounted,
so `/api/mcp` answers without a redirect and the metadata sits at the root. The endpoint keeps
the SDK's middleware (bearer authentication, auth context), wrapped around it in the SDK's
order. The SDK's session manager must run for the app's lifetime: `create_app`'s lifespan
enters `McpMount.lifespan()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from mcp.server.auth.middleware.bearer_auth import RequireAuthMiddleware
from mcp.server.auth.routes import build_resource_metadata_url
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from psycopg_pool import ConnectionPool
from starlette.routing import Route

from api.mcp import tools_panel, tools_read, tools_write
from api.mcp.auth import READ, PatVerifier, RefusalReasons, WriteScopeGate
from api.mcp.runtime import ToolRuntime
from draxis.settings import Settings
from panel.orchestrator import Orchestrator

MCP_PATH = "/api/mcp"
INSTRUCTIONS = """Draxis is a cyber-risk platform. These tools read (and, with a read + write
token, change) one organisation's cyber-risk posture: Key Risk Indicators (KRIs) coloured
green/amber/red against thresholds, risks and the business outcomes they threaten, vendors, the
data feeds behind the KRIs, and institutional memory. Start with posture_summary; use slugs from
the list tools as arguments of the others. Every call runs as the token's user and is audited."""


@dataclass(frozen=True, slots=True)
class McpMount:
    server: MCPServer
    transport: StreamableHTTPASGIApp

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Run the SDK's session manager while the app runs. A manager runs once, and one app
        may start more than once (tests do), so each start runs a fresh one, made alike."""
        old = self.transport.session_manager
        fresh = StreamableHTTPSessionManager(
            app=old.app,
            event_store=old.event_store,
            json_response=old.json_response,
            stateless=old.stateless,
            security_settings=old.security_settings,
            retry_interval=old.retry_interval,
            max_request_body_size=old.max_request_body_size,
            session_idle_timeout=old.session_idle_timeout,
            max_sessions=old.max_sessions,
        )
        self.transport.session_manager = fresh
        async with fresh.run():
            yield


def build_server(
    settings: Settings, pool: Callable[[], ConnectionPool], orchestrator: Orchestrator
) -> MCPServer:
    resource = settings.public_url.rstrip("/") + MCP_PATH
    server = MCPServer(
        name="draxis",
        title="Draxis",
        instructions=INSTRUCTIONS,
        version="0.1.0",
        token_verifier=PatVerifier(pool),
        auth=AuthSettings(
            issuer_url=settings.public_url,  # Draxis itself issues the tokens (Settings → API)
            resource_server_url=resource,
            required_scopes=[READ],
            validate_token_resource=False,  # a PAT names no audience; the verifier checks it
        ),
    )
    runtime = ToolRuntime(settings, pool)
    tools_read.register(server, runtime)
    tools_write.register(server, runtime)
    tools_panel.register(server, runtime, orchestrator)
    return server


def mount(
    app: FastAPI, settings: Settings, pool: Callable[[], ConnectionPool], orchestrator: Orchestrator
) -> McpMount:
    """Add `/api/mcp` and its protected resource metadata to `app`."""
    server = build_server(settings, pool, orchestrator)
    sdk_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=False,  # SSE answers, so a long tool's progress reaches the client
        # Every call needs a bearer token a browser never attaches on its own, so a rebinding
        # page gains nothing; the Host header is the deployment's (any replica, any name).
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    resource = settings.public_url.rstrip("/") + MCP_PATH
    metadata_url = str(build_resource_metadata_url(resource))  # type: ignore[arg-type]
    for route in sdk_app.routes:
        assert isinstance(route, Route)
        if route.path != MCP_PATH:
            app.router.routes.append(route)  # the RFC 9728 metadata, at the root
            continue
        guard = route.app
        assert isinstance(guard, RequireAuthMiddleware)
        transport = guard.app
        assert isinstance(transport, StreamableHTTPASGIApp)
        guard.app = WriteScopeGate(transport, tools_write.WRITE_TOOLS, metadata_url)
        endpoint: Any = guard
        for middleware in reversed(sdk_app.user_middleware):
            cls, args, kwargs = middleware
            endpoint = cls(endpoint, *args, **kwargs)
        endpoint = RefusalReasons(endpoint)
        methods = ["GET", "POST", "DELETE"]
        app.router.routes.append(Route(MCP_PATH, endpoint=endpoint, methods=methods))
    return McpMount(server, transport)
