"""The carrier projection: consenting insured tenants' postures, served to their carrier only."""

from __future__ import annotations

import dagster as dg
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.portfolio.asset import carrier_portfolio
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.assets.posture.test_posture_assets import _materialize_postures
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_carrier, create_user, login


def _project(settings: Settings) -> None:
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [carrier_portfolio], instance=instance, resources={"database": database}
        )
        assert result.success


def test_a_carrier_sees_its_consenting_insureds_and_loses_one_at_revocation(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    carrier = create_carrier(app_conn)
    other_carrier = create_carrier(app_conn)
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "insert into carrier.insured_tenants (carrier_id, tenant_id) values (%s, %s), (%s, %s)",
            (carrier, tenant_a.id, carrier, tenant_b.id),
        )
    for tenant in (tenant_a, tenant_b):
        _materialize_postures(settings, tenant)
    _project(settings)

    underwriter = create_user(app_conn, "carrier_user", carrier_id=carrier)
    outsider = create_user(app_conn, "carrier_user", carrier_id=other_carrier)
    headers = bearer(login(client, underwriter.email)["access_token"])
    book = client.get("/api/carrier/portfolio", headers=headers).json()
    assert {t["tenant_id"] for t in book["tenants"]} == {str(tenant_a.id), str(tenant_b.id)}
    assert book["book"]["tenants"] == 2
    assert sum(book["book"]["bands"].values()) == 2
    row = book["tenants"][0]
    assert set(row) >= {"posture_score", "trend_30d", "band", "stale_share", "projected_at"}
    assert "kris" not in row  # never raw findings
    outsider_book = client.get(
        "/api/carrier/portfolio", headers=bearer(login(client, outsider.email)["access_token"])
    ).json()
    assert outsider_book["tenants"] == []

    admin_b = bearer(login(client, tenant_b.user_email)["access_token"])
    assert (
        client.delete(f"/api/tenant/carriers/{carrier}/consent", headers=admin_b).status_code == 204
    )
    # Served no more at once, before any projection runs.
    after = client.get("/api/carrier/portfolio", headers=headers).json()
    assert [t["tenant_id"] for t in after["tenants"]] == [str(tenant_a.id)]
    assert client.get(f"/api/carrier/tenants/{tenant_b.id}", headers=headers).status_code == 404
    _project(settings)
    rows = observer_conn.execute(
        "select tenant_id from carrier.portfolio where carrier_id = %s", (carrier,)
    ).fetchall()
    assert [r[0] for r in rows] == [tenant_a.id]
    audited = observer_conn.execute(
        "select count(*) from platform.platform_audit_logs where action = 'carrier.projection_read'"
    ).fetchone()
    assert audited is not None
    assert audited[0] >= 2
    consent_audit = observer_conn.execute(
        "select count(*) from tenant.audit_log where tenant_id = %s"
        " and action = 'carrier.consent_revoked'",
        (tenant_b.id,),
    ).fetchone()
    assert consent_audit == (1,)
    # The tenant admin can grant it back; a carrier it has no relationship with is 404.
    assert client.put(f"/api/tenant/carriers/{carrier}/consent", headers=admin_b).status_code == 204
    assert (
        client.put(f"/api/tenant/carriers/{other_carrier}/consent", headers=admin_b).status_code
        == 404
    )
