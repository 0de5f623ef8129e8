"""Driving the live app's MCP server with the SDK's own client over streamable HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.dispatcher import ProgressFnT
from mcp_types import CallToolResult

from tests.factories import PASSWORD

T = TypeVar("T")


def session_token(base: str, email: str) -> str:
    """A signed-in session's access token, from the live app."""
    answer = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def personal_token(base: str, email: str, scope: str = "read") -> dict[str, Any]:
    answer = httpx.post(
        f"{base}/api/me/tokens",
        headers={"Authorization": f"Bearer {session_token(base, email)}"},
        json={"name": f"mcp {scope}", "scope": scope},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def with_session(base: str, token: str, work: Callable[[ClientSession], Awaitable[T]]) -> T:
    """Run `work` in an initialized MCP client session authenticated by `token`."""

    async def run() -> T:
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=120) as http,
            streamable_http_client(f"{base}/api/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await work(session)

    return asyncio.run(run())


@dataclass
class Called:
    result: CallToolResult
    progress: list[tuple[float, float | None, str | None]]

    @property
    def ok(self) -> bool:
        return not self.result.is_error and self.result.structured_content is not None

    @property
    def text(self) -> str:
        return " ".join(getattr(c, "text", "") for c in self.result.content)


def progress_to(seen: list[tuple[float, float | None, str | None]]) -> ProgressFnT:
    async def note(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    return note


def call_tools(base: str, token: str, calls: dict[str, dict[str, Any]]) -> dict[str, Called]:
    """Call each tool with its arguments in one session; results by tool name."""

    async def work(session: ClientSession) -> dict[str, Called]:
        done: dict[str, Called] = {}
        for name, arguments in calls.items():
            progress: list[tuple[float, float | None, str | None]] = []
            result = await session.call_tool(
                name, arguments, progress_callback=progress_to(progress)
            )
            done[name] = Called(result, progress)
        return done

    return with_session(base, token, work)


def raw_call(base: str, token: str | None, tool: str, arguments: dict[str, Any]) -> httpx.Response:
    """One JSON-RPC `tools/call` POST, as any HTTP client would send it."""
    headers = {"Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(
        f"{base}/api/mcp",
        headers=headers,
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        },
    )
