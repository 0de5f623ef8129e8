"""The dashboard's stored document (migration 0010): the same bytes as the live build, never
served once the tenant's rows moved past it, and never another tenant's."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.routes.dashboard import Dashboard
from draxis.dashboard_document import build_dashboard, read_dashboard, refresh_dashboards
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import bearer, login


def _read(app_conn: Conn, tenant: TenantFixture) -> tuple[bool, str, str]:
    """(served from storage?, what the API would send, the live build), in one read-only tx."""
    with scoped_transaction(app_conn, tenant.scope, read_only=True):
        found = read_dashboard(app_conn)
        live = build_dashboard(app_conn)
    assert found is not None
    assert live is not None
    return found.stored, found.body, live


def _get(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    response = client.get(
        "/api/dashboard", headers=bearer(login(client, tenant.user_email)["access_token"])
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def _tile(body: dict[str, Any], kri_id: object) -> dict[str, Any]:
    tiles: list[dict[str, Any]] = [k for k in body["kris"] if k["id"] == str(kri_id)]
    assert len(tiles) == 1
    return tiles[0]


def test_the_stored_document_is_the_live_one_byte_for_byte(
    settings: Settings, client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)  # kri_status stores the document as it commits
    stored, body, live = _read(app_conn, tenant_a)
    assert stored
    assert body == live
    served = _get(client, tenant_a)
    # The API sends the stored members as they are, after the tenant and the time.
    assert list(served) == list(Dashboard.model_fields)
    assert {k: v for k, v in served.items() if k not in ("tenant", "generated_at")} == json.loads(
        body
    )
    assert served["tenant"] == {"id": str(tenant_a.id), "name": "Tenant A"}
    # Exactly the model's shape: validating and dumping it again changes nothing.
    assert Dashboard.model_validate(served).model_dump(mode="json") == served
    assert [k["name"] for k in served["kris"]] == sorted(k["name"] for k in served["kris"])


def test_an_edited_kri_name_shows_at_once_before_the_pipeline_rebuilds(
    settings: Settings, client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)
    headers = bearer(login(client, tenant_a.user_email)["access_token"])
    kri = _get(client, tenant_a)["kris"][0]
    edited = client.patch(
        f"/api/kris/{kri['id']}", headers=headers, json={"name": "Renamed just now"}
    )
    assert edited.status_code == 200, edited.text
    assert _tile(_get(client, tenant_a), kri["id"])["name"] == "Renamed just now"
    stored, body, live = _read(app_conn, tenant_a)
    assert not stored  # the model revision moved: the old document is not served
    assert body == live
    materialize_tenant(settings, tenant_a)
    stored, body, _ = _read(app_conn, tenant_a)
    assert stored
    assert _tile(json.loads(body), kri["id"])["name"] == "Renamed just now"


def test_a_renamed_source_shows_at_once(
    settings: Settings, client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    """Sources are not part of the risk model (no revision bump): their names are compared."""
    materialize_tenant(settings, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute("update tenant.kri_source set name = 'Renamed feed'")
    assert {k["source"] for k in _get(client, tenant_a)["kris"]} == {"Renamed feed"}
    assert _read(app_conn, tenant_a)[0] is False


def test_new_colours_are_not_served_from_an_older_document(
    settings: Settings, app_conn: Conn, pipeline_conn: Conn, tenant_a: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        pipeline_conn.execute("update tenant.kri_status set status = 'stale', computed_at = now()")
    stored, body, _ = _read(app_conn, tenant_a)
    assert not stored
    assert {k["status"] for k in json.loads(body)["kris"]} == {"stale"}


def test_a_kri_without_status_reads_no_data_stored_and_live(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    materialize_tenant(settings, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):
        row = app_conn.execute(
            "insert into tenant.kri (tenant_id, slug, name, direction, warn, critical)"
            " values (%s, 'brand_new', 'Brand new', 'higher_is_worse', 1, 2) returning id",
            (tenant_a.id,),
        ).fetchone()
    assert row is not None
    live = _tile(_get(client, tenant_a), row[0])
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        assert refresh_dashboards(pipeline_conn) == 1
    stored, body, _ = _read(app_conn, tenant_a)
    assert stored
    assert _tile(json.loads(body), row[0]) == live
    assert (live["status"], live["value"], live["observed_at"]) == ("no_data", None, None)
    assert json.loads(body)["counts"]["no_data"] >= 1


def test_a_tenant_never_sees_another_tenants_document(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    materialize_tenant(settings, tenant_a)
    materialize_tenant(settings, tenant_b)
    documents = "select tenant_id from tenant.dashboard_document"
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        assert app_conn.execute(documents).fetchall() == [(tenant_a.id,)]
    with scoped_transaction(app_conn, Scope.tenants([tenant_a.id, tenant_b.id]), read_only=True):
        assert app_conn.execute(documents).fetchall() == []  # the batch is the pipeline's alone
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_b.id])):
        assert pipeline_conn.execute(documents).fetchall() == [(tenant_b.id,)]
        assert refresh_dashboards(pipeline_conn) == 1  # B's, and nothing of A's
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id, tenant_b.id])):
        assert refresh_dashboards(pipeline_conn) == 2
    body_a = _get(client, tenant_a)
    ids_b = {k["id"] for k in _get(client, tenant_b)["kris"]}
    assert body_a["tenant"]["id"] == str(tenant_a.id)
    assert {k["id"] for k in body_a["kris"]}.isdisjoint(ids_b)


def test_a_batch_cannot_write_another_tenants_document(
    pipeline_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id])),
    ):
        pipeline_conn.execute(
            "insert into tenant.dashboard_document (tenant_id, body, model_revision, sources_key)"
            " values (%s, '{}', 0, '')",
            (tenant_b.id,),
        )


def test_the_app_may_only_read_documents(app_conn: Conn) -> None:
    row = app_conn.execute(
        "select has_table_privilege('draxis_app', 'tenant.dashboard_document', 'SELECT'),"
        " has_table_privilege('draxis_app', 'tenant.dashboard_document',"
        " 'INSERT, UPDATE, DELETE, TRUNCATE')"
    ).fetchone()
    assert row == (True, False)
