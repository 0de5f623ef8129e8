"""Rate limits per client IP and lockouts per account, kept in Postgres (shared by processes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from draxis.db.scope import Scope, scoped_transaction
from draxis.identity import throttle
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"login_rate_limit": 3, "auth_rate_limit": 5, "trusted_proxy_hops": 1}
    )


@pytest.fixture
def ip() -> str:
    return f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def two_processes(limited: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Two app instances with their own pools: the limit must hold across both."""
    with (
        TestClient(create_app(limited), base_url="https://testserver") as one,
        TestClient(create_app(limited), base_url="https://testserver") as two,
    ):
        yield one, two


def test_login_limit_per_ip_holds_across_processes(
    two_processes: tuple[TestClient, TestClient], ip: str
) -> None:
    one, two = two_processes
    body = {"email": f"x-{ip}@example.test", "password": "whatever"}
    headers = {"X-Forwarded-For": ip}
    statuses = [
        (one if i % 2 else two).post("/api/auth/login", json=body, headers=headers).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    other_ip = one.post("/api/auth/login", json=body, headers={"X-Forwarded-For": ip + "x"})
    assert other_ip.status_code == 401


def test_auth_routes_share_a_wider_limit_with_retry_after(
    two_processes: tuple[TestClient, TestClient], ip: str
) -> None:
    one, _ = two_processes
    headers = {"X-Forwarded-For": ip}
    guess = {"token": "not-an-invite"}
    preview = "/api/auth/invites/preview"
    statuses = [one.post(preview, json=guess, headers=headers).status_code for _ in range(6)]
    assert statuses == [410] * 5 + [429]
    refused = one.post(preview, json=guess, headers=headers)
    assert refused.headers["content-type"] == "application/problem+json"
    # A full window of 5 slides out over the next: one more fits once a fifth of it has gone,
    # so the wait is at most the rest of this window plus a fifth of the next.
    assert 0 < int(refused.headers["retry-after"]) <= 900 + 900 // 5


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client: TestClient, settings: Settings, tenant_a: TenantFixture
) -> None:
    wrong = {"email": tenant_a.user_email, "password": "not it"}
    for _ in range(settings.lockout_threshold):
        assert client.post("/api/auth/login", json=wrong).status_code == 401
    right = client.post(
        "/api/auth/login", json={"email": tenant_a.user_email, "password": PASSWORD}
    )
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) == settings.lockout_base_seconds


def test_unknown_accounts_lock_the_same_way(client: TestClient, settings: Settings) -> None:
    """No difference between a known and an unknown e-mail, even in lockout behaviour."""
    body = {"email": f"ghost-{uuid.uuid4().hex[:8]}@example.test", "password": "nope"}
    statuses = [
        client.post("/api/auth/login", json=body).status_code
        for _ in range(settings.lockout_threshold + 1)
    ]
    assert statuses == [401] * settings.lockout_threshold + [429]


def test_refused_hits_are_not_counted_so_knocking_does_not_lengthen_the_wait(
    app_conn: Conn, observer_conn: Conn
) -> None:
    bucket = f"test:{uuid.uuid4()}"
    window = 3600  # one long window: nothing slides out while the test runs
    with scoped_transaction(app_conn, Scope.login()):
        accepted = [throttle.take(app_conn, bucket, 3, window) for _ in range(3)]
        refused = [throttle.take(app_conn, bucket, 3, window) for _ in range(50)]
    assert accepted == [0, 0, 0]
    assert all(wait > 0 for wait in refused)
    assert len(set(refused)) == 1, "the wait grew while the client knocked"
    hits = observer_conn.execute(
        "select sum(hits) from platform.rate_limit_windows where bucket = %s", (bucket,)
    ).fetchone()
    assert hits is not None
    assert hits[0] == 3
