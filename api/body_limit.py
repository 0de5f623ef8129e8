"""Request body caps, enforced while the body streams in: before authentication and parsing.

Pure ASGI (no BaseHTTPMiddleware). A Content-Length over the route's cap is answered 413 before
a byte of the body is read; a body without one (chunked) is counted as it arrives, and the read
that passes the cap raises `BodyTooLarge`, an HTTPException that FastAPI's body reading lets
through to the problem handlers (so the answer is a 413 problem, never a 400 or a 500). Routes
that take files or batches have a larger cap; each still holds its file to its own limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response
from draxis.settings import Settings

# (method, path) of the routes whose bodies are files or batches.
UPLOAD_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("POST", re.compile(r"/api/memory/documents")),
    ("POST", re.compile(r"/api/sources/[^/]+/artifact")),
    ("POST", re.compile(r"/api/model/import")),
    ("POST", re.compile(r"/api/push/kri-values")),
    ("POST", re.compile(r"/api/tasks/[^/]+/attachments")),
    ("POST", re.compile(r"/api/respond/evidence")),
)


def too_large_detail(cap: int) -> str:
    size = f"{cap / (1024 * 1024):g} MiB" if cap >= 1024 * 1024 else f"{cap // 1024} KiB"
    return f"The request body is larger than this route accepts ({size})."


class BodyTooLarge(HTTPException):
    def __init__(self, cap: int) -> None:
        super().__init__(413, too_large_detail(cap))


@dataclass(frozen=True, slots=True)
class BodyCaps:
    default: int
    upload: int
    upload_routes: Sequence[tuple[str, re.Pattern[str]]] = UPLOAD_ROUTES

    def for_route(self, method: str, path: str) -> int:
        for route_method, pattern in self.upload_routes:
            if method == route_method and pattern.fullmatch(path):
                return self.upload
        return self.default


def body_caps(settings: Settings) -> BodyCaps:
    return BodyCaps(default=settings.max_body_bytes, upload=settings.max_upload_body_bytes)


def declared_length(scope: Scope) -> int | None:
    """The Content-Length, or None when there is none (chunked) or it is not a number (the
    server refuses those before the app sees them)."""
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None


class BodyLimit:
    def __init__(self, app: ASGIApp, caps: BodyCaps) -> None:
        self.app = app
        self.caps = caps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.caps.for_route(scope["method"], scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > cap:
            await problem_response(413, too_large_detail(cap))(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge(cap)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            # Read outside FastAPI's body handling (a route streaming its body, say).
            if started:
                raise
            await problem_response(413, str(exc.detail))(scope, receive, send)
