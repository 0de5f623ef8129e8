"""The posture assets through Dagster: a tenant's risk model rolls up into stored postures."""

from __future__ import annotations

import dagster as dg
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import bearer, create_user, login


def _materialize_postures(
    settings: Settings, tenant: TenantFixture
) -> dict[str, dg.AssetCheckEvaluation]:
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant.slug])
        result = dg.materialize(
            [risk_posture, outcome_posture, tenant_posture],
            partition_key=tenant.slug,
            instance=instance,
            resources={"database": database},
        )
        assert result.success
        return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_a_tenants_risk_model_rolls_up_into_risk_outcome_and_tenant_posture(
    settings: Settings, app_conn: Conn, pipeline_conn: Conn, tenant_a: TenantFixture
) -> None:
    # Two KRIs with known colours, as kri_status would have written them; the rest have none.
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        red, amber = pipeline_conn.execute("select id from tenant.kri order by slug limit 2")
        for kri, status in ((red, "red"), (amber, "amber")):
            pipeline_conn.execute(
                "insert into tenant.kri_status (tenant_id, kri_id, status) values (%s, %s, %s)",
                (tenant_a.id, kri[0], status),
            )
    with scoped_transaction(app_conn, tenant_a.scope):
        risk = app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, 'breach', 'Breach')"
            " returning id",
            (tenant_a.id,),
        ).fetchone()
        quiet = app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, 'quiet', 'Quiet')"
            " returning id",
            (tenant_a.id,),
        ).fetchone()
        control = app_conn.execute(
            "insert into tenant.control (tenant_id, slug, name, effectiveness)"
            " values (%s, 'mfa', 'MFA', 'partial') returning id",
            (tenant_a.id,),
        ).fetchone()
        outcome = app_conn.execute(
            "insert into tenant.outcome (tenant_id, slug, name) values (%s, 'uptime', 'Uptime')"
            " returning id",
            (tenant_a.id,),
        ).fetchone()
        assert risk is not None
        assert quiet is not None
        assert control is not None
        assert outcome is not None
        for kri in (red[0], amber[0]):
            app_conn.execute(
                "insert into tenant.kri_risk values (%s, %s, %s)", (tenant_a.id, kri, risk[0])
            )
        app_conn.execute(
            "insert into tenant.control_risk values (%s, %s, %s)",
            (tenant_a.id, control[0], risk[0]),
        )
        app_conn.execute(
            "insert into tenant.risk_outcome values (%s, %s, %s)",
            (tenant_a.id, risk[0], outcome[0]),
        )
    checks = _materialize_postures(settings, tenant_a)
    # Asset checks: only two KRIs are linked (and to no outcome); all but two have no colour.
    assert not checks["kris_linked"].passed
    assert checks["kris_linked"].metadata["count"].value == len(tenant_a.kri_slugs)
    assert not checks["kris_fresh"].passed
    assert checks["kris_fresh"].metadata["count"].value == len(tenant_a.kri_slugs) - 2
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        postures: dict[object, tuple[float | None, str]] = {
            risk_id: (score, severity)
            for risk_id, score, severity in app_conn.execute(
                "select risk_id, score, severity from tenant.risk_posture"
            )
        }
        outcome_row = app_conn.execute(
            "select severity, score from tenant.outcome_posture where outcome_id = %s",
            (outcome[0],),
        ).fetchone()
        tenant_row = app_conn.execute(
            "select risk_count, risks_unassessed, top_risks, posture_score, kris_red, kris_no_data,"
            " kri_count from tenant.tenant_posture"
        ).fetchone()
    # red (2 points) and amber (1): 100 × (0.6 × 2/2 + 0.25 × 1.5/2 + 0.15 × 0.5) = 86.25
    score, severity = postures[risk[0]]
    assert score is not None
    assert (round(score, 6), severity) == (86.25, "critical")
    assert postures[quiet[0]] == (None, "unassessed")
    assert outcome_row == ("critical", 86.25)
    assert tenant_row is not None
    assert tenant_row[:3] == (2, 1, [risk[0]])
    assert tenant_row[3] == 86.25  # the only assessed risk
    assert tenant_row[4:] == (1, len(tenant_a.kri_slugs) - 2, len(tenant_a.kri_slugs))
    # The score explained, stored with it: red takes the worst term (60) and 12.5 of the mean
    # term, amber 6.25 of it, the partial control the whole gap term (7.5).
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        parts = {
            item: (kind, state, round(points, 6))
            for item, kind, state, points in app_conn.execute(
                "select item_id, item_kind, state, contribution from tenant.risk_contribution"
                " where risk_id = %s",
                (risk[0],),
            )
        }
    assert parts == {
        red[0]: ("kri", "red", 72.5),
        amber[0]: ("kri", "amber", 6.25),
        control[0]: ("control", "partial", 7.5),
    }
    assert round(sum(p[2] for p in parts.values()), 6) == 86.25


def test_the_dashboard_reads_the_stored_posture(
    settings: Settings,
    client: TestClient,
    pipeline_conn: Conn,
    app_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    headers = bearer(login(client, tenant_a.user_email)["access_token"])
    before = client.get("/api/dashboard", headers=headers).json()
    assert before["posture"] is None  # not rolled up yet: nothing is invented
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, 'r1', 'Risk one')",
            (tenant_a.id,),
        )
        app_conn.execute(
            "insert into tenant.kri_risk select tenant_id, k.id, r.id from tenant.kri k"
            " cross join lateral (select id from tenant.risk where slug = 'r1') r"
        )
    _materialize_postures(settings, tenant_a)
    after = client.get("/api/dashboard", headers=headers).json()
    assert after["posture"]["risks"]["unassessed"] == 0
    assert [r["title"] for r in after["top_risks"]] == ["Risk one"]
    # Every KRI is no_data (no status yet): 1 point each → 100 × (0.6 × 1/2 + 0.25 × 1/2) = 42.5
    assert after["top_risks"][0]["score"] == 42.5
    assert after["top_risks"][0]["severity"] == "medium"


def test_kri_history_is_bucketed_in_the_database(
    settings: Settings, client: TestClient, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)
    headers = bearer(login(client, tenant_a.user_email)["access_token"])
    kri = client.get("/api/kris", headers=headers).json()["items"][0]
    url = f"/api/kris/{kri['id']}/observations"
    daily = client.get(url, headers=headers, params={"bucket": "day"}).json()
    raw = client.get(url, headers=headers, params={"bucket": "raw"}).json()
    weekly = client.get(url, headers=headers, params={"bucket": "week"}).json()
    assert len(raw["points"]) == sum(p["n"] for p in daily["points"]) > 0
    assert sum(p["n"] for p in weekly["points"]) == len(raw["points"])
    assert len(weekly["points"]) < len(daily["points"])
    assert (daily["warn"], daily["critical"]) == (kri["warn"], kri["critical"])
    point = weekly["points"][-1]
    assert point["min"] <= point["value"] <= point["max"]
    backwards = client.get(
        url,
        headers=headers,
        params={"from": "2026-11-20T00:00:00Z", "to": "2026-11-01T00:00:00Z"},
    )
    assert backwards.status_code == 422
    other = bearer(login(client, tenant_b.user_email)["access_token"])
    assert client.get(url, headers=other).status_code == 404


def test_the_org_rollup_shows_the_organizations_tenants_only(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    observer_conn: Conn,
) -> None:
    for tenant in (tenant_a, tenant_b):
        _materialize_postures(settings, tenant)
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    headers = bearer(login(client, master.email)["access_token"])
    rows = client.get(f"/api/orgs/{tenant_a.org_id}/rollup", headers=headers).json()
    assert [r["tenant_id"] for r in rows] == [str(tenant_a.id)]
    assert rows[0]["kri_count"] == len(tenant_a.kri_slugs)
    assert rows[0]["computed_at"] is not None
    assert client.get(f"/api/orgs/{tenant_b.org_id}/rollup", headers=headers).status_code == 404
    audited = observer_conn.execute(
        "select count(*) from platform.platform_audit_logs where actor_user_id = %s"
        " and action = 'scope.widened' and detail->>'path' like '%%/rollup'",
        (master.id,),
    ).fetchone()
    assert audited == (1,)
