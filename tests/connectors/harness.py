"""The shared harness for vendor connector tests: recorded responses served to the real client.

A test lists the routes the connector should call and what each answers, builds a context with
`make_ctx`, runs the connector, then asserts on the result and on `recorded.calls`::

    next_page = '<https://acme.okta.com/api/v1/users?after=2>; rel="next"'
    recorded = Recorded(
        [
            Route("GET", "/api/v1/users", [
                Resp(fixture="users_page1.json", headers={"Link": next_page}),
                Resp(fixture="users_page2.json"),
            ]),
            Route("GET", path_re=r"/api/v1/users/\\w+/factors", responses=[Resp(json=[])]),
        ]
    )
    ctx, sleeps = make_ctx("okta", config={"domain": "acme.okta.com"},
                           credentials={"api_token": "t0k3n"}, recorded=recorded)
    result = OktaConnector().run(ctx)
    assert recorded.unmatched == []

Responses go through `httpx.MockTransport`, so everything but the socket is real: the
connector's own `VendorHttp` (built from `ctx.http_env`), its retries (waits land in `sleeps`,
nothing really sleeps), its auth and its SSRF guard (every host resolves to a public address).
Fixtures live in ``tests/connectors/fixtures/<vendor_id>/<name>.json``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import httpx
import pytest

from connectors.base import ConnectorContext, RunResult
from connectors.errors import AuthFailed
from connectors.http import HttpEnv, HttpPolicy
from tests.connectors.sims.core import transport

FIXTURES = Path(__file__).parent / "fixtures"
FIXED_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PUBLIC_ADDRESS = "93.184.216.34"
TENANT_ID = UUID("00000000-0000-4000-8000-00000000a001")
SOURCE_ID = UUID("00000000-0000-4000-8000-00000000b001")

_UNSET: Any = object()


def load_fixture(vendor_id: str, name: str) -> Any:
    """The JSON of ``fixtures/<vendor_id>/<name>``."""
    path = FIXTURES / vendor_id / name
    if not path.is_file():
        raise FileNotFoundError(f"no fixture {path.relative_to(FIXTURES.parent)}")
    return json.loads(path.read_text())


@dataclass(frozen=True)
class Resp:
    """One recorded answer: JSON (`json`, or a `fixture` of the vendor's folder), or a raw
    `body`; or `error`, an exception the transport raises instead (e.g. httpx.ReadTimeout)."""

    status: int = 200
    json: Any = _UNSET
    body: str | bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    fixture: str | None = None
    error: Exception | None = None

    def build(self, request: httpx.Request, vendor_id: str | None) -> httpx.Response:
        if self.error is not None:
            raise self.error
        headers = dict(self.headers)
        if self.fixture is not None:
            if vendor_id is None:
                raise ValueError("Resp(fixture=...) needs Recorded(vendor=...) or make_ctx")
            return httpx.Response(
                self.status, json=load_fixture(vendor_id, self.fixture), headers=headers
            )
        if self.json is not _UNSET:
            return httpx.Response(self.status, json=self.json, headers=headers)
        content = self.body.encode() if isinstance(self.body, str) else (self.body or b"")
        return httpx.Response(self.status, content=content, headers=headers)


@dataclass
class Route:
    """Requests this route answers: `method` ("*" for any) and the exact URL `path`, or a
    `path_re` matched in full; `query` optionally requires these query parameters; `host` the
    URL's host. Routes are tried in order, the first match answers (list specific ones first).
    Successive matching calls get successive `responses`; the last one repeats."""

    method: str
    path: str | None = None
    responses: Sequence[Resp] = (Resp(),)
    path_re: str | None = None
    query: Mapping[str, str] | None = None
    host: str | None = None
    hits: int = 0

    def matches(self, request: httpx.Request) -> bool:
        if self.method != "*" and request.method != self.method.upper():
            return False
        if self.host is not None and request.url.host != self.host:
            return False
        path = request.url.path
        if self.path is not None and path != self.path:
            return False
        if self.path_re is not None and not re.fullmatch(self.path_re, path):
            return False
        params = request.url.params
        return all(params.get(k) == v for k, v in (self.query or {}).items())

    def next_response(self) -> Resp:
        if not self.responses:
            raise ValueError(f"route {self.method} {self.path or self.path_re} has no responses")
        resp = self.responses[min(self.hits, len(self.responses) - 1)]
        self.hits += 1
        return resp


@dataclass(frozen=True)
class Call:
    """One request the client sent, as it went on the wire."""

    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes

    @property
    def path(self) -> str:
        return self.url.path

    @property
    def params(self) -> httpx.QueryParams:
        return self.url.params

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(httpx.QueryParams(self.body.decode()))


class Recorded:
    """A fake vendor: routes answering recorded responses, and a log of every call."""

    def __init__(self, routes: Sequence[Route], *, vendor: str | None = None) -> None:
        self.routes = list(routes)
        self.vendor = vendor
        self.calls: list[Call] = []
        self.unmatched: list[Call] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        call = Call(request.method, request.url, httpx.Headers(request.headers), request.read())
        self.calls.append(call)
        for route in self.routes:
            if route.matches(request):
                return route.next_response().build(request, self.vendor)
        self.unmatched.append(call)
        return httpx.Response(
            404,
            json={"error": "no recorded route", "method": request.method, "url": str(request.url)},
        )

    def calls_to(self, path: str, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.path == path and (method is None or c.method == method)]


def make_ctx(
    vendor_id: str,
    *,
    config: Mapping[str, Any],
    credentials: Mapping[str, str],
    recorded: Recorded,
    now: datetime = FIXED_NOW,
    base_url: str | None = None,
    auth: httpx.Auth | None = None,
    policy: HttpPolicy = HttpPolicy(),  # noqa: B008 - frozen
    tenant_slug: str = "acme-health",
) -> tuple[ConnectorContext, list[float]]:
    """A context whose `http_env` serves `recorded` (every host resolving to a public address,
    waits appended to the returned list) and whose `http` is a ready client over it."""
    if recorded.vendor is None:
        recorded.vendor = vendor_id
    sleeps: list[float] = []
    env = HttpEnv(
        policy=policy,
        transport=recorded.transport,
        resolver=lambda host: [PUBLIC_ADDRESS],
        sleep=sleeps.append,
        logger=logging.getLogger(f"connectors.{vendor_id}"),
        now=lambda: now,
    )
    ctx = ConnectorContext(
        tenant_id=TENANT_ID,
        tenant_slug=tenant_slug,
        source_id=SOURCE_ID,
        config=dict(config),
        clock=lambda: now,
        logger=logging.getLogger(f"connectors.{vendor_id}"),
        credentials=dict(credentials),
        http_env=env,
        http=env.client(vendor=vendor_id, base_url=base_url, auth=auth),
    )
    return ctx, sleeps


# --- one-line scenarios ------------------------------------------------------------------------


CtxBuilder = Callable[[Recorded], ConnectorContext]


class Runnable(Protocol):
    """What the scenarios need of a connector (read-only, so any connector class fits)."""

    @property
    def vendor_id(self) -> str: ...

    def run(self, ctx: ConnectorContext) -> RunResult: ...


def assert_auth_failure_is_clear(
    connector: Runnable,
    ctx_builder: CtxBuilder,
    *,
    status: int = 401,
    secrets: Sequence[str] = (),
) -> AuthFailed:
    """Every request answered `status`: `run` raises `AuthFailed` with that status, a message
    naming the vendor, and none of `secrets`; it is never retried."""
    recorded = Recorded(
        [Route("*", path_re=".*", responses=[Resp(status, json={"message": "denied"})])],
        vendor=connector.vendor_id,
    )
    ctx = ctx_builder(recorded)
    with pytest.raises(AuthFailed) as caught:
        connector.run(ctx)
    message = str(caught.value)
    assert caught.value.status == status, message
    assert message.startswith(f"{connector.vendor_id}:"), message
    assert str(status) in message, message
    assert_no_secret_in(message, secrets)
    assert len(recorded.calls) <= 2, "an auth failure must not be retried"
    return caught.value


def assert_no_secret_in(text: str, secrets: Sequence[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret appears in: {text[:200]}"


def assert_secrets_not_in_urls(recorded: Recorded, secrets: Sequence[str]) -> None:
    """No credential travelled in a URL (query strings end up in proxy and server logs)."""
    for call in recorded.calls:
        assert_no_secret_in(str(call.url), secrets)


def assert_header_sent(
    recorded: Recorded, header: str, value: str, *, except_paths: Collection[str] = ()
) -> None:
    """Every call (but those to `except_paths`, e.g. a token endpoint) carried `header: value`."""
    calls = [c for c in recorded.calls if c.path not in except_paths]
    assert calls, "no call was made"
    for call in calls:
        assert call.headers.get(header) == value, f"{call.method} {call.path} lacks {header}"


def values(result: RunResult) -> dict[str, float]:
    """KRI slug → value of a run's observations (one row per KRI in these runs)."""
    return {r["kri_slug"]: r["value"] for r in result.observations.iter_rows(named=True)}


def details(result: RunResult) -> dict[str, dict[str, Any]]:
    """KRI slug → the decoded `detail` object of a run's observations."""
    return {
        r["kri_slug"]: json.loads(r["detail"]) for r in result.observations.iter_rows(named=True)
    }


def assert_group_left_out(result: RunResult, slugs: Sequence[str], *reason: str) -> str:
    """A group that could not be read: its KRIs `slugs` are absent (never a 0), one warning
    names them all with each of `reason` (the status, the vendor's message, the field), and the
    run still wrote other KRIs. Returns that warning."""
    got = values(result)
    assert not set(slugs) & set(got), f"{sorted(set(slugs) & set(got))} written"
    assert got, "the readable groups must still be written"
    named = [w for w in result.warnings if all(slug in w for slug in slugs)]
    assert len(named) == 1, result.warnings
    assert "not computed" in named[0], named[0]
    for part in reason:
        assert part in named[0], named[0]
    return named[0]


def sim_ctx(
    vendor_id: str,
    sim: Any,
    *,
    config: Mapping[str, Any],
    credentials: Mapping[str, str],
    calls: list[Any],
    sleeps: list[float] | None = None,
    now: datetime = FIXED_NOW,
) -> ConnectorContext:
    """A context whose `http_env` serves a synthetic vendor (tests/connectors/sims), appending
    every request it sees to `calls` and every wait to `sleeps`."""
    env = HttpEnv(
        transport=transport(sim, calls),
        resolver=lambda host: [PUBLIC_ADDRESS],
        sleep=(sleeps.append if sleeps is not None else lambda seconds: None),
        logger=logging.getLogger(f"connectors.{vendor_id}"),
        now=lambda: now,
    )
    return ConnectorContext(
        tenant_id=TENANT_ID,
        tenant_slug="big-tenant",
        source_id=SOURCE_ID,
        config=dict(config),
        clock=lambda: now,
        logger=logging.getLogger(f"connectors.{vendor_id}"),
        credentials=dict(credentials),
        http_env=env,
    )
