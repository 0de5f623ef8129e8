"""Explained scores, heat maps and trends through the API, for the tenant, its MSP and carrier."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import dagster as dg
import pytest
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import bearer, create_carrier, create_user, login


def _roll_up(settings: Settings, *tenants: TenantFixture) -> None:
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [t.slug for t in tenants])
        for tenant in tenants:
            assert dg.materialize(
                [risk_posture, outcome_posture, tenant_posture],
                partition_key=tenant.slug,
                instance=instance,
                resources={"database": database},
            ).success


def _model(app_conn: Conn, pipeline_conn: Conn, tenant: TenantFixture) -> dict[str, Any]:
    """Risk 'breach' fed by a red and an amber KRI and a partial control; risk 'quiet' by a
    green KRI; risk 'closed' closed."""
    with scoped_transaction(pipeline_conn, tenant.scope):
        kris = [r[0] for r in pipeline_conn.execute("select id from tenant.kri order by slug")]
        for kri, status in zip(kris[:3], ("red", "amber", "green"), strict=True):
            pipeline_conn.execute(
                "insert into tenant.kri_status (tenant_id, kri_id, status) values (%s, %s, %s)"
                " on conflict (tenant_id, kri_id) do update set status = excluded.status",
                (tenant.id, kri, status),
            )
    ids: dict[str, Any] = {"red": kris[0], "amber": kris[1], "green": kris[2]}
    with scoped_transaction(app_conn, tenant.scope):
        for slug, status in (("breach", "open"), ("quiet", "open"), ("gone", "closed")):
            ids[slug] = app_conn.execute(
                "insert into tenant.risk (tenant_id, slug, title, status)"
                " values (%s, %s, %s, %s) returning id",
                (tenant.id, slug, slug.title(), status),
            ).fetchone()[0]  # type: ignore[index]
        ids["mfa"] = app_conn.execute(
            "insert into tenant.control (tenant_id, slug, name, effectiveness)"
            " values (%s, 'mfa', 'MFA everywhere', 'partial') returning id",
            (tenant.id,),
        ).fetchone()[0]  # type: ignore[index]
        for kri, risk in (("red", "breach"), ("amber", "breach"), ("green", "quiet")):
            app_conn.execute(
                "insert into tenant.kri_risk values (%s, %s, %s)", (tenant.id, ids[kri], ids[risk])
            )
        app_conn.execute(
            "insert into tenant.control_risk values (%s, %s, %s)",
            (tenant.id, ids["mfa"], ids["breach"]),
        )
    return ids


@pytest.fixture
def modelled(
    settings: Settings, app_conn: Conn, pipeline_conn: Conn, tenant_a: TenantFixture
) -> dict[str, Any]:
    ids = _model(app_conn, pipeline_conn, tenant_a)
    _roll_up(settings, tenant_a)
    return ids


@pytest.fixture
def analyst(client: TestClient, app_conn: Conn, tenant_a: TenantFixture) -> dict[str, str]:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    return bearer(login(client, user.email)["access_token"])


def test_a_risk_explains_its_score_with_named_kris_and_controls(
    client: TestClient, analyst: dict[str, str], modelled: dict[str, Any]
) -> None:
    body = client.get(f"/api/risks/{modelled['breach']}/explanation", headers=analyst).json()
    assert body["risk"]["severity"] == "critical"
    assert body["risk"]["score"] == pytest.approx(86.25)
    assert body["direction"] == "higher is worse"
    parts = [(p["kind"], p["state"], round(p["contribution"], 6)) for p in body["contributions"]]
    assert parts == [("kri", "red", 72.5), ("control", "partial", 7.5), ("kri", "amber", 6.25)]
    assert body["contributions"][1]["name"] == "MFA everywhere"
    assert all(p["name"] for p in body["contributions"])
    assert sum(p["share"] for p in body["contributions"]) == pytest.approx(1.0)


def test_a_green_risk_has_zero_shares_and_an_unknown_risk_is_404(
    client: TestClient, analyst: dict[str, str], modelled: dict[str, Any]
) -> None:
    quiet = client.get(f"/api/risks/{modelled['quiet']}/explanation", headers=analyst).json()
    assert quiet["risk"]["score"] == 0.0
    assert [(p["contribution"], p["share"]) for p in quiet["contributions"]] == [(0.0, None)]
    missing = client.get(f"/api/risks/{UUID(int=7)}/explanation", headers=analyst)
    assert missing.status_code == 404


def test_the_risk_list_carries_score_and_severity(
    client: TestClient, analyst: dict[str, str], modelled: dict[str, Any]
) -> None:
    rows = client.get("/api/risk-scores", headers=analyst).json()
    by_id = {r["risk_id"]: r for r in rows}
    assert [r["risk_id"] for r in rows][:2] == [str(modelled["breach"]), str(modelled["quiet"])]
    assert by_id[str(modelled["breach"])]["red_kris"] == 1
    assert by_id[str(modelled["gone"])]["severity"] == "unassessed"  # closed: not rolled up


def test_the_heat_map_places_each_open_risk_once_with_its_id(
    client: TestClient, analyst: dict[str, str], modelled: dict[str, Any]
) -> None:
    body = client.get("/api/heatmap", headers=analyst).json()
    assert len(body["cells"]) == len(body["rows"]) * len(body["columns"])
    placed = {
        (c["severity"], c["red_kris"]): [r["id"] for r in c["risks"]]
        for c in body["cells"]
        if c["count"]
    }
    assert placed == {
        ("critical", "1"): [str(modelled["breach"])],
        ("low", "0"): [str(modelled["quiet"])],
    }


def _history(pipeline_conn: Conn, tenant: TenantFixture, scores: list[float]) -> None:
    with scoped_transaction(pipeline_conn, tenant.scope):
        for back, score in enumerate(reversed(scores), start=1):
            pipeline_conn.execute(
                "insert into tenant.posture_history (tenant_id, day, posture_score, kri_count,"
                " stale_share, risks_critical, risks_high) values (%s, %s, %s, 3, 0, 1, 0)",
                (tenant.id, date.today() - timedelta(days=back), score),
            )


def test_posture_history_is_served_with_bands_oldest_first(
    client: TestClient,
    analyst: dict[str, str],
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    _history(pipeline_conn, tenant_a, [80.0, 60.0, 20.0])
    body = client.get("/api/posture/history?days=10", headers=analyst).json()
    assert [(p["score"], p["band"]) for p in body["points"]] == [
        (80.0, "critical"),
        (60.0, "high"),
        (20.0, "low"),
    ]
    assert body["computed_at"] is not None
    assert client.get("/api/posture/history?days=0", headers=analyst).status_code == 422


def test_sparklines_cover_every_kri_with_values_in_one_call(
    settings: Settings, client: TestClient, analyst: dict[str, str], tenant_a: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)
    lines = client.get("/api/kri-sparklines?days=30", headers=analyst).json()
    assert len(lines) == len(tenant_a.kri_slugs)
    assert all(len(line["days"]) == len(line["values"]) >= 1 for line in lines)


def test_the_msp_sees_its_tenants_heat_map_and_trends_and_no_other_org(
    client: TestClient,
    app_conn: Conn,
    pipeline_conn: Conn,
    settings: Settings,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    ids = _model(app_conn, pipeline_conn, tenant_a)
    _model(app_conn, pipeline_conn, tenant_b)
    _roll_up(settings, tenant_a, tenant_b)
    _history(pipeline_conn, tenant_a, [50.0, 70.0])
    _history(pipeline_conn, tenant_b, [10.0])
    master = bearer(
        login(client, create_user(app_conn, "master_admin", tenant=tenant_a).email)["access_token"]
    )
    heat = client.get(f"/api/orgs/{tenant_a.org_id}/heatmap", headers=master).json()
    risks = [r for c in heat["cells"] for r in c["risks"]]
    assert {r["tenant_id"] for r in risks} == {str(tenant_a.id)}
    assert str(ids["breach"]) in {r["id"] for r in risks}
    trends = client.get(f"/api/orgs/{tenant_a.org_id}/posture-history", headers=master).json()
    assert [t["tenant_id"] for t in trends["tenants"]] == [str(tenant_a.id)]
    assert [p["score"] for p in trends["tenants"][0]["points"]][:2] == [50.0, 70.0]
    other = client.get(f"/api/orgs/{tenant_b.org_id}/heatmap", headers=master)
    assert other.status_code == 404


def test_a_carrier_charts_consenting_insureds_only(
    client: TestClient,
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    carrier = create_carrier(app_conn)
    with scoped_transaction(app_conn, Scope.platform()):
        for tenant, revoked in ((tenant_a, False), (tenant_b, True)):
            app_conn.execute(
                "insert into carrier.insured_tenants (carrier_id, tenant_id, revoked_at)"
                " values (%s, %s, case when %s then now() end)",
                (carrier, tenant.id, revoked),
            )
    _history(pipeline_conn, tenant_a, [40.0, 45.0])
    _history(pipeline_conn, tenant_b, [90.0])
    user = create_user(app_conn, "carrier_user", carrier_id=carrier)
    headers = bearer(login(client, user.email)["access_token"])
    body = client.get("/api/carrier/posture-history", headers=headers).json()
    assert [t["tenant_id"] for t in body["tenants"]] == [str(tenant_a.id)]
    series = body["tenants"][0]
    assert [p["score"] for p in series["points"]] == [40.0, 45.0]
    assert series["computed_at"] is not None
    assert series["band"] == "medium"
    # and the database itself refuses the revoked tenant's history to the carrier scope
    with scoped_transaction(app_conn, Scope.carrier(carrier), read_only=True):
        seen = app_conn.execute("select distinct tenant_id from tenant.posture_history")
        assert [r[0] for r in seen] == [tenant_a.id]


def test_saving_thresholds_recolours_the_kri_at_once_by_the_pipelines_rule(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    materialize_tenant(settings, tenant_a)
    admin = bearer(login(client, tenant_a.user_email)["access_token"])
    tiles = client.get("/api/dashboard", headers=admin).json()["kris"]
    tile = next(t for t in tiles if t["status"] == "green" and t["value"])
    value = tile["value"]
    red = (
        {"warn": value - 1, "critical": value}
        if tile["direction"] == "higher_is_worse"
        else {"warn": value + 1, "critical": value}
    )
    saved = client.patch(f"/api/kris/{tile['id']}", json=red, headers=admin)
    assert saved.status_code == 200, saved.text
    state = client.get(f"/api/kris/{tile['id']}/state", headers=admin).json()
    assert state["status"] == "red"
    assert state["source_name"] == "Demo data"
    after = client.get("/api/dashboard", headers=admin).json()["kris"]
    assert next(t for t in after if t["id"] == tile["id"])["status"] == "red"
    # The pipeline's own run agrees with the colour the save wrote.
    materialize_tenant(settings, tenant_a)
    again = client.get(f"/api/kris/{tile['id']}/state", headers=admin).json()
    assert again["status"] == "red"


def test_the_state_of_an_unknown_kri_is_404(client: TestClient, analyst: dict[str, str]) -> None:
    assert client.get(f"/api/kris/{UUID(int=9)}/state", headers=analyst).status_code == 404


def _csv_rows(client: TestClient, headers: dict[str, str], table: str) -> list[dict[str, str]]:
    text = client.get(f"/api/exports/{table}.csv", headers=headers).text
    return list(csv.DictReader(io.StringIO(text)))


def test_every_list_exports_as_formula_safe_csv(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, modelled: dict[str, Any]
) -> None:
    admin = bearer(login(client, tenant_a.user_email)["access_token"])
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.risk set title = '=HYPERLINK(\"http://x\")' where id = %s",
            (modelled["quiet"],),
        )
    for table in ("risks", "kris", "controls", "outcomes", "vendors", "sources", "runs",
                  "audit-log", "users"):  # fmt: skip
        response = client.get(f"/api/exports/{table}.csv", headers=admin)
        assert response.status_code == 200, (table, response.text)
        assert response.headers["content-type"].startswith("text/csv")
        header = next(csv.reader(io.StringIO(response.text)))
        assert header, table
    risks = list(
        csv.DictReader(io.StringIO(client.get("/api/exports/risks.csv", headers=admin).text))
    )
    by_slug = {r["slug"]: r for r in risks}
    assert by_slug["quiet"]["title"] == '\'=HYPERLINK("http://x")'  # a spreadsheet's text
    assert float(by_slug["breach"]["score"]) == pytest.approx(86.25)
    kris = list(
        csv.DictReader(io.StringIO(client.get("/api/exports/kris.csv", headers=admin).text))
    )
    assert {k["source"] for k in kris} == {"Demo data"}  # names, not ids
    renamed = client.patch(f"/api/risks/{modelled['breach']}", json={"title": "Breach 2"},
                           headers=admin)  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    me = client.get("/api/me", headers=admin).json()["user"]
    audit = [r for r in _csv_rows(client, admin, "audit-log") if r["action"] == "risk.update"]
    assert [(r["actor"], r["target"]) for r in audit] == [(me["display_name"], "Breach 2")]


def test_an_analyst_may_not_export_the_audit_log(
    client: TestClient, analyst: dict[str, str]
) -> None:
    assert client.get("/api/exports/audit-log.csv", headers=analyst).status_code == 403
    assert client.get("/api/exports/secrets.csv", headers=analyst).status_code == 404
