"""A 2xx means the write is committed: the caller's next request sees it, every time.

Served by uvicorn on a loopback port and called over a real socket (the TestClient runs the app
in step with its caller and hides the race): each kind of write is followed at once by a read,
hundreds of times, and no read may see the state from before the write.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from connectors import registry
from connectors.base import ConnectorContext, ProbeResult
from draxis.db.roles import DbRole
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.api.test_integrations_api import FakeConnector, fake_body
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture
from tests.identity import bearer, create_carrier, create_user, login
from tests.live import serving

ROUNDS = 200


@pytest.fixture
def api(settings: Settings) -> Iterator[httpx.Client]:
    """The API as `draxis serve` runs it (uvicorn on loopback), and a keep-alive client for it."""
    with serving(settings) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def _login(api: httpx.Client, email: str) -> dict[str, str]:
    response = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return bearer(str(response.json()["access_token"]))


def _ok(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


def _assert_none_stale(**stale: int) -> None:
    seen = {kind: f"{count}/{ROUNDS}" for kind, count in stale.items() if count}
    assert seen == {}, f"reads that saw the state from before the write: {seen}"


def test_a_patch_is_seen_by_the_next_get(api: httpx.Client, tenant_a: TenantFixture) -> None:
    admin = _login(api, tenant_a.user_email)
    kri = _ok(api.get("/api/kris", headers=admin, params={"limit": 1}), 200)["items"][0]
    risk = _ok(api.post("/api/risks", headers=admin, json={"slug": "rk", "title": "R"}), 201)
    stale_kri = stale_risk = 0
    for i in range(ROUNDS):
        name = f"KRI name {i}"
        _ok(api.patch(f"/api/kris/{kri['id']}", headers=admin, json={"name": name}), 200)
        stale_kri += _ok(api.get(f"/api/kris/{kri['id']}", headers=admin), 200)["name"] != name
        title = f"Risk title {i}"
        _ok(api.patch(f"/api/risks/{risk['id']}", headers=admin, json={"title": title}), 200)
        seen = _ok(api.get(f"/api/risks/{risk['id']}", headers=admin), 200)
        stale_risk += seen["title"] != title
    _assert_none_stale(kri_patch_then_get=stale_kri, risk_patch_then_get=stale_risk)


def test_a_create_and_a_delete_are_seen_by_the_next_get(
    api: httpx.Client, tenant_a: TenantFixture
) -> None:
    admin = _login(api, tenant_a.user_email)
    missing_after_create = found_after_delete = 0
    for i in range(ROUNDS):
        body = {"slug": f"risk_{i}", "title": f"Risk {i}"}
        created = _ok(api.post("/api/risks", headers=admin, json=body), 201)
        path = f"/api/risks/{created['id']}"
        missing_after_create += api.get(path, headers=admin).status_code != 200
        # Wait until it is there: the delete must find it, whatever the read above saw.
        while api.delete(path, headers=admin).status_code != 204:
            time.sleep(0.01)
        found_after_delete += api.get(path, headers=admin).status_code != 404
    _assert_none_stale(post_then_get=missing_after_create, delete_then_get=found_after_delete)


def test_a_revoked_consent_is_seen_by_the_carrier_at_once(
    api: httpx.Client, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    carrier = create_carrier(app_conn)
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "insert into carrier.insured_tenants (carrier_id, tenant_id) values (%s, %s)",
            (carrier, tenant_a.id),
        )
    underwriter = _login(api, create_user(app_conn, "carrier_user", carrier_id=carrier).email)
    admin = _login(api, tenant_a.user_email)
    consent = f"/api/tenant/carriers/{carrier}/consent"
    stale_revoke = stale_grant = 0
    for _ in range(ROUNDS):
        _ok(api.delete(consent, headers=admin), 204)
        insureds = _ok(api.get("/api/carrier/insureds", headers=underwriter), 200)
        stale_revoke += insureds != []
        _ok(api.put(consent, headers=admin), 204)
        insureds = _ok(api.get("/api/carrier/insureds", headers=underwriter), 200)
        stale_grant += [i["tenant_id"] for i in insureds] != [str(tenant_a.id)]
    _assert_none_stale(revoke_then_carrier_read=stale_revoke, grant_then_carrier_read=stale_grant)


def test_a_stopped_impersonation_token_is_refused_at_once(
    api: httpx.Client, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    master = _login(api, create_user(app_conn, "master_admin", tenant=tenant_a).email)
    start = f"/api/orgs/{tenant_a.org_id}/tenants/{tenant_a.id}/impersonate"
    refused_after_start = working_after_stop = 0
    for _ in range(ROUNDS):
        acting = bearer(str(_ok(api.post(start, headers=master), 201)["access_token"]))
        refused_after_start += api.get("/api/me", headers=acting).status_code != 200
        while api.post("/api/auth/impersonation/stop", headers=acting).status_code != 204:
            time.sleep(0.01)  # until the session is there to stop, whatever the read saw
        working_after_stop += api.get("/api/me", headers=acting).status_code != 401
    _assert_none_stale(start_then_use=refused_after_start, stop_then_use=working_after_stop)


def test_a_source_change_is_seen_by_the_next_read(
    api: httpx.Client, tenant_a: TenantFixture
) -> None:
    admin = _login(api, tenant_a.user_email)
    path = f"/api/sources/{tenant_a.source_id}"
    stale = 0
    for i in range(ROUNDS):
        profile = ("healthy", "poor")[i % 2]
        body = {"name": f"Demo {i}", "config": {"profile": profile}}
        _ok(api.patch(path, headers=admin, json=body), 200)
        seen = _ok(api.get(path, headers=admin), 200)
        stale += (seen["name"], seen["config"]["profile"]) != (f"Demo {i}", profile)
    _assert_none_stale(source_patch_then_get=stale)


@pytest.fixture
def refused_at_commit(observer_conn: Conn) -> Iterator[str]:
    """A deferred constraint on risks that fails at COMMIT, for one title; dropped afterwards."""
    title = "refused at commit"
    observer_conn.execute(
        "create function tenant.test_refuse_at_commit() returns trigger language plpgsql as"
        " $$ begin raise exception 'refused at commit' using errcode = 'check_violation'; end $$"
    )
    observer_conn.execute(
        "create constraint trigger test_refuse_at_commit after insert or update on tenant.risk"
        " deferrable initially deferred for each row"
        f" when (new.title = '{title}') execute function tenant.test_refuse_at_commit()"
    )
    try:
        yield title
    finally:
        observer_conn.execute("drop trigger test_refuse_at_commit on tenant.risk")
        observer_conn.execute("drop function tenant.test_refuse_at_commit()")


def test_a_commit_that_fails_answers_an_error_and_keeps_nothing(
    api: httpx.Client, tenant_a: TenantFixture, refused_at_commit: str
) -> None:
    admin = _login(api, tenant_a.user_email)
    risk = _ok(api.post("/api/risks", headers=admin, json={"slug": "rk", "title": "Before"}), 201)
    patched = api.patch(
        f"/api/risks/{risk['id']}", headers=admin, json={"title": refused_at_commit}
    )
    assert patched.status_code == 409, patched.text
    assert patched.headers["content-type"] == "application/problem+json"
    assert _ok(api.get(f"/api/risks/{risk['id']}", headers=admin), 200)["title"] == "Before"
    created = api.post("/api/risks", headers=admin, json={"slug": "r2", "title": refused_at_commit})
    assert created.status_code == 409, created.text
    listed = _ok(api.get("/api/risks", headers=admin), 200)
    assert [r["slug"] for r in listed["items"]] == ["rk"]


@dataclass
class WatchedProbe(FakeConnector):
    """A vendor whose probe notes how many API transactions stand open while it waits."""

    observer: Conn | None = None
    open_transactions: list[int] = field(default_factory=list)

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        assert self.observer is not None
        row = self.observer.execute(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and usename = %s and state like 'idle in transaction%%'",
            (DbRole.APP.value,),
        ).fetchone()
        assert row is not None
        self.open_transactions.append(int(row[0]))
        return ProbeResult(True, "fake: reached")


def test_a_connector_probe_holds_no_transaction_open(
    client: TestClient,
    tenant_a: TenantFixture,
    observer_conn: Conn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = WatchedProbe(observer=observer_conn)
    monkeypatch.setitem(registry.REGISTRY, probe.vendor_id, probe)
    admin = bearer(login(client, tenant_a.user_email)["access_token"])
    source = client.post("/api/sources", headers=admin, json=fake_body())
    assert source.status_code == 201, source.text
    for _ in range(3):
        tested = client.post(f"/api/sources/{source.json()['id']}/test", headers=admin)
        assert tested.status_code == 200, tested.text
        assert tested.json()["ok"] is True
    assert probe.open_transactions == [0, 0, 0]
