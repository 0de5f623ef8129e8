"""The MSP heat map's click-through: a master admin reads one of its tenants' risks, explained,
read-only and audited; another organization's tenant's risk is a 404, and RLS (migration 0017)
shows the org scope its own tenants' contributions, KRIs and controls only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.api.test_scores_api import _model, _roll_up
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login


@pytest.fixture
def two_orgs(
    settings: Settings,
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> tuple[dict[str, Any], dict[str, Any]]:
    ids_a = _model(app_conn, pipeline_conn, tenant_a)
    ids_b = _model(app_conn, pipeline_conn, tenant_b)
    _roll_up(settings, tenant_a, tenant_b)
    return ids_a, ids_b


def _master(client: TestClient, app_conn: Conn, tenant: TenantFixture) -> dict[str, str]:
    user = create_user(app_conn, "master_admin", tenant=tenant)
    return bearer(login(client, user.email)["access_token"])


def _url(org: UUID, tenant: UUID, risk: UUID) -> str:
    return f"/api/orgs/{org}/tenants/{tenant}/risks/{risk}/explanation"


def test_a_master_admin_reads_its_tenants_risk_explained_and_the_read_is_audited(
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    two_orgs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    ids, _ = two_orgs
    master = _master(client, app_conn, tenant_a)
    response = client.get(_url(tenant_a.org_id, tenant_a.id, ids["breach"]), headers=master)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tenant_id"] == str(tenant_a.id)
    assert body["tenant_name"]
    assert body["risk"]["severity"] == "critical"
    assert body["risk"]["score"] == pytest.approx(86.25)
    parts = [(p["kind"], p["state"], round(p["contribution"], 6)) for p in body["contributions"]]
    assert parts == [("kri", "red", 72.5), ("control", "partial", 7.5), ("kri", "amber", 6.25)]
    assert body["contributions"][1]["name"] == "MFA everywhere"
    assert sum(p["share"] for p in body["contributions"]) == pytest.approx(1.0)
    audited = observer_conn.execute(
        "select scope, tenant_id, organization_id from platform.platform_audit_logs"
        " where action = 'risk.viewed_by_org' and target_id = %s",
        (str(ids["breach"]),),
    ).fetchall()
    assert audited == [("org", tenant_a.id, tenant_a.org_id)]


def test_another_orgs_tenants_risk_is_a_404_however_it_is_asked(
    client: TestClient,
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    two_orgs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    ids_a, ids_b = two_orgs
    master = _master(client, app_conn, tenant_a)
    for url in (
        _url(tenant_a.org_id, tenant_b.id, ids_b["breach"]),  # their tenant under our org
        _url(tenant_a.org_id, tenant_a.id, ids_b["breach"]),  # their risk under our tenant
        _url(tenant_b.org_id, tenant_b.id, ids_b["breach"]),  # their org
        _url(tenant_a.org_id, tenant_a.id, UUID(int=7)),  # no such risk
    ):
        assert client.get(url, headers=master).status_code == 404, url
    analyst = bearer(
        login(client, create_user(app_conn, "tenant_user", tenant=tenant_a).email)["access_token"]
    )
    refused = client.get(_url(tenant_a.org_id, tenant_a.id, ids_a["breach"]), headers=analyst)
    assert refused.status_code in (403, 404)


def test_the_org_scope_reads_only_its_own_tenants_contributions_kris_and_controls(
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    two_orgs: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    with scoped_transaction(app_conn, Scope.org(tenant_a.org_id), read_only=True):
        for table in ("risk_contribution", "kri", "control"):
            seen = {r[0] for r in app_conn.execute(f"select tenant_id from tenant.{table}")}
            assert seen == {tenant_a.id}, table
