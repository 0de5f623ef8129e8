"""The per-IP auth budget guards guessing, not browsing (issue 12, item 10).

Credential and code guessing (sign-in, MFA codes, invites, first-run setup, an unknown refresh
token) counts against the client IP's budget. Loading a page (refresh a live session, ask whether
setup is needed) does not: an office or an MSP behind one address must not sign itself out. A
live session's refreshes are bounded per session instead. `Retry-After` is the true wait.

These tests set the production limits (or short windows, to time `Retry-After`) explicitly;
the suite's own settings make every limit effectively infinite.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx2
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient

from api.main import create_app
from api.signin import auth_limit
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, flatten_routes
from tests.security.helpers import new_refresh_cookie, refresh_with, sign_in

# The shipped defaults (draxis/settings.py): 100 auth requests and 50 sign-ins per IP per 15 min.
REALISTIC = {"auth_rate_limit": 100, "login_rate_limit": 50, "rate_limit_window_seconds": 900}


def _ip() -> str:
    """A documentation address of its own, so no other test shares the bucket."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def _client(settings: Settings, ip: str, **limits: int) -> TestClient:
    tuned = settings.model_copy(update={**limits, "trusted_proxy_hops": 1})
    return TestClient(
        create_app(tuned),
        base_url="https://testserver",
        headers={"X-Forwarded-For": ip},
        raise_server_exceptions=False,
    )


@pytest.fixture
def office(settings: Settings) -> Iterator[TestClient]:
    """Everyone's browser behind one address, at the production limits."""
    with _client(settings, _ip(), **REALISTIC) as client:
        yield client


def _page_load(client: TestClient, refresh: str, statuses: Counter[int]) -> str:
    """What a browser does on every page load: refresh, needs-setup, then a page's own GET."""
    refreshed = refresh_with(client, refresh)
    statuses[refreshed.status_code] += 1
    statuses[client.get("/api/auth/needs-setup").status_code] += 1
    if refreshed.status_code != 200:
        return refresh
    access = refreshed.json()["access_token"]
    statuses[client.get("/api/me", headers=bearer(access)).status_code] += 1
    return new_refresh_cookie(refreshed)


def _wrong_login(client: TestClient) -> httpx2.Response:
    email = f"nobody-{uuid.uuid4().hex[:10]}@example.test"  # a new account each time: no lockout
    return client.post("/api/auth/login", json={"email": email, "password": "not the password"})


def test_500_page_loads_of_one_user_never_hit_the_limit(
    office: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    refresh = sign_in(office, user.email).refresh
    statuses: Counter[int] = Counter()
    for _ in range(500):
        refresh = _page_load(office, refresh, statuses)
    assert statuses == Counter({200: 1500})


def test_20_users_behind_one_address_never_hit_the_limit(
    office: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    users = [create_user(app_conn, "tenant_user", tenant=tenant_a) for _ in range(20)]
    cookies = [sign_in(office, u.email).refresh for u in users]
    statuses: Counter[int] = Counter()
    for _ in range(10):
        cookies = [_page_load(office, cookie, statuses) for cookie in cookies]
    assert statuses == Counter({200: 600})


def test_60_wrong_passwords_from_one_address_are_throttled_but_not_its_sessions(
    settings: Settings, office: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    with _client(settings, _ip(), **REALISTIC) as elsewhere:
        refresh = sign_in(elsewhere, user.email).refresh
    answers = [_wrong_login(office) for _ in range(60)]
    assert [a.status_code for a in answers] == [401] * 50 + [429] * 10
    waits = {int(a.headers["retry-after"]) for a in answers[50:]}
    assert all(0 < w <= 900 + 900 // 50 for w in waits)  # this window, and 1/50 of the next
    assert all(a.json()["retry_after"] == int(a.headers["retry-after"]) for a in answers[50:])
    # A colleague at the same address keeps browsing.
    statuses: Counter[int] = Counter()
    for _ in range(5):
        refresh = _page_load(office, refresh, statuses)
    assert statuses == Counter({200: 15})


def _seconds_until_accepted(client: TestClient, limit_after: float) -> float | None:
    """When (after now) the first request was sent that the limit let through."""
    started = time.monotonic()
    while (sent := time.monotonic() - started) < limit_after:
        if _wrong_login(client).status_code != 429:
            return sent  # not when it answered: argon2 runs after the throttle
        time.sleep(0.2)
    return None


def test_retry_after_is_the_true_wait(settings: Settings) -> None:
    window = 6
    with _client(
        settings, _ip(), login_rate_limit=2, auth_rate_limit=1000, rate_limit_window_seconds=window
    ) as client:
        refused = None
        for _ in range(12):
            answer = _wrong_login(client)
            if answer.status_code == 429:
                refused = answer
                break
        assert refused is not None, "never throttled"
        promised = int(refused.headers["retry-after"])
        # A sliding window: a full one slides out over the next, so the wait is under two.
        assert 0 < promised < 2 * window
        waited = _seconds_until_accepted(client, limit_after=4 * window)
        assert waited is not None, f"promised {promised} s; still refused after {4 * window} s"
        assert promised - 1.5 <= waited <= promised + 1.0, (promised, waited)


def test_a_session_is_bounded_on_its_own_and_a_refused_refresh_keeps_the_cookie(
    settings: Settings, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    window = 5
    limits = {"refresh_rate_limit": 3, "auth_rate_limit": 1000, "rate_limit_window_seconds": window}
    one, two = (create_user(app_conn, "tenant_user", tenant=tenant_a) for _ in range(2))
    with _client(settings, _ip(), **limits) as client:
        mine, theirs = sign_in(client, one.email).refresh, sign_in(client, two.email).refresh
        refused = None
        for _ in range(3 * 3):  # the window may roll over once while we spend the budget
            answer = refresh_with(client, mine)
            if answer.status_code == 429:
                refused = answer
                break
            assert answer.status_code == 200, answer.text
            mine = new_refresh_cookie(answer)
        assert refused is not None, "a session refreshed without bound"
        promised = int(refused.headers["retry-after"])
        assert 0 < promised < 2 * window
        assert refused.cookies.get("draxis_refresh") is None
        # The other session, same address, is not affected.
        assert refresh_with(client, theirs).status_code == 200
        time.sleep(promised)
        assert refresh_with(client, mine).status_code == 200  # the cookie was not spent


def test_browsing_requests_do_not_count_but_guessed_refresh_tokens_do(
    settings: Settings,
) -> None:
    with _client(settings, _ip(), auth_rate_limit=3) as client:
        assert {client.get("/api/auth/needs-setup").status_code for _ in range(10)} == {200}
        assert {client.post("/api/auth/refresh").status_code for _ in range(10)} == {401}
        assert {client.post("/api/auth/logout").status_code for _ in range(10)} == {204}
        guesses = [refresh_with(client, uuid.uuid4().hex).status_code for _ in range(4)]
        assert guesses == [401, 401, 401, 429]


def test_a_refused_refresh_says_why(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    """The sign-in page tells the person why they are there; the refresh's 401 carries it."""
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    first = sign_in(client, user.email).refresh
    rotated = refresh_with(client, first)
    assert rotated.status_code == 200
    replayed = refresh_with(client, first)
    assert replayed.status_code == 401
    assert replayed.json()["type"] == "https://draxis.dev/problems/session-replayed"
    ended = refresh_with(client, new_refresh_cookie(rotated))
    assert ended.status_code == 401
    assert ended.json()["type"] == "https://draxis.dev/problems/session-ended"
    client.cookies.clear()
    missing = client.post("/api/auth/refresh")
    assert (missing.status_code, missing.json()["type"]) == (401, "about:blank")


# What a browser calls on its own (page loads, sign-out, key discovery): never the IP's budget.
UNMETERED = {
    ("GET", "/api/auth/needs-setup"),
    ("POST", "/api/auth/refresh"),  # bounded per session; an unknown token counts per IP
    ("POST", "/api/auth/logout"),
    ("GET", "/api/auth/jwks.json"),
}


def _calls(dependant: Dependant) -> list[object]:
    return [c for d in dependant.dependencies for c in (d.call, *_calls(d))]


def test_every_other_auth_route_spends_the_ip_budget(client: TestClient) -> None:
    """A new route under /api/auth is metered unless it is deliberately listed above."""
    routes = {
        (method, route.path): auth_limit in _calls(route.dependant)
        for route in flatten_routes(client.app.routes)  # type: ignore[attr-defined]
        if route.path.startswith("/api/auth/")
        for method in route.methods or ()
    }
    assert set(routes) >= UNMETERED
    assert {r for r, metered in routes.items() if not metered} == UNMETERED
