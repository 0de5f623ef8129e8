"""An accepted risk is shown as accepted everywhere its severity shows, with its computed score:
the risk list and page, the heat map's cells, the dashboard's top risks, the CSV export and the
board report (the MCP tool is in tests/mcp/test_mcp_acceptance.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dagster as dg
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from assets.reports import store as report_store
from assets.reports.content import tenant_report
from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import bearer, create_user
from tests.security.helpers import sign_in

UNTIL = date.today() + timedelta(days=60)


def _postures(settings: Settings, tenant: TenantFixture) -> None:
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant.slug])
        assert dg.materialize(
            [risk_posture, outcome_posture, tenant_posture],
            partition_key=tenant.slug,
            instance=instance,
            resources={"database": database},
        ).success


def _accepted_risk(
    client: TestClient, app_conn: Conn, settings: Settings, tenant: TenantFixture
) -> tuple[str, dict[str, str]]:
    """A risk fed by the tenant's KRIs, accepted until `UNTIL` by a member and an admin, with
    the posture computed after the approval. Returns its id and the admin's headers."""
    materialize_tenant(settings, tenant)
    admin = bearer(sign_in(client, tenant.user_email).access)
    risk = client.post(
        "/api/risks", json={"slug": "legacy_vpn", "title": "Legacy VPN"}, headers=admin
    ).json()["id"]
    kris = [k["id"] for k in client.get("/api/kris", headers=admin).json()["items"]]
    assert (
        client.put(f"/api/risks/{risk}/links", json={"kri_ids": kris}, headers=admin).status_code
        == 200
    )
    member = create_user(app_conn, "tenant_user", tenant=tenant)
    requested = client.post(
        f"/api/risks/{risk}/acceptances",
        json={"justification": "Replaced in Q2", "expires_at": UNTIL.isoformat()},
        headers=bearer(sign_in(client, member.email).access),
    ).json()
    approved = client.post(
        f"/api/risk-acceptances/{requested['id']}/approve", json={}, headers=admin
    )
    assert approved.status_code == 200, approved.text
    _postures(settings, tenant)
    return str(risk), admin


def test_an_accepted_risk_keeps_its_severity_and_shows_its_expiry_everywhere(
    client: TestClient, app_conn: Conn, settings: Settings, tenant_a: TenantFixture
) -> None:
    risk, admin = _accepted_risk(client, app_conn, settings, tenant_a)
    until = UNTIL.isoformat()

    scores = {r["risk_id"]: r for r in client.get("/api/risk-scores", headers=admin).json()}
    listed = scores[risk]
    assert listed["accepted_until"] == until
    assert listed["status"] == "accepted"
    assert listed["score"] is not None  # the computed score, not hidden
    assert listed["severity"] != "unassessed"

    page = client.get(f"/api/risks/{risk}/explanation", headers=admin).json()["risk"]
    assert (page["accepted_until"], page["severity"]) == (until, listed["severity"])

    heat = client.get("/api/heatmap", headers=admin).json()
    cells = [c for c in heat["cells"] if any(r["id"] == risk for r in c["risks"])]
    assert len(cells) == 1
    assert cells[0]["severity"] == listed["severity"]
    assert next(r for r in cells[0]["risks"] if r["id"] == risk)["accepted_until"] == until

    top = client.get("/api/dashboard", headers=admin).json()["top_risks"]
    assert [(t["id"], t["accepted_until"]) for t in top if t["id"] == risk] == [(risk, until)]

    exported = {
        r["slug"]: r
        for r in csv.DictReader(
            io.StringIO(client.get("/api/exports/risks.csv", headers=admin).text)
        )
    }
    assert exported["legacy_vpn"]["accepted_until"] == until
    assert exported["legacy_vpn"]["severity"] == listed["severity"]

    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        figures = report_store.tenant_figures(app_conn)
    report: dict[str, Any] = tenant_report("Board", "2026-12", figures, datetime.now(UTC))
    assert report["top_risks"][0][0] == f"Legacy VPN (accepted until {until})"
    assert ["Formally accepted risks", "1"] in report["summary"]


def test_a_revoked_acceptance_is_no_longer_shown(
    client: TestClient, app_conn: Conn, settings: Settings, tenant_a: TenantFixture
) -> None:
    risk, admin = _accepted_risk(client, app_conn, settings, tenant_a)
    acceptance = client.get(f"/api/risks/{risk}/acceptances", headers=admin).json()[0]
    assert (
        client.post(
            f"/api/risk-acceptances/{acceptance['id']}/revoke",
            json={"reason": "Exploited in the wild"},
            headers=admin,
        ).status_code
        == 200
    )
    # The live views at once; the stored ones after the next posture run.
    scores = {r["risk_id"]: r for r in client.get("/api/risk-scores", headers=admin).json()}
    assert scores[risk]["accepted_until"] is None
    assert scores[risk]["status"] == "open"
    _postures(settings, tenant_a)
    heat = client.get("/api/heatmap", headers=admin).json()
    flagged = [r for c in heat["cells"] for r in c["risks"] if r["accepted_until"]]
    assert flagged == []
