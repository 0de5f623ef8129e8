"""A bare `VendorHttp` over a recording, for the tests of the HTTP kit itself (the client,
paging, the SSRF guard, auth): nothing sleeps and nothing leaves the process."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx

from connectors.http import HttpPolicy, VendorHttp
from tests.connectors.harness import (
    FIXED_NOW,
    PUBLIC_ADDRESS,
    Recorded,
    Resp,
    Route,
)

BASE = "https://cloud.tenable.com"
TOKEN = "tok-5ecret-abc123"
CLIENT_SECRET = "cl1ent-5ecret-xyz789"


def public(host: str) -> list[str]:
    return [PUBLIC_ADDRESS]


def kit(
    recorded: Recorded,
    *,
    vendor: str = "tenable-io",
    base_url: str | None = BASE,
    auth: httpx.Auth | None = None,
    policy: HttpPolicy = HttpPolicy(),  # noqa: B008 - frozen
    resolver: Callable[[str], list[str]] = public,
    sleeps: list[float] | None = None,
    logger: logging.Logger | None = None,
    reset_headers: tuple[str, ...] = (),
) -> VendorHttp:
    waits = sleeps if sleeps is not None else []
    return VendorHttp(
        vendor=vendor,
        base_url=base_url,
        auth=auth,
        policy=policy,
        reset_headers=reset_headers,
        transport=recorded.transport,
        resolver=resolver,
        sleep=waits.append,
        logger=logger,
        now=lambda: FIXED_NOW,
    )


def one_route(path: str, *responses: Resp, method: str = "GET") -> Recorded:
    return Recorded([Route(method, path, list(responses))])
