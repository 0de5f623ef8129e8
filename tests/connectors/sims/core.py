"""What every synthetic vendor shares: the request it sees, the answer it gives, a rate-limit
bucket, and the adapter that serves it to `VendorHttp` through `httpx.MockTransport`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


@dataclass(frozen=True, slots=True)
class SimRequest:
    method: str
    path: str
    query: Mapping[str, str]
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}

    def int_param(self, name: str, default: int) -> int:
        return int(self.query.get(name, default))


@dataclass(slots=True)
class SimResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode()


class Sim(Protocol):
    def handle(self, request: SimRequest) -> SimResponse: ...


@dataclass(slots=True)
class Bucket:
    """A fixed-window request budget: `limit` requests per `window` seconds of `clock`."""

    limit: int
    window: float
    clock: Callable[[], float]
    used: int = 0
    started: float | None = None
    refused: int = 0

    def take(self) -> tuple[bool, int, float]:
        """(allowed, remaining after this request, epoch second the window resets)."""
        now = self.clock()
        if self.started is None or now - self.started >= self.window:
            self.started, self.used = now, 0
        reset = self.started + self.window
        if self.used >= self.limit:
            self.refused += 1
            return False, 0, reset
        self.used += 1
        return True, self.limit - self.used, reset


def token(kind: str, position: int) -> str:
    """An opaque cursor, as vendors give them (base64 of something we can read back)."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()


def position(kind: str, cursor: str | None) -> int:
    """The position a `token` carries; 0 for no cursor; ValueError for a foreign one."""
    if not cursor:
        return 0
    found_kind, _, at = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    if found_kind != kind:
        raise ValueError(f"cursor of {found_kind}, not {kind}")
    return int(at)


def transport(sim: Sim, calls: list[SimRequest] | None = None) -> httpx.MockTransport:
    """`sim` served in-process to a real httpx client; each request is appended to `calls`."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen = SimRequest(
            request.method,
            request.url.path,
            dict(request.url.params),
            request.read(),
            dict(request.headers),
        )
        if calls is not None:
            calls.append(seen)
        answer = sim.handle(seen)
        headers = {"Content-Type": "application/json", **answer.headers}
        return httpx.Response(answer.status, content=answer.content(), headers=headers)

    return httpx.MockTransport(handle)
