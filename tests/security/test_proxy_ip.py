"""The client IP behind per-IP limits and the audit log comes from DRAXIS_TRUSTED_PROXY_HOPS alone.

A real uvicorn, started as `draxis serve` starts it, on loopback. Spoofing is tried from 127.0.0.1
(whose forwarded headers uvicorn trusts unless told not to); the trusted-hop test connects from
its own loopback address (127.x.y.z) so that its throttle bucket is its own.
"""

from __future__ import annotations

import secrets
import uuid

import httpx
import pytest

from api.forwarded import client_address, request_scheme
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture
from tests.live import serving

LIMIT = 5


def own_loopback() -> str:
    a, b, c = secrets.randbelow(254) + 1, secrets.randbelow(254) + 1, secrets.randbelow(253) + 2
    return f"127.{a}.{b}.{c}"


def from_address(base_url: str, address: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url, transport=httpx.HTTPTransport(local_address=address), timeout=30
    )


def signed_in_ip(http: httpx.Client, observer: Conn, email: str, forwarded: str) -> str | None:
    """Sign in with `X-Forwarded-For: forwarded`; the IP the audit row recorded for it."""
    rid = uuid.uuid4().hex
    answer = http.post(
        "/api/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-Forwarded-For": forwarded, "X-Request-ID": rid},
    )
    assert answer.status_code == 200, answer.text
    row = observer.execute(
        "select ip from platform.platform_audit_logs"
        " where action = 'auth.sign_in' and request_id = %s",
        (rid,),
    ).fetchone()
    assert row is not None
    return None if row[0] is None else str(row[0])


def failed_logins(http: httpx.Client, forwarded: list[str]) -> list[int]:
    """One failed sign-in per entry, each for its own account (so no account lockout answers)."""
    return [
        http.post(
            "/api/auth/login",
            json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.test", "password": "wrong"},
            headers={"X-Forwarded-For": f},
        ).status_code
        for f in forwarded
    ]


def test_without_trusted_hops_a_spoofed_forwarded_for_changes_nothing(
    settings: Settings, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    # From 127.0.0.1, the address uvicorn trusted forwarded headers from by default.
    limited = settings.model_copy(update={"trusted_proxy_hops": 0, "login_rate_limit": LIMIT})
    with serving(limited) as base, from_address(base, "127.0.0.1") as http:
        spoofed = [f"198.51.100.{i}" for i in range(1, LIMIT + 4)]
        statuses = failed_logins(http, spoofed)
    # Other tests may have signed in from 127.0.0.1 in this window: at most LIMIT pass.
    assert statuses.count(401) <= LIMIT, statuses
    assert statuses[-3:] == [429] * 3, statuses
    roomy = settings.model_copy(update={"trusted_proxy_hops": 0})
    with serving(roomy) as base, from_address(base, "127.0.0.1") as http:
        forged = "198.51.100.66"
        assert signed_in_ip(http, observer_conn, tenant_a.user_email, forged) == "127.0.0.1"


def test_one_trusted_hop_uses_the_last_forwarded_for_entry(
    settings: Settings, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    limited = settings.model_copy(update={"trusted_proxy_hops": 1, "login_rate_limit": LIMIT})
    peer = own_loopback()
    with serving(limited) as base, from_address(base, peer) as http:
        # What the client wrote before the proxy appended its peer cannot pick another bucket.
        forged = [f"198.51.100.{i}, 203.0.113.77" for i in range(1, LIMIT + 4)]
        assert failed_logins(http, forged) == [401] * LIMIT + [429] * 3
        assert failed_logins(http, ["203.0.113.78"]) == [401]
        assert (
            signed_in_ip(http, observer_conn, tenant_a.user_email, "198.51.100.7, 203.0.113.9")
            == "203.0.113.9"
        )


@pytest.mark.parametrize(
    ("forwarded", "hops", "expected"),
    [
        (["198.51.100.1"], 0, "10.0.0.1"),  # no trusted proxy: the socket peer, always
        (["198.51.100.1, 203.0.113.9"], 1, "203.0.113.9"),
        (["198.51.100.1, 203.0.113.9"], 2, "198.51.100.1"),
        (["198.51.100.1", "203.0.113.9"], 1, "203.0.113.9"),  # a proxy that adds a line
        (["203.0.113.9"], 2, "10.0.0.1"),  # fewer entries than trusted proxies
        ([" , "], 1, "10.0.0.1"),
        ([], 1, "10.0.0.1"),
    ],
)
def test_client_address(forwarded: list[str], hops: int, expected: str) -> None:
    assert client_address("10.0.0.1", forwarded, hops) == expected


@pytest.mark.parametrize(
    ("scheme", "proto", "hops", "expected"),
    [
        ("https", [], 0, "https"),
        ("http", ["https"], 0, "http"),  # nobody vouches for the header
        ("http", ["https"], 1, "https"),
        ("http", ["http, https"], 1, "https"),
        ("http", ["https, http"], 1, "http"),
        ("http", ["HTTPS"], 1, "https"),
        ("http", [], 1, "http"),
    ],
)
def test_request_scheme(scheme: str, proto: list[str], hops: int, expected: str) -> None:
    assert request_scheme(scheme, proto, hops) == expected
