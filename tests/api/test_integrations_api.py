"""The integrations API: catalog, sources with sealed credentials, Test, Run now, run history."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

import api.routes.integrations_probe as integrations_probe
import api.sources as integrations_models
from connectors import registry
from connectors.base import (
    AuthType,
    ConfigField,
    ConnectorContext,
    KriSpec,
    ProbeResult,
    RunResult,
    SourceType,
)
from connectors.credentials import open_credentials
from connectors.demo import CATALOG
from connectors.errors import AuthFailed
from draxis.db.scope import scoped_transaction
from draxis.security.crypto import SealError
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, count_rows, create_user, login

TOKEN = "tok-SECRET-4d2f9a71"
CLIENT_SECRET = "cs-SECRET-88e1b0c2"
VENDOR = "fake-vendor"


@dataclass
class FakeConnector:
    """A vendor connector with a secret, a url and an integer field, whose probe records the
    credentials it was given and answers as `mode` says."""

    vendor_id: str = VENDOR
    source_type: SourceType = "vendor_api"
    display_name: str = "Fake Vendor"
    auth_type: AuthType = "api_key"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = (
        ConfigField("api_url", "API URL", kind="url"),
        ConfigField("page_size", "Page size", kind="integer", required=False),
        ConfigField("api_token", "API token", kind="secret"),
        ConfigField("client_secret", "Client secret", kind="secret"),
    )
    kris: tuple[KriSpec, ...] = (
        KriSpec("fake_new_kri", "Fake new", "count", "higher_is_worse", 3, 7, "Counted."),
        KriSpec("fake_unwired_kri", "Fake unwired", "%", "lower_is_worse", 90, 80, "Ratio."),
        # The demo source already feeds this one: it must stay the demo's.
        KriSpec("mfa_adoption_pct", "MFA (fake)", "%", "lower_is_worse", 50, 40, "Ratio."),
    )
    mode: str = "ok"
    seen: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        self.seen.append(dict(ctx.credentials))
        if self.mode == "auth":
            raise AuthFailed("fake: 401 Unauthorized on GET /api/me", status=401)
        if self.mode == "crash":
            raise RuntimeError(f"unexpected, with {ctx.credentials.get('api_token')}")
        if self.mode == "slow":
            self.release.wait(5)
            return ProbeResult(True, "too late")
        if self.mode == "bad":
            return ProbeResult(False, "fake: the org has no users endpoint")
        return ProbeResult(True, f"fake: reached {ctx.config.get('api_url')}")

    def run(self, ctx: ConnectorContext) -> RunResult:
        raise AssertionError("the API never runs a connector (only the pipeline does)")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeConnector]:
    connector = FakeConnector()
    # The route modules import the registry's dict by name: one object, patched for both.
    assert vars(integrations_models)["REGISTRY"] is registry.REGISTRY
    monkeypatch.setitem(registry.REGISTRY, VENDOR, connector)
    yield connector
    connector.release.set()


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture) -> dict[str, str]:
    return bearer(login(client, tenant_a.user_email)["access_token"])


@pytest.fixture
def reader(client: TestClient, app_conn: Conn, tenant_a: TenantFixture) -> dict[str, str]:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    return bearer(login(client, user.email)["access_token"])


def fake_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "vendor_id": VENDOR,
        "name": "Fake (production)",
        "schedule": "daily",
        "config": {"api_url": "https://fake.example.com/", "page_size": "25"},
        "credentials": {"api_token": TOKEN, "client_secret": CLIENT_SECRET},
    }
    body.update(overrides)
    return body


def create_fake(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/sources", headers=headers, json=fake_body(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def audit_actions(observer: Conn, tenant: TenantFixture, target: str) -> list[str]:
    rows = observer.execute(
        "select action from tenant.audit_log where tenant_id = %s and target_id = %s order by at",
        (tenant.id, target),
    ).fetchall()
    return [str(r[0]) for r in rows]


def audit_details(observer: Conn, tenant: TenantFixture) -> str:
    rows = observer.execute(
        "select detail::text from tenant.audit_log where tenant_id = %s", (tenant.id,)
    ).fetchall()
    return "\n".join(str(r[0]) for r in rows)


COUNTED = ("tenant.kri_source", "tenant.kri", "tenant.audit_log", "tenant.run_request")


def counts(observer: Conn) -> dict[str, int]:
    return {t: count_rows(observer, t) for t in COUNTED}


# Catalog and permissions -------------------------------------------------------------------


def test_catalog_lists_demo_with_its_fields_and_kris(
    client: TestClient, reader: dict[str, str]
) -> None:
    response = client.get("/api/integrations/catalog", headers=reader)
    assert response.status_code == 200
    entries = {e["vendor_id"]: e for e in response.json()}
    demo = entries["demo"]
    assert demo["display_name"] == "Demo data"
    assert demo["config_fields"] == [
        {
            "name": "profile",
            "label": "Profile",
            "kind": "choice",
            "required": True,
            "secret": False,
            "help": "How close to its thresholds each KRI sits.",
            "default": "mixed",
            "choices": ["healthy", "mixed", "poor"],
        },
        {
            "name": "silent_kris",
            "label": "Stopped feeds",
            "kind": "string",
            "required": False,
            "secret": False,
            "help": "KRI slugs, separated by commas, whose feed has stopped (they go stale).",
            "default": None,
            "choices": [],
        },
        {
            "name": "silent_days",
            "label": "Days since the feeds stopped",
            "kind": "integer",
            "required": False,
            "secret": False,
            "help": "How long ago the stopped feeds sent their last value.",
            "default": None,
            "choices": [],
        },
    ]
    assert [k["slug"] for k in demo["kris"]] == [k.slug for k in CATALOG]
    first = demo["kris"][0]
    assert (first["warn"], first["critical"], first["direction"]) == (
        CATALOG[0].warn,
        CATALOG[0].critical,
        CATALOG[0].direction,
    )
    assert list(entries) == sorted(entries)


def test_catalog_shows_a_secret_field_as_secret(
    client: TestClient, reader: dict[str, str], fake: FakeConnector
) -> None:
    entries = {
        e["vendor_id"]: e for e in client.get("/api/integrations/catalog", headers=reader).json()
    }
    fields = {f["name"]: f for f in entries[VENDOR]["config_fields"]}
    assert fields["api_token"]["secret"] is True
    assert fields["api_url"]["secret"] is False


def test_tenant_user_reads_but_cannot_change_anything(
    client: TestClient,
    reader: dict[str, str],
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    observer_conn: Conn,
) -> None:
    source = tenant_a.source_id
    assert client.get("/api/sources", headers=reader).status_code == 200
    assert client.get(f"/api/sources/{source}", headers=reader).status_code == 200
    assert client.get(f"/api/sources/{source}/runs", headers=reader).status_code == 200
    before = counts(observer_conn)
    denied = [
        client.post("/api/sources", headers=reader, json=fake_body()),
        client.patch(f"/api/sources/{source}", headers=reader, json={"name": "x"}),
        client.delete(f"/api/sources/{source}", headers=reader),
        client.post(f"/api/sources/{source}/test", headers=reader),
        client.post(f"/api/sources/{source}/run", headers=reader),
    ]
    assert [r.status_code for r in denied] == [403] * 5
    assert counts(observer_conn) == before
    assert fake.seen == []
    # The admin may.
    assert client.post(f"/api/sources/{source}/test", headers=admin).json()["ok"] is True


def test_no_token_no_access(client: TestClient, tenant_a: TenantFixture) -> None:
    assert client.get("/api/integrations/catalog").status_code == 401
    assert client.get("/api/sources").status_code == 401


# Create ------------------------------------------------------------------------------------


def test_create_seals_credentials_and_never_returns_them(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    observer_conn: Conn,
    settings: Settings,
) -> None:
    response = client.post("/api/sources", headers=admin, json=fake_body())
    assert response.status_code == 201, response.text
    assert TOKEN not in response.text
    assert CLIENT_SECRET not in response.text
    created = response.json()
    assert created["credentials_set"] == ["api_token", "client_secret"]
    assert created["config"] == {"api_url": "https://fake.example.com", "page_size": 25}
    assert created["vendor_id"] == VENDOR
    assert created["source_type"] == "vendor_api"
    assert created["schedule"] == "daily"
    assert created["enabled"] is True
    assert created["next_run_at"] is not None  # a scheduled source is due at once
    assert created["consecutive_failures"] == 0
    assert created["last_run_status"] is None
    for path in ("/api/sources", f"/api/sources/{created['id']}"):
        text = client.get(path, headers=admin).text
        assert TOKEN not in text
        assert CLIENT_SECRET not in text
    # At rest: sealed, not plaintext; the names alone are in the clear.
    row = observer_conn.execute(
        "select credentials, credential_names, config::text from tenant.kri_source where id = %s",
        (created["id"],),
    ).fetchone()
    assert row is not None
    sealed = bytes(row[0])
    assert TOKEN.encode() not in sealed
    assert CLIENT_SECRET.encode() not in sealed
    assert b"api_token" not in sealed
    assert row[1] == ["api_token", "client_secret"]
    assert TOKEN not in row[2]
    source_id = UUID(created["id"])
    assert open_credentials(settings, tenant_a.id, source_id, sealed) == {
        "api_token": TOKEN,
        "client_secret": CLIENT_SECRET,
    }
    # Bound to its row: on another source or tenant it does not open.
    with pytest.raises(SealError):
        open_credentials(settings, tenant_a.id, tenant_a.source_id, sealed)
    with pytest.raises(SealError):
        open_credentials(settings, tenant_a.source_id, source_id, sealed)
    # Audited, without the secrets.
    assert audit_actions(observer_conn, tenant_a, created["id"]) == ["source.create"]
    details = audit_details(observer_conn, tenant_a)
    assert TOKEN not in details
    assert CLIENT_SECRET not in details


def test_a_sealed_blob_copied_to_another_source_does_not_open(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    app_conn: Conn,
) -> None:
    created = create_fake(client, admin)
    with scoped_transaction(app_conn, tenant_a.scope):
        # The demo source gets the fake's sealed credentials; the fake source is then probed
        # with the demo's (none) — and the demo's copy must not open.
        app_conn.execute(
            "update tenant.kri_source set credentials = (select credentials from"
            " tenant.kri_source where id = %s) where id = %s",
            (created["id"], tenant_a.source_id),
        )
    refused = client.post(f"/api/sources/{tenant_a.source_id}/test", headers=admin)
    assert refused.status_code == 409
    assert "cannot be read" in refused.json()["detail"]


def test_create_wires_the_connectors_kris(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    app_conn: Conn,
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "insert into tenant.kri (tenant_id, slug, name, unit, direction, warn, critical)"
            " values (%s, 'fake_unwired_kri', 'Mine', '%%', 'lower_is_worse', 99, 97)",
            (tenant_a.id,),
        )
    created = create_fake(client, admin)
    assert created["kri_count"] == 2
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        rows = app_conn.execute(
            "select slug, name, unit, direction, warn, critical, source_id from tenant.kri"
            " where slug in ('fake_new_kri', 'fake_unwired_kri', 'mfa_adoption_pct')"
            " order by slug"
        ).fetchall()
    source = UUID(created["id"])
    assert [tuple(r) for r in rows] == [
        ("fake_new_kri", "Fake new", "count", "higher_is_worse", 3, 7, source),
        # The tenant's own thresholds and name stay; only the wiring changes.
        ("fake_unwired_kri", "Mine", "%", "lower_is_worse", 99, 97, source),
        ("mfa_adoption_pct", next(k.name for k in CATALOG if k.slug == "mfa_adoption_pct"),
         "%", "lower_is_worse", 95, 90, tenant_a.source_id),
    ]  # fmt: skip


def test_invalid_forms_answer_one_422_listing_every_field_and_write_nothing(
    client: TestClient,
    admin: dict[str, str],
    fake: FakeConnector,
    observer_conn: Conn,
) -> None:
    before = counts(observer_conn)
    response = client.post(
        "/api/sources",
        headers=admin,
        json=fake_body(
            config={"api_url": "http://fake.example.com", "unknown": "x", "api_token": TOKEN},
            credentials={"client_secret": CLIENT_SECRET},
        ),
    )
    assert response.status_code == 422, response.text
    assert set(response.json()["errors"]) == {
        "config.api_url",
        "config.unknown",
        "config.api_token",
        "credentials.api_token",
    }
    assert TOKEN not in response.text
    assert CLIENT_SECRET not in response.text
    missing = client.post("/api/sources", headers=admin, json=fake_body(config={}, credentials={}))
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {
        "config.api_url",
        "credentials.api_token",
        "credentials.client_secret",
    }
    bad_integer = client.post(
        "/api/sources",
        headers=admin,
        json=fake_body(config={"api_url": "https://f.example", "page_size": "many"}),
    )
    assert bad_integer.status_code == 422
    assert bad_integer.json()["errors"] == {"config.page_size": "must be a whole number"}
    unknown = client.post("/api/sources", headers=admin, json=fake_body(vendor_id="no-such-vendor"))
    assert unknown.status_code == 422
    assert "no-such-vendor" in unknown.json()["detail"]
    extra = client.post("/api/sources", headers=admin, json={**fake_body(), "tenant_id": "x"})
    assert extra.status_code == 422
    assert counts(observer_conn) == before


def test_a_second_source_of_a_vendor_is_refused_and_writes_nothing(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    observer_conn: Conn,
) -> None:
    create_fake(client, admin)
    before = counts(observer_conn)
    again = client.post("/api/sources", headers=admin, json=fake_body(name="Another"))
    assert again.status_code == 409
    demo = client.post(
        "/api/sources", headers=admin, json={"vendor_id": "demo", "name": "Demo again"}
    )
    assert demo.status_code == 409
    assert counts(observer_conn) == before


def test_another_tenant_may_have_the_same_vendor(
    client: TestClient,
    admin: dict[str, str],
    tenant_b: TenantFixture,
    fake: FakeConnector,
) -> None:
    create_fake(client, admin)
    other = bearer(login(client, tenant_b.user_email)["access_token"])
    mine = create_fake(client, other)
    listed = client.get("/api/sources", headers=other).json()
    assert {s["id"] for s in listed} == {mine["id"], str(tenant_b.source_id)}


# Patch -------------------------------------------------------------------------------------


def test_replacing_one_secret_keeps_the_others(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    observer_conn: Conn,
) -> None:
    created = create_fake(client, admin)
    path = f"/api/sources/{created['id']}"
    patched = client.patch(path, headers=admin, json={"credentials": {"api_token": "tok-NEW-1"}})
    assert patched.status_code == 200, patched.text
    assert "tok-NEW-1" not in patched.text
    assert patched.json()["credentials_set"] == ["api_token", "client_secret"]
    assert client.post(f"{path}/test", headers=admin).json()["ok"] is True
    assert fake.seen[-1] == {"api_token": "tok-NEW-1", "client_secret": CLIENT_SECRET}
    # A config-only patch keeps every secret and the other config values.
    patched = client.patch(path, headers=admin, json={"config": {"page_size": 10}})
    assert patched.json()["config"] == {"api_url": "https://fake.example.com", "page_size": 10}
    client.post(f"{path}/test", headers=admin)
    assert fake.seen[-1] == {"api_token": "tok-NEW-1", "client_secret": CLIENT_SECRET}
    assert audit_actions(observer_conn, tenant_a, created["id"]) == [
        "source.create",
        "source.update",
        "source.test",
        "source.update",
        "source.test",
    ]
    assert "tok-NEW-1" not in audit_details(observer_conn, tenant_a)


def test_patch_validates_like_create_and_writes_nothing_on_422(
    client: TestClient, admin: dict[str, str], fake: FakeConnector, observer_conn: Conn
) -> None:
    created = create_fake(client, admin)
    path = f"/api/sources/{created['id']}"
    before = counts(observer_conn)
    refused = client.patch(
        path,
        headers=admin,
        json={
            "name": "Renamed",
            "config": {"api_url": "https://u:p@fake.example.com", "api_token": "x"},
            "credentials": {"api_url": "https://x.example", "client_secret": " "},
        },
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {
        "config.api_url",
        "config.api_token",
        "credentials.api_url",
        "credentials.client_secret",
    }
    assert counts(observer_conn) == before
    assert client.get(path, headers=admin).json()["name"] == "Fake (production)"


def test_schedule_changes_move_next_run_at(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    observer_conn: Conn,
) -> None:
    created = create_fake(client, admin)
    path = f"/api/sources/{created['id']}"
    manual = client.patch(path, headers=admin, json={"schedule": "manual"}).json()
    assert manual["schedule"] == "manual"
    assert manual["next_run_at"] is None
    hourly = client.patch(path, headers=admin, json={"schedule": "hourly"}).json()
    assert hourly["next_run_at"] is not None
    disabled = client.patch(path, headers=admin, json={"enabled": False, "name": "Off"}).json()
    assert (disabled["enabled"], disabled["name"]) == (False, "Off")
    row = observer_conn.execute(
        "select detail from tenant.audit_log where tenant_id = %s and target_id = %s"
        " and action = 'source.update' order by at",
        (tenant_a.id, created["id"]),
    ).fetchall()
    assert [r[0].get("schedule") for r in row] == ["manual", "hourly", None]
    assert row[-1][0]["enabled"] is False
    assert row[-1][0]["name"] == "Off"


def test_other_tenants_sources_are_404(
    client: TestClient,
    admin: dict[str, str],
    tenant_b: TenantFixture,
    observer_conn: Conn,
) -> None:
    other = tenant_b.source_id
    before = counts(observer_conn)
    assert client.get(f"/api/sources/{other}", headers=admin).status_code == 404
    assert (
        client.patch(f"/api/sources/{other}", headers=admin, json={"name": "x"}).status_code == 404
    )
    assert client.delete(f"/api/sources/{other}", headers=admin).status_code == 404
    assert client.post(f"/api/sources/{other}/test", headers=admin).status_code == 404
    assert client.post(f"/api/sources/{other}/run", headers=admin).status_code == 404
    assert client.get(f"/api/sources/{other}/runs", headers=admin).status_code == 404
    assert counts(observer_conn) == before
    row = observer_conn.execute(
        "select name from tenant.kri_source where id = %s", (other,)
    ).fetchone()
    assert row is not None
    assert row[0] == "Demo data"


# Delete ------------------------------------------------------------------------------------


def test_delete_keeps_kris_and_their_history(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    app_conn: Conn,
    observer_conn: Conn,
) -> None:
    source = tenant_a.source_id
    with scoped_transaction(app_conn, tenant_a.scope):
        kri = app_conn.execute(
            "select id from tenant.kri where source_id = %s limit 1", (source,)
        ).fetchone()
        assert kri is not None
        app_conn.execute(
            "insert into tenant.kri_observation (tenant_id, kri_id, observed_at, value, source_id)"
            " values (%s, %s, now(), 3, %s)",
            (tenant_a.id, kri[0], source),
        )
    # A pending request and a run record go with the source.
    assert client.post(f"/api/sources/{source}/run", headers=admin).status_code == 202
    kris_before = count_rows(observer_conn, "tenant.kri")
    response = client.delete(f"/api/sources/{source}", headers=admin)
    assert response.status_code == 204
    assert client.get(f"/api/sources/{source}", headers=admin).status_code == 404
    assert count_rows(observer_conn, "tenant.kri") == kris_before
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        unwired = app_conn.execute(
            "select count(*) from tenant.kri where source_id is null"
        ).fetchone()
        observed = app_conn.execute("select count(*) from tenant.kri_observation").fetchone()
        requests = app_conn.execute("select count(*) from tenant.run_request").fetchone()
    assert unwired is not None
    assert unwired[0] == len(tenant_a.kri_slugs)
    assert observed is not None
    assert observed[0] == 1
    assert requests is not None
    assert requests[0] == 0
    assert audit_actions(observer_conn, tenant_a, str(source)) == [
        "source.run_now",
        "source.delete",
    ]


# Test (probe) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "ok", "message"),
    [
        ("ok", True, "fake: reached https://fake.example.com"),
        ("bad", False, "fake: the org has no users endpoint"),
        ("auth", False, "fake: 401 Unauthorized on GET /api/me"),
        ("crash", False, "The Fake Vendor connector failed unexpectedly."),
    ],
)
def test_probe_outcomes_are_answered_and_audited(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    observer_conn: Conn,
    mode: str,
    ok: bool,
    message: str,
) -> None:
    created = create_fake(client, admin)
    fake.mode = mode
    response = client.post(f"/api/sources/{created['id']}/test", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["ok"], body["message"]) == (ok, message)
    assert body["elapsed_ms"] >= 0
    assert TOKEN not in response.text
    # The probe got the decrypted credentials.
    assert fake.seen == [{"api_token": TOKEN, "client_secret": CLIENT_SECRET}]
    row = observer_conn.execute(
        "select detail from tenant.audit_log where tenant_id = %s and target_id = %s"
        " and action = 'source.test'",
        (tenant_a.id, created["id"]),
    ).fetchone()
    assert row is not None
    assert row[0] == {"ok": ok, "message": message}


def test_a_probe_that_hangs_answers_within_the_limit(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    fake: FakeConnector,
    observer_conn: Conn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(integrations_probe, "TEST_TIMEOUT_SECONDS", 0.2)
    created = create_fake(client, admin)
    fake.mode = "slow"
    response = client.post(f"/api/sources/{created['id']}/test", headers=admin)
    fake.release.set()
    body = response.json()
    assert body["ok"] is False
    assert "did not answer within" in body["message"]
    assert body["elapsed_ms"] < 3000
    assert audit_actions(observer_conn, tenant_a, created["id"])[-1] == "source.test"


def test_demo_probe(client: TestClient, admin: dict[str, str], tenant_a: TenantFixture) -> None:
    body = client.post(f"/api/sources/{tenant_a.source_id}/test", headers=admin).json()
    assert body["ok"] is True
    assert body["message"] == f"demo source ready ({len(CATALOG)} KRIs, profile mixed)"


# Run now -----------------------------------------------------------------------------------


def test_run_now_records_one_open_request(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    observer_conn: Conn,
) -> None:
    path = f"/api/sources/{tenant_a.source_id}/run"
    response = client.post(path, headers=admin)
    assert response.status_code == 202, response.text
    request = response.json()
    assert request["status"] == "pending"
    assert request["source_id"] == str(tenant_a.source_id)
    assert request["launched_at"] is None
    assert request["dagster_run_id"] is None
    again = client.post(path, headers=admin)
    assert again.status_code == 409
    fetched = client.get(f"/api/run-requests/{request['id']}", headers=admin)
    assert fetched.status_code == 200
    assert fetched.json() == request
    # Still open once launched.
    observer_conn.execute(
        "update tenant.run_request set status = 'launched' where id = %s", (request["id"],)
    )
    assert client.post(path, headers=admin).status_code == 409
    # Finished: a new click is a new request.
    observer_conn.execute(
        "update tenant.run_request set status = 'succeeded' where id = %s", (request["id"],)
    )
    second = client.post(path, headers=admin)
    assert second.status_code == 202
    assert second.json()["id"] != request["id"]
    assert audit_actions(observer_conn, tenant_a, str(tenant_a.source_id)) == [
        "source.run_now",
        "source.run_now",
    ]
    row = observer_conn.execute(
        "select requested_by from tenant.run_request where id = %s", (request["id"],)
    ).fetchone()
    assert row is not None
    assert row[0] is not None


def test_run_now_refuses_a_disabled_source(
    client: TestClient, admin: dict[str, str], tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    path = f"/api/sources/{tenant_a.source_id}"
    assert client.patch(path, headers=admin, json={"enabled": False}).status_code == 200
    before = count_rows(observer_conn, "tenant.run_request")
    refused = client.post(f"{path}/run", headers=admin)
    assert refused.status_code == 409
    assert "disabled" in refused.json()["detail"]
    assert count_rows(observer_conn, "tenant.run_request") == before


def test_other_tenants_requests_are_404(
    client: TestClient, admin: dict[str, str], tenant_b: TenantFixture
) -> None:
    other = bearer(login(client, tenant_b.user_email)["access_token"])
    request = client.post(f"/api/sources/{tenant_b.source_id}/run", headers=other).json()
    assert client.get(f"/api/run-requests/{request['id']}", headers=other).status_code == 200
    assert client.get(f"/api/run-requests/{request['id']}", headers=admin).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/api/run-requests/{missing}", headers=admin).status_code == 404


# Runs --------------------------------------------------------------------------------------


def add_runs(conn: Conn, tenant: TenantFixture, n: int) -> list[str]:
    """`n` finished runs of the tenant's demo source, one minute apart, oldest first."""
    ids: list[str] = []
    with scoped_transaction(conn, tenant.scope):
        for i in range(n):
            row = conn.execute(
                "insert into tenant.source_run (tenant_id, source_id, status, started_at,"
                " finished_at, rows_written, trigger, warnings, items_summary, fetch_ms, write_ms)"
                " values (%s, %s, 'succeeded', now() - make_interval(mins => %s), now(), %s,"
                " 'schedule', %s, %s, 12, 34) returning id",
                (
                    tenant.id,
                    tenant.source_id,
                    n - i,
                    i,
                    [f"warning {i}"],
                    json.dumps({"observations": i}),
                ),
            ).fetchone()
            assert row is not None
            ids.append(str(row[0]))
    return ids


def test_runs_are_paginated_newest_first_and_tenant_private(
    client: TestClient,
    admin: dict[str, str],
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    pipeline_conn: Conn,
) -> None:
    ids = add_runs(pipeline_conn, tenant_a, 5)
    newest_first = list(reversed(ids))
    path = f"/api/sources/{tenant_a.source_id}/runs"
    first = client.get(path, headers=admin, params={"limit": 2}).json()
    assert (first["total"], first["limit"], first["offset"]) == (5, 2, 0)
    assert [r["id"] for r in first["items"]] == newest_first[:2]
    last = client.get(path, headers=admin, params={"limit": 2, "offset": 4}).json()
    assert [r["id"] for r in last["items"]] == newest_first[4:]
    beyond = client.get(path, headers=admin, params={"offset": 50}).json()
    assert (beyond["items"], beyond["total"]) == ([], 5)
    assert client.get(path, headers=admin, params={"limit": 0}).status_code == 422
    assert client.get(path, headers=admin, params={"limit": 201}).status_code == 422
    run = client.get(f"/api/runs/{ids[3]}", headers=admin)
    assert run.status_code == 200
    body = run.json()
    assert body["warnings"] == ["warning 3"]
    assert body["items_summary"] == {"observations": 3}
    assert (body["trigger"], body["fetch_ms"], body["write_ms"]) == ("schedule", 12, 34)
    assert (body["rows_written"], body["request_id"]) == (3, None)
    other = bearer(login(client, tenant_b.user_email)["access_token"])
    assert client.get(f"/api/runs/{ids[3]}", headers=other).status_code == 404
    assert client.get(path, headers=other).status_code == 404
    assert client.get(f"/api/sources/{tenant_b.source_id}/runs", headers=other).json()["total"] == 0
