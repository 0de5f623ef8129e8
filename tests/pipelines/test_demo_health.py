"""A fresh demo, as `draxis up` makes it (seed, then `draxis materialize`), leaves the Dagster
health view meaningful: partitions for the configured cells only, and asset checks that pass but
for one truthful warning that clears when the analyst fixes its cause.

The demo gets a database of its own: the checks and the grid are about every tenant there is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg
import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.main import create_app
from assets.database import DraxisDatabase
from assets.partitions import source_partitions, tenant_partitions
from cli.seed.demo import TENANTS, seed_demo
from connectors.demo import DemoConnector
from connectors.source_form import validate_source_form
from draxis.db.migrate import migrate
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.scope import Scope, scoped_transaction
from draxis.db.urls import role_conninfo, with_database
from draxis.settings import Settings
from pipelines.bootstrap_runs import materialize_all
from tests.conftest import TEST_DB
from tests.identity import bearer, login

DEMO_DB = f"{TEST_DB}_demo"
PASSWORD = "demo-health-password"
KRIS_LINKED = dg.AssetCheckKey(dg.AssetKey("risk_posture"), "kris_linked")
KRIS_FRESH = dg.AssetCheckKey(dg.AssetKey("risk_posture"), "kris_fresh")


@pytest.fixture
def demo(settings: Settings) -> Iterator[Settings]:
    assert settings.database_url
    admin = with_database(settings.database_url, "postgres")
    drop = sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(DEMO_DB))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(drop)
    demo_settings = settings.model_copy(
        update={"database_url": with_database(settings.database_url, DEMO_DB)}
    )
    migrate(demo_settings)
    with connect(role_conninfo(demo_settings, DbRole.APP)) as conn:
        seed_demo(conn, PASSWORD)
    yield demo_settings
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(drop)


def findings(instance: dg.DagsterInstance, check: dg.AssetCheckKey) -> dict[str, list[str]]:
    """Per tenant, the KRI slugs the check's latest evaluation for that tenant listed."""
    latest: dict[str, list[str]] = {}
    records = instance.event_log_storage.get_asset_check_execution_history(check, limit=100)
    for record in reversed(records):  # oldest first: later evaluations overwrite
        assert record.event is not None
        assert record.event.dagster_event is not None
        evaluation: Any = record.event.dagster_event.event_specific_data
        run = instance.get_run_by_id(record.run_id)
        assert run is not None
        listed = next(v.value for k, v in evaluation.metadata.items() if k != "count")
        tenant = run.tags["dagster/partition"]
        latest[tenant] = list(listed.get(tenant, []))
    return latest


def test_fresh_demo_has_configured_cells_and_honest_checks(demo: Settings) -> None:
    database = DraxisDatabase(database_url=demo.database_url)
    slugs = sorted(t.slug for t in TENANTS)
    with dg.DagsterInstance.ephemeral() as instance:
        summary = materialize_all(instance, database)
        assert summary.failed == []
        assert tenant_partitions.name is not None
        assert source_partitions.name is not None
        # The grid: the demo's tenants × the three sources they configured, not every vendor.
        assert sorted(instance.get_dynamic_partitions(tenant_partitions.name)) == slugs
        assert sorted(instance.get_dynamic_partitions(source_partitions.name)) == [
            "demo",
            "manual",
            "tprm",
        ]
        assert sorted(summary.cells) == sorted(
            f"{source}|{tenant}" for tenant in slugs for source in ("demo", "manual", "tprm")
        )

        # Every demo KRI (the hand-entered tabletop count too) is linked and rolls up.
        assert findings(instance, KRIS_LINKED) == {slug: [] for slug in slugs}
        # Fresh after the first materialization, but for Acme's backup feed, which the seed
        # stopped five days ago on purpose: a truthful warning.
        assert findings(instance, KRIS_FRESH) == {
            "acme-health": ["backup_success_rate_pct"],
            "globex-retail": [],
            "initech": [],
        }

        # The demo's workflows ran: each red KRI is one open task, from one run of "KRI turns red".
        with connect(role_conninfo(demo, DbRole.PIPELINE)) as conn:
            with scoped_transaction(conn, Scope.platform(), read_only=True):
                tenant_ids = [r[0] for r in conn.execute("select id from platform.tenants")]
            with scoped_transaction(conn, Scope.tenants(tenant_ids), read_only=True):
                red = conn.execute(
                    "select count(*) from tenant.kri_status where status = 'red'"
                ).fetchone()
                opened = conn.execute(
                    "select count(distinct r.id), count(t.id) from tenant.workflow_run r"
                    " join tenant.workflow w on w.id = r.workflow_id"
                    " join tenant.task t on t.workflow_run_id = r.id"
                    " where w.name = 'KRI turns red' and t.status = 'open'"
                ).fetchone()
        assert red is not None
        assert red[0] > 0
        assert opened == (red[0], red[0])
        assert tprm_colours(demo, "acme-health") == {
            "tprm_current_tier1_pct": "red",  # payroll assessed, cloud hosting not yet: 50%
            "tprm_current_tier2_pct": "red",  # the e-mail gateway was never assessed
            "tprm_current_tier3_pct": "red",  # nor the office supplier (still onboarding)
            "tprm_reassessments_overdue": "amber",  # the e-mail gateway, onboarded 400 days ago
            "tprm_findings_open_critical": "green",
            "tprm_findings_open_high": "amber",  # from the payroll provider's assessment
            "tprm_findings_open_medium": "green",
            "tprm_drift_undisclosed": "green",  # the demo has no identity provider
        }

        # The analyst fixes the cause: clears "Stopped feeds" on Acme's Demo data source.
        with TestClient(create_app(demo), base_url="https://testserver") as client:
            admin = bearer(login(client, "admin@acme.example", PASSWORD)["access_token"])
            sources = client.get("/api/sources", headers=admin).json()
            source = next(s for s in sources if s["vendor_id"] == "demo")
            patched = client.patch(
                f"/api/sources/{source['id']}", headers=admin, json={"config": {"silent_kris": ""}}
            )
            assert patched.status_code == 200, patched.text
            assert patched.json()["config"]["silent_kris"] == ""

        # The source's next run (and the status and postures that follow it) clears the warning.
        again = materialize_all(instance, database)
        assert again.failed == []
        assert findings(instance, KRIS_FRESH)["acme-health"] == []
        assert findings(instance, KRIS_LINKED)["acme-health"] == []


def tprm_colours(demo: Settings, slug: str) -> dict[str, str]:
    with connect(role_conninfo(demo, DbRole.APP)) as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            row = conn.execute(
                "select id, organization_id from platform.tenants where slug = %s", (slug,)
            ).fetchone()
        assert row is not None
        with scoped_transaction(conn, Scope.tenant(row[0], row[1]), read_only=True):
            rows = conn.execute(
                "select k.slug, s.status from tenant.kri k join tenant.kri_status s"
                " on s.kri_id = k.id where k.slug like 'tprm%%'"
            ).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def test_reseeding_an_older_demo_makes_its_stopped_feeds_editable(demo: Settings) -> None:
    """Demos seeded before the form had the field stored a list, which the form refuses."""
    with connect(role_conninfo(demo, DbRole.APP)) as conn:
        with scoped_transaction(conn, Scope.platform()):
            row = conn.execute(
                "select id, organization_id from platform.tenants where slug = 'acme-health'"
            )
            tenant = row.fetchone()
        assert tenant is not None
        scope = Scope.tenant(tenant[0], tenant[1])
        with scoped_transaction(conn, scope):
            conn.execute(
                "update tenant.kri_source set config = config"
                ' || \'{"silent_kris": ["backup_success_rate_pct", "mfa_adoption_pct"]}\''
                " where vendor_id = 'demo'"
            )
        seed_demo(conn, PASSWORD)
        with scoped_transaction(conn, scope, read_only=True):
            config = conn.execute(
                "select config from tenant.kri_source where vendor_id = 'demo'"
            ).fetchone()
    assert config is not None
    assert config[0]["silent_kris"] == "backup_success_rate_pct,mfa_adoption_pct"
    form = validate_source_form(DemoConnector(), config[0], {})
    assert form.config["silent_kris"] == "backup_success_rate_pct,mfa_adoption_pct"


def test_the_demos_accepted_risk_is_formally_accepted(demo: Settings) -> None:
    """Acme (an admin and an analyst) accepts its slow incident response as the product does;
    a tenant with a single admin cannot approve its own request, so the risk stays open there.
    Re-seeding changes nothing."""
    found: dict[str, tuple[str, str | None]] = {}
    with connect(role_conninfo(demo, DbRole.APP)) as conn:
        seed_demo(conn, PASSWORD)
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            tenants = conn.execute("select slug, id, organization_id from platform.tenants")
            rows = tenants.fetchall()
        for slug, tenant_id, org_id in rows:
            with scoped_transaction(conn, Scope.tenant(tenant_id, org_id), read_only=True):
                risk = conn.execute(
                    "select r.status, (select string_agg(a.status, ',')"
                    " from tenant.risk_acceptance a where a.risk_id = r.id)"
                    " from tenant.risk r where r.slug = 'slow_incident_response'"
                ).fetchone()
            assert risk is not None
            found[str(slug)] = (str(risk[0]), risk[1])
    assert found["acme-health"] == ("accepted", "approved")
    assert {s: v for s, v in found.items() if s != "acme-health"} == dict.fromkeys(
        [s for s in found if s != "acme-health"], ("open", None)
    )


def test_the_demo_has_third_party_risk(demo: Settings) -> None:
    """Each demo tenant: vendor profiles with contacts, both shipped questionnaires published,
    one completed assessment with scored answers and one open, and the tprm source with its KRIs.
    Re-seeding changes none of it."""

    def tprm(conn: psycopg.Connection[Any]) -> dict[str, tuple[Any, ...]]:
        found: dict[str, tuple[Any, ...]] = {}
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            rows = conn.execute("select slug, id, organization_id from platform.tenants")
            tenants = rows.fetchall()
        for slug, tenant_id, org_id in tenants:
            with scoped_transaction(conn, Scope.tenant(tenant_id, org_id), read_only=True):
                row = conn.execute(
                    "select (select count(*) from tenant.vendor_contact),"
                    " (select count(*) from tenant.vendor where criticality = 'critical'),"
                    " (select count(*) from tenant.questionnaire_version"
                    "   where status = 'published'),"
                    " (select string_agg(status, ',' order by status) from tenant.assessment),"
                    " (select count(*) from tenant.assessment_answer where auto_score is not null),"
                    " (select count(*) from tenant.assessment where score is not null),"
                    " (select count(*) from tenant.kri k join tenant.kri_source s"
                    "   on s.id = k.source_id where s.vendor_id = 'tprm')"
                ).fetchone()
            assert row is not None
            found[str(slug)] = tuple(row)
        return found

    with connect(role_conninfo(demo, DbRole.APP)) as conn:
        first = tprm(conn)
        seed_demo(conn, PASSWORD)
        assert tprm(conn) == first
    for contacts, critical, published, statuses, scored, with_score, kris in first.values():
        assert (contacts, critical, published, statuses) == (4, 1, 2, "completed,sent")
        assert scored > 0
        assert (with_score, kris) == (1, 8)
