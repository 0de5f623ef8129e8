"""The `tprm` source through the pipeline: added like any source (its KRIs come with it), its cell
computes KRI values from the tenant's vendors, assessments and findings, reconciles integration
drift first, and never counts another tenant's rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import dagster as dg
import pytest
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import add_cells, partition_key
from assets.status.asset import kri_status
from assets.tprm import NO_IDP
from assets.tprm.refresh import wake_changed
from connectors.first_party import TPRM_KRIS
from draxis.db.scope import Scope, scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, login
from tests.tprm import kit


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def add_tprm_source(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    """The tenant admin adds the source from the catalog, as the web client's form does."""
    admin = bearer(login(client, tenant.user_email)["access_token"])
    response = client.post(
        "/api/sources",
        headers=admin,
        json={"vendor_id": "tprm", "name": "Third-party risk", "schedule": "daily"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def run_cell(instance: dg.DagsterInstance, database: DraxisDatabase, tenant: TenantFixture) -> None:
    add_cells(instance, [tenant.slug], ["tprm"])
    for asset, key in (
        (kri_observations, str(partition_key(tenant.slug, "tprm"))),
        (kri_status, tenant.slug),
    ):
        result = dg.materialize(
            [asset], partition_key=key, instance=instance, resources={"database": database}
        )
        assert result.success


def latest(conn: Conn, tenant: TenantFixture) -> dict[str, tuple[float, str, dict[str, Any]]]:
    """Per tprm KRI: its latest value, its colour and the value's detail."""
    with scoped_transaction(conn, tenant.scope, read_only=True):
        rows = conn.execute(
            "select k.slug, o.value, s.status, o.detail from tenant.kri k"
            " join tenant.kri_status s on s.kri_id = k.id"
            " join lateral (select value, detail from tenant.kri_observation o"
            "   where o.kri_id = k.id order by observed_at desc limit 1) o on true"
            " where k.slug like 'tprm%%'"
        ).fetchall()
    return {r[0]: (float(r[1]), r[2], r[3]) for r in rows}


def owner_id(conn: Conn, tenant: TenantFixture) -> UUID:
    with scoped_transaction(conn, Scope.platform(), read_only=True):
        row = conn.execute(
            "select id from platform.users where email = %s", (tenant.user_email,)
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def complete(conn: Conn, tenant: TenantFixture, assessment_id: UUID) -> None:
    """The reviewer completes a submitted assessment (as the campaigns API does)."""
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "update tenant.assessment set status = 'completed', link_sealed = null,"
            " submitted_at = now(), completed_at = now(), score = 82, rating = 'low'"
            " where id = %s",
            (assessment_id,),
        )


def open_finding(
    conn: Conn, tenant: TenantFixture, vendor_id: UUID, key: str, severity: str
) -> None:
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "insert into tenant.vendor_finding (tenant_id, vendor_id, source, dedupe_key,"
            " severity, title) values (%s, %s, 'assessment', %s, %s, 'Found')",
            (tenant.id, vendor_id, key, severity),
        )


def report_apps(conn: Conn, tenant: TenantFixture, *names: str) -> None:
    """What an identity connector's run leaves in `tenant.identity_app`, written as the pipeline
    writes it (the identity connectors are another engineer's; the demo source stands in)."""
    with scoped_transaction(conn, Scope.tenants([tenant.id])):
        conn.execute("delete from tenant.identity_app where source_id = %s", (tenant.source_id,))
        for i, name in enumerate(names):
            conn.execute(
                "insert into tenant.identity_app (tenant_id, source_id, provider, app_id, name)"
                " values (%s, %s, 'okta', %s, %s)",
                (tenant.id, tenant.source_id, f"app-{i}", name),
            )


def test_adding_the_source_creates_its_kris_with_thresholds(
    client: TestClient, tenant_a: TenantFixture, app_conn: Conn
) -> None:
    created = add_tprm_source(client, tenant_a)
    assert (created["source_type"], created["schedule"], created["kri_count"]) == (
        "tprm",
        "daily",
        len(TPRM_KRIS),
    )
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        rows = app_conn.execute(
            "select slug, unit, direction, warn, critical from tenant.kri where source_id = %s",
            (UUID(created["id"]),),
        ).fetchall()
    assert {tuple(r) for r in rows} == {
        (k.slug, k.unit, k.direction, k.warn, k.critical) for k in TPRM_KRIS
    }


def test_values_and_colours_follow_assessments_and_findings(
    client: TestClient,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    app_conn: Conn,
    database: DraxisDatabase,
    instance: dg.DagsterInstance,
) -> None:
    add_tprm_source(client, tenant_a)
    acme = kit.vendor(app_conn, tenant_a, "acme", tier=1)
    sent = kit.send(app_conn, tenant_a, vendor_id=acme)
    # Tenant B's vendors, assessments and findings never count for A.
    other = kit.vendor(app_conn, tenant_b, "other", tier=1)
    complete(app_conn, tenant_b, kit.send(app_conn, tenant_b, vendor_id=other).assessment_id)
    for i in range(3):
        open_finding(app_conn, tenant_b, other, f"assessment:q{i}", "critical")

    run_cell(instance, database, tenant_a)
    before = latest(app_conn, tenant_a)
    assert before["tprm_current_tier1_pct"][:2] == (0.0, "red")
    assert before["tprm_current_tier1_pct"][2]["not_current_vendors"] == ["Acme"]
    assert before["tprm_findings_open_critical"][:2] == (0.0, "green")
    # Added today: within its 30 onboarding days, not overdue yet.
    assert before["tprm_reassessments_overdue"][:2] == (0.0, "green")
    assert "tprm_current_tier2_pct" not in before  # no tier 2 vendor: no value

    complete(app_conn, tenant_a, sent.assessment_id)
    open_finding(app_conn, tenant_a, acme, "assessment:soc2", "critical")
    run_cell(instance, database, tenant_a)
    after = latest(app_conn, tenant_a)
    assert after["tprm_current_tier1_pct"][:2] == (100.0, "green")
    assert after["tprm_findings_open_critical"][:2] == (1.0, "red")
    assert after["tprm_findings_open_critical"][2] == {"vendors": ["Acme"]}

    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        runs = app_conn.execute(
            "select status, warnings from tenant.source_run r join tenant.kri_source s"
            " on s.id = r.source_id where s.vendor_id = 'tprm' order by r.started_at"
        ).fetchall()
    # No identity source reports apps: drift is not compared, and the run says so.
    assert [(r[0], list(r[1])) for r in runs] == [("succeeded", [NO_IDP])] * 2


def test_drift_opens_notifies_and_resolves_findings(
    client: TestClient,
    tenant_a: TenantFixture,
    app_conn: Conn,
    pipeline_conn: Conn,
    database: DraxisDatabase,
    instance: dg.DagsterInstance,
) -> None:
    add_tprm_source(client, tenant_a)
    owner = owner_id(app_conn, tenant_a)
    slack = kit.vendor(app_conn, tenant_a, "slack", tier=2)
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.vendor set owner_user_id = %s, attested_integrations = '{Okta}'"
            " where id = %s",
            (owner, slack),
        )
    report_apps(pipeline_conn, tenant_a, "Slack Enterprise Grid", "Zoom")

    run_cell(instance, database, tenant_a)
    findings = drift_rows(app_conn, tenant_a)
    assert findings == {
        "drift:undisclosed:slack-enterprise-grid": ("high", "open", None),
        "drift:unconfirmed:okta": ("low", "open", None),
    }
    assert latest(app_conn, tenant_a)["tprm_drift_undisclosed"][:3] == (
        1.0,
        "amber",
        {"vendors": ["Slack"]},
    )
    with scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, owner)):
        told = app_conn.execute(
            "select event, subject_id, link, title from tenant.notification"
            " where event = 'vendor.finding_opened' order by title"
        ).fetchall()
    assert [tuple(r) for r in told] == [
        ("vendor.finding_opened", slack, f"/vendors/{slack}", title)
        for title in (
            "Attested integration not detected: Okta",
            "Undisclosed integration: Slack Enterprise Grid",
        )
    ]

    # The vendor attests Slack and the Okta app appears: both findings resolve, with the reason.
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.vendor set attested_integrations = '{Okta,Slack}',"
            " app_match = '{slack,okta}' where id = %s",
            (slack,),
        )
    report_apps(pipeline_conn, tenant_a, "Slack Enterprise Grid", "Okta Verify")
    run_cell(instance, database, tenant_a)
    assert drift_rows(app_conn, tenant_a) == {
        "drift:undisclosed:slack-enterprise-grid": ("high", "resolved", "now attested"),
        "drift:unconfirmed:okta": ("low", "resolved", "now detected"),
    }
    assert latest(app_conn, tenant_a)["tprm_drift_undisclosed"][:2] == (0.0, "green")

    # The app is reported again without attestation: the resolved finding reopens.
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.vendor set attested_integrations = '{Okta}' where id = %s", (slack,)
        )
    run_cell(instance, database, tenant_a)
    assert drift_rows(app_conn, tenant_a)["drift:undisclosed:slack-enterprise-grid"] == (
        "high",
        "open",
        None,
    )


def drift_rows(conn: Conn, tenant: TenantFixture) -> dict[str, tuple[str, str, str | None]]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        rows = conn.execute(
            "select dedupe_key, severity, status, resolution from tenant.vendor_finding"
            " where source = 'drift'"
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_no_identity_provider_no_drift_findings(
    client: TestClient,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    app_conn: Conn,
    pipeline_conn: Conn,
    database: DraxisDatabase,
    instance: dg.DagsterInstance,
) -> None:
    """Tenant B's IdP apps never stand in for A's: A has none, so A compares nothing."""
    add_tprm_source(client, tenant_a)
    kit.vendor(app_conn, tenant_a, "slack", tier=1)
    report_apps(pipeline_conn, tenant_b, "Slack")
    run_cell(instance, database, tenant_a)
    assert drift_rows(app_conn, tenant_a) == {}
    assert latest(app_conn, tenant_a)["tprm_drift_undisclosed"][0] == 0.0
    detail = latest(app_conn, tenant_a)["tprm_reassessments_overdue"][2]
    assert json.loads(json.dumps(detail)) == {"vendors": []}


def test_a_completed_assessment_makes_the_source_due_now(
    client: TestClient,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    app_conn: Conn,
    database: DraxisDatabase,
    instance: dg.DagsterInstance,
) -> None:
    source = UUID(add_tprm_source(client, tenant_a)["id"])
    acme = kit.vendor(app_conn, tenant_a, "acme", tier=1)
    sent = kit.send(app_conn, tenant_a, vendor_id=acme)
    run_cell(instance, database, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):  # the schedule took today's run
        app_conn.execute(
            "update tenant.kri_source set next_run_at = now() + interval '1 day' where id = %s",
            (source,),
        )
    assert source not in wake_changed(database)
    # Another tenant's completed assessment wakes nothing of A's.
    other = kit.send(app_conn, tenant_b, vendor_id=kit.vendor(app_conn, tenant_b, "o", tier=1))
    complete(app_conn, tenant_b, other.assessment_id)
    assert source not in wake_changed(database)

    complete(app_conn, tenant_a, sent.assessment_id)
    assert source in wake_changed(database)
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        due = app_conn.execute(
            "select next_run_at <= now() from tenant.kri_source where id = %s", (source,)
        ).fetchone()
    assert due == (True,)
    assert source not in wake_changed(database)  # already due: left alone
