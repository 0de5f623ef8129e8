"""Webhook endpoints over the API: the secret shown once and stored sealed, URL rules, rotation,
a test event and redelivery through the delivery log; tenant admins only, own tenant only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.notify.worker import deliver_due
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.notify.servers import Receiver, webhook_receiver
from tests.security.helpers import sign_in

LOCAL = ["127.0.0.1/32"]


@pytest.fixture
def local(settings: Settings) -> Iterator[Settings]:
    """The app and the worker allowed to reach 127.0.0.1 (as an operator's allow-list would)."""
    previous = settings.connector_allowed_networks
    settings.connector_allowed_networks = LOCAL
    try:
        yield settings
    finally:
        settings.connector_allowed_networks = previous


def _admin(client: TestClient, tenant: TenantFixture) -> dict[str, str]:
    return bearer(sign_in(client, tenant.user_email).access)


def test_secret_is_shown_once_and_stored_sealed(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    h = _admin(client, tenant_a)
    created = client.post(
        "/api/tenant/webhooks",
        json={"url": "https://hooks.example.com/draxis", "events": ["kri.turned_red"]},
        headers=h,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    listed = client.get("/api/tenant/webhooks", headers=h).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    row = observer_conn.execute(
        "select secret_sealed from tenant.webhook_endpoint where id = %s", (body["id"],)
    ).fetchone()
    assert row is not None
    assert body["secret"].encode() not in bytes(row[0])
    assert body["secret"][6:].encode() not in bytes(row[0])

    rotated = client.post(f"/api/tenant/webhooks/{body['id']}/rotate-secret", headers=h)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in (body["secret"], None)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/x",
        "http://hooks.example.com/x",
        "https://10.1.2.3/x",
        "https://127.0.0.1/x",
        "https://169.254.169.254/latest",
        "https://user:pw@hooks.example.com/x",
        "https://0x7f.1/x",
        "not a url at all",
    ],
)
def test_urls_the_guard_would_refuse_are_refused(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, url: str
) -> None:
    response = client.post(
        "/api/tenant/webhooks", json={"url": url}, headers=_admin(client, tenant_a)
    )
    assert response.status_code == 422, response.text
    count = observer_conn.execute(
        "select count(*) from tenant.webhook_endpoint where tenant_id = %s", (tenant_a.id,)
    ).fetchone()
    assert count == (0,)


def test_test_event_redelivery_and_the_delivery_log(
    local: Settings, client: TestClient, database: DraxisDatabase, tenant_a: TenantFixture
) -> None:
    h = _admin(client, tenant_a)
    with webhook_receiver(Receiver(statuses=[500])) as receiver:
        created = client.post("/api/tenant/webhooks", json={"url": receiver.url}, headers=h)
        assert created.status_code == 201, created.text
        endpoint = created.json()
        receiver.secret = endpoint["secret"]
        queued = client.post(f"/api/tenant/webhooks/{endpoint['id']}/test", headers=h)
        assert queued.status_code == 202
        assert queued.json()["status"] == "pending"
        at = datetime.now(UTC)
        for _ in range(8):
            deliver_due(database, local, now=at)
            at += timedelta(hours=13)
        [failed] = client.get(f"/api/tenant/webhooks/{endpoint['id']}/deliveries", headers=h).json()
        assert failed["status"] == "failed"
        assert [a["status_code"] for a in failed["log"]] == [500] * 6
        assert failed["log"][0]["next_attempt_at"] is not None
        assert failed["log"][-1]["outcome"] == "failed"

        receiver.statuses = [200]
        receiver.requests.clear()
        path = f"/api/tenant/webhooks/{endpoint['id']}/deliveries/{failed['id']}/redeliver"
        assert client.post(path, headers=h).status_code == 202
        deliver_due(database, local)
        assert client.post(path, headers=h).status_code == 409  # sent: nothing to redeliver
    [payload] = receiver.verified()
    assert payload["type"] == "webhook.test"
    [sent] = client.get(f"/api/tenant/webhooks/{endpoint['id']}/deliveries", headers=h).json()
    assert sent["status"] == "sent"
    assert sent["log"][-1]["status_code"] == 200
    assert sent["log"][-1]["response_excerpt"] == "received"


def test_only_tenant_admins_of_the_tenant(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    h = _admin(client, tenant_a)
    endpoint = client.post(
        "/api/tenant/webhooks", json={"url": "https://hooks.example.com/a"}, headers=h
    ).json()
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    mh = bearer(sign_in(client, member.email).access)
    assert client.get("/api/tenant/webhooks", headers=mh).status_code == 403
    other = _admin(client, tenant_b)
    assert client.get("/api/tenant/webhooks", headers=other).json() == []
    for method, path in (
        ("GET", f"/api/tenant/webhooks/{endpoint['id']}/deliveries"),
        ("POST", f"/api/tenant/webhooks/{endpoint['id']}/test"),
        ("POST", f"/api/tenant/webhooks/{endpoint['id']}/rotate-secret"),
        ("DELETE", f"/api/tenant/webhooks/{endpoint['id']}"),
    ):
        assert client.request(method, path, headers=other).status_code == 404, path
    assert client.delete(f"/api/tenant/webhooks/{endpoint['id']}", headers=h).status_code == 204
