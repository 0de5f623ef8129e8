"""First-party sources end to end: push, artifact upload and manual entry stage their values
whole or not at all, and a run launched by the run-now sensor writes them through the same asset
path as a vendor's values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import dagster as dg
import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.rows import TupleRow

from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import add_cells
from connectors.registry import vendor_ids
from draxis.db.scope import scoped_transaction
from pipelines.sensors import run_now_sensor
from tests.factories import TenantFixture
from tests.identity import bearer, login

Conn = psycopg.Connection[TupleRow]
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def admin(client: TestClient, tenant: TenantFixture) -> dict[str, str]:
    return bearer(login(client, tenant.user_email)["access_token"])


def add_source(
    client: TestClient,
    headers: dict[str, str],
    vendor: str,
    kris: list[str],
    conn: Conn,
    tenant: TenantFixture,
) -> UUID:
    """A first-party source with `kris` (new KRIs) wired to it."""
    response = client.post(
        "/api/sources",
        headers=headers,
        json={"vendor_id": vendor, "name": f"{vendor} source", "schedule": "manual"},
    )
    assert response.status_code == 201, response.text
    source = UUID(response.json()["id"])
    with scoped_transaction(conn, tenant.scope):
        for slug in kris:
            conn.execute(
                "insert into tenant.kri (tenant_id, slug, name, unit, direction, warn, critical,"
                " source_id) values (%s, %s, %s, '%%', 'higher_is_worse', 5, 10, %s)",
                (tenant.id, slug, slug, source),
            )
    return source


def staged(conn: Conn, tenant: TenantFixture) -> list[tuple[Any, ...]]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        return conn.execute(
            "select kri_slug, value, consumed_by is not null from tenant.staged_value"
            " order by submitted_at, row_number"
        ).fetchall()


def observed(conn: Conn, tenant: TenantFixture, source: UUID) -> list[tuple[Any, ...]]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        return conn.execute(
            "select k.slug, o.value, o.observed_at, o.detail from tenant.kri_observation o"
            " join tenant.kri k on k.id = o.kri_id where o.source_id = %s"
            " order by k.slug, o.observed_at",
            (source,),
        ).fetchall()


def run_pending(
    instance: dg.DagsterInstance, database: DraxisDatabase, tenant: TenantFixture
) -> list[dg.RunRequest]:
    """What the run-now sensor launches, executed in-process with the sensor's tags."""
    add_cells(instance, [tenant.slug], vendor_ids())
    result = run_now_sensor(
        dg.build_sensor_context(instance=instance, resources={"database": database})
    )
    assert isinstance(result, dg.SensorResult)
    requests = list(result.run_requests or [])
    for request in requests:
        outcome = dg.materialize(
            [kri_observations],
            partition_key=str(request.partition_key),
            instance=instance,
            resources={"database": database},
            tags=request.tags,
            raise_on_error=False,
        )
        assert outcome.success
    return requests


def test_a_push_batch_lands_through_the_pipeline(
    client: TestClient,
    app_conn: Conn,
    tenant_a: TenantFixture,
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
) -> None:
    headers = admin(client, tenant_a)
    source = add_source(
        client, headers, "external-push", ["siem_alert_backlog"], app_conn, tenant_a
    )
    minted = client.post(f"/api/sources/{source}/push-token", headers=headers)
    assert minted.status_code == 201, minted.text
    token = minted.json()["token"]
    day = (NOW - timedelta(days=1)).isoformat()
    batch = {
        "values": [
            {"kri_slug": "siem_alert_backlog", "value": 12, "observed_at": day},
            {"kri_slug": "siem_alert_backlog", "value": 7, "detail": {"queue": "tier1"}},
        ]
    }
    pushed = client.post("/api/push/kri-values", headers=bearer(token), json=batch)
    assert pushed.status_code == 202, pushed.text
    assert pushed.json()["accepted"] == 2
    # A second batch while the first is pending joins the same request; the same KRI and time
    # sent again keeps the later value.
    resent = {"values": [{"kri_slug": "siem_alert_backlog", "value": 13, "observed_at": day}]}
    again = client.post("/api/push/kri-values", headers=bearer(token), json=resent)
    assert again.json()["request_id"] == pushed.json()["request_id"]

    [request] = run_pending(instance, database, tenant_a)
    assert request.tags["draxis/trigger"] == "push"
    rows = observed(app_conn, tenant_a, source)
    assert [(r[0], r[1]) for r in rows] == [
        ("siem_alert_backlog", 13.0),
        ("siem_alert_backlog", 7.0),
    ]
    assert rows[1][3] == {"queue": "tier1"}
    assert all(consumed for *_, consumed in staged(app_conn, tenant_a))
    status = client.get(f"/api/run-requests/{pushed.json()['request_id']}", headers=headers)
    assert status.json()["status"] == "succeeded"
    run = client.get(f"/api/runs/{status.json()['source_run_id']}", headers=headers).json()
    assert (run["trigger"], run["status"], run["rows_written"]) == ("push", "succeeded", 2)


def test_push_needs_the_current_token(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    headers = admin(client, tenant_a)
    source = add_source(
        client, headers, "external-push", ["siem_alert_backlog"], app_conn, tenant_a
    )
    old = client.post(f"/api/sources/{source}/push-token", headers=headers).json()["token"]
    new = client.post(f"/api/sources/{source}/push-token", headers=headers).json()["token"]
    body = {"values": [{"kri_slug": "siem_alert_backlog", "value": 1}]}
    assert client.post("/api/push/kri-values", headers=bearer(old), json=body).status_code == 401
    assert client.post("/api/push/kri-values", json=body).status_code == 401
    # Without a token, even a malformed body is refused as unauthenticated, not inspected.
    assert client.post("/api/push/kri-values", json={"nope": 1}).status_code == 401
    # A user's access token is not a push token.
    assert client.post("/api/push/kri-values", headers=headers, json=body).status_code == 401
    assert client.post("/api/push/kri-values", headers=bearer(new), json=body).status_code == 202
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        hashes = app_conn.execute(
            "select token_hash, prefix from platform.api_token where kind = 'push'"
        ).fetchall()
    assert hashes
    assert all(new.encode() not in bytes(h) and len(bytes(h)) == 32 for h, _ in hashes)


def test_a_bad_row_refuses_the_whole_batch_with_every_problem(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    headers = admin(client, tenant_a)
    source = add_source(
        client, headers, "external-push", ["siem_alert_backlog"], app_conn, tenant_a
    )
    token = client.post(f"/api/sources/{source}/push-token", headers=headers).json()["token"]
    future = (NOW + timedelta(days=2)).isoformat()
    body = {
        "values": [
            {"kri_slug": "siem_alert_backlog", "value": 3},
            {"kri_slug": "not_wired", "value": 3},
            {"kri_slug": "siem_alert_backlog", "value": "many"},
            {"kri_slug": "siem_alert_backlog", "value": 1, "observed_at": future},
            {"kri_slug": "siem_alert_backlog", "value": 1, "observed_at": "2026-01-01T00:00:00"},
        ]
    }
    response = client.post("/api/push/kri-values", headers=bearer(token), json=body)
    assert response.status_code == 422, response.text
    problems = {(e["row"], e["column"]) for e in response.json()["errors"]}
    assert problems == {(2, "kri_slug"), (3, "value"), (4, "observed_at"), (5, "observed_at")}
    assert staged(app_conn, tenant_a) == []


def test_an_artifact_upload_is_all_or_nothing_with_a_row_report(
    client: TestClient,
    app_conn: Conn,
    tenant_a: TenantFixture,
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
) -> None:
    headers = admin(client, tenant_a)
    source = add_source(
        client, headers, "artifact", ["pentest_open", "bcp_age_days"], app_conn, tenant_a
    )
    bad = b"kri_slug,value,observed_at\npentest_open,4,2026-11-01T00:00:00Z\nbcp_age_days,x,\n"
    refused = client.post(
        f"/api/sources/{source}/artifact",
        headers=headers,
        files={"file": ("values.csv", bad, "text/csv")},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {"row": 2, "column": "value", "message": "must be a finite number"}
    ]
    assert staged(app_conn, tenant_a) == []

    good = json.dumps(
        [
            {"kri_slug": "pentest_open", "value": 4, "observed_at": "2026-11-01T00:00:00Z"},
            {"kri_slug": "bcp_age_days", "value": 200, "observed_at": "2026-11-01T00:00:00Z"},
        ]
    ).encode()
    accepted = client.post(
        f"/api/sources/{source}/artifact",
        headers=headers,
        files={"file": ("values.json", good, "application/json")},
    )
    assert accepted.status_code == 202, accepted.text
    [request] = run_pending(instance, database, tenant_a)
    assert request.tags["draxis/trigger"] == "artifact"
    assert [(r[0], r[1]) for r in observed(app_conn, tenant_a, source)] == [
        ("bcp_age_days", 200.0),
        ("pentest_open", 4.0),
    ]


def test_a_file_that_is_too_large_is_refused(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    headers = admin(client, tenant_a)
    source = add_source(client, headers, "artifact", ["pentest_open"], app_conn, tenant_a)
    huge = b"kri_slug,value\n" + b"pentest_open,1\n" * 400_000
    response = client.post(
        f"/api/sources/{source}/artifact",
        headers=headers,
        files={"file": ("v.csv", huge, "text/csv")},
    )
    assert response.status_code == 413
    assert staged(app_conn, tenant_a) == []


def test_a_manual_value_records_who_entered_it(
    client: TestClient,
    app_conn: Conn,
    tenant_a: TenantFixture,
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
) -> None:
    headers = admin(client, tenant_a)
    source = add_source(client, headers, "manual", ["board_reviews_missed"], app_conn, tenant_a)
    response = client.post(
        f"/api/sources/{source}/values",
        headers=headers,
        json={"kri_slug": "board_reviews_missed", "value": 2, "note": "Q3 review skipped"},
    )
    assert response.status_code == 202, response.text
    run_pending(instance, database, tenant_a)
    [(slug, value, _, detail)] = observed(app_conn, tenant_a, source)
    me = client.get("/api/me", headers=headers).json()
    assert (slug, value) == ("board_reviews_missed", 2.0)
    assert detail["entered_by"] == me["user"]["id"]
    assert detail["note"] == "Q3 review skipped"
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        actions = [r[0] for r in app_conn.execute("select action from tenant.audit_log")]
    assert "source.manual_value" in actions


def test_first_party_routes_refuse_the_wrong_kind_of_source(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    headers = admin(client, tenant_a)
    manual = add_source(client, headers, "manual", ["board_reviews_missed"], app_conn, tenant_a)
    assert client.post(f"/api/sources/{manual}/push-token", headers=headers).status_code == 409
    assert (
        client.post(
            f"/api/sources/{tenant_a.source_id}/values",
            headers=headers,
            json={"kri_slug": "x", "value": 1},
        ).status_code
        == 409
    )
    assert client.post(f"/api/sources/{manual}/run", headers=headers).status_code == 409
    other = admin(client, tenant_b)
    assert (
        client.post(
            f"/api/sources/{manual}/values",
            headers=other,
            json={"kri_slug": "board_reviews_missed", "value": 1},
        ).status_code
        == 404
    )
    scheduled = client.post(
        "/api/sources",
        headers=headers,
        json={"vendor_id": "artifact", "name": "Files", "schedule": "daily"},
    )
    assert scheduled.status_code == 422
