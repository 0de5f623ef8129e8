"""The application inventory a source reports, written by the `kri_observations` run into
`tenant.identity_app` in its write transaction: per tenant under RLS, replaced run by run, kept
as it was when a run could not list apps, and checked before it is written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg
import pytest

from assets.database import DraxisDatabase
from assets.kri.identity_apps import MAX_APPS, MAX_NAME, prepare, provider_of
from assets.partitions import partition_key
from connectors import registry
from connectors.base import Application, ConnectorContext, RunResult
from connectors.demo import CATALOG, DemoConnector
from connectors.errors import AuthFailed
from connectors.identity_apps import read_applications, with_applications
from connectors.kri_groups import KriGroups
from draxis.db.scope import scoped_transaction
from pipelines.definitions import defs
from tests.conftest import Conn
from tests.factories import TenantFixture, know


class IdentityDemo(DemoConnector):
    """The demo source, reporting the apps its test sets per tenant (None: not listed)."""

    def __init__(self) -> None:
        self.apps: dict[str, tuple[Application, ...] | None] = {}
        self.denied: set[str] = set()

    def run(self, ctx: ConnectorContext) -> RunResult:
        result = super().run(ctx)
        groups = KriGroups("demo")
        if ctx.tenant_slug in self.denied:

            def refused() -> list[Application]:
                raise AuthFailed(
                    "demo: the API token lacks permission (403) on GET /apps", status=403
                )

            apps = read_applications(groups, "demo.apps.read", refused)
        else:
            apps = self.apps.get(ctx.tenant_slug)
        result = with_applications(result, apps)
        return RunResult(
            result.observations, result.items_fetched, tuple(groups.warnings), result.applications
        )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


@pytest.fixture
def connector(monkeypatch: pytest.MonkeyPatch) -> IdentityDemo:
    demo = IdentityDemo()
    monkeypatch.setitem(registry.REGISTRY, "demo", demo)
    return demo


def execute(instance: dg.DagsterInstance, database: DraxisDatabase, tenant: TenantFixture) -> None:
    know(instance, tenant)
    result = defs.resolve_job_def("kri_observations_job").execute_in_process(
        partition_key=str(partition_key(tenant.slug, "demo")),
        instance=instance,
        resources={"database": database},
        raise_on_error=False,
    )
    assert result.success


def apps_seen_by(conn: Conn, tenant: TenantFixture) -> list[tuple[Any, ...]]:
    """The inventory as the app's role sees it under the tenant's scope."""
    with scoped_transaction(conn, tenant.scope, read_only=True):
        return conn.execute(
            "select tenant_id, source_id, provider, app_id, name, active from tenant.identity_app"
            " order by app_id"
        ).fetchall()


def last_run(observer: Conn, tenant: TenantFixture) -> dict[str, Any]:
    cur = observer.execute(
        "select status, warnings, items_summary, rows_written from tenant.source_run"
        " where source_id = %s order by started_at desc limit 1",
        (tenant.source_id,),
    )
    row = cur.fetchone()
    assert row is not None
    assert cur.description is not None
    return {c.name: v for c, v in zip(cur.description, row, strict=True)}


def test_a_run_writes_its_apps_and_each_tenant_sees_only_its_own(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    connector: IdentityDemo,
) -> None:
    connector.apps[tenant_a.slug] = (Application("crm", "Acme CRM"), Application("slack", "Slack"))
    connector.apps[tenant_b.slug] = (Application("payroll", "Payroll SaaS", active=False),)
    execute(instance, database, tenant_a)
    execute(instance, database, tenant_b)

    assert apps_seen_by(app_conn, tenant_a) == [
        (tenant_a.id, tenant_a.source_id, "demo", "crm", "Acme CRM", True),
        (tenant_a.id, tenant_a.source_id, "demo", "slack", "Slack", True),
    ]
    assert apps_seen_by(app_conn, tenant_b) == [
        (tenant_b.id, tenant_b.source_id, "demo", "payroll", "Payroll SaaS", False),
    ]
    run = last_run(observer_conn, tenant_a)
    assert run["status"] == "succeeded"
    assert run["items_summary"]["applications"] == 2
    assert run["warnings"] == []
    # Tenant B's scope, asked for A's rows by their keys, still sees none.
    with scoped_transaction(app_conn, tenant_b.scope, read_only=True):
        row = app_conn.execute(
            "select count(*) from tenant.identity_app where tenant_id = %s", (tenant_a.id,)
        ).fetchone()
    assert row == (0,)


def test_a_later_run_replaces_the_inventory_and_drops_apps_no_longer_listed(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    connector: IdentityDemo,
) -> None:
    connector.apps[tenant_a.slug] = (
        Application("crm", "Acme CRM"),
        Application("slack", "Slack"),
        Application("old", "Old tool"),
    )
    execute(instance, database, tenant_a)
    first: dict[str, Any] = dict(
        observer_conn.execute(
            "select app_id, seen_at from tenant.identity_app where source_id = %s",
            (tenant_a.source_id,),
        ).fetchall()
    )
    connector.apps[tenant_a.slug] = (
        Application("crm", "Acme CRM 2", active=False),
        Application("payroll", "Payroll SaaS"),
    )
    execute(instance, database, tenant_a)

    assert [r[3:] for r in apps_seen_by(app_conn, tenant_a)] == [
        ("crm", "Acme CRM 2", False),
        ("payroll", "Payroll SaaS", True),
    ]
    seen: dict[str, Any] = dict(
        observer_conn.execute(
            "select app_id, seen_at from tenant.identity_app where source_id = %s",
            (tenant_a.source_id,),
        ).fetchall()
    )
    assert seen["crm"] > first["crm"]  # seen again by this run
    # A run that lists none empties it: an empty list is a list.
    connector.apps[tenant_a.slug] = ()
    execute(instance, database, tenant_a)
    assert apps_seen_by(app_conn, tenant_a) == []
    assert last_run(observer_conn, tenant_a)["items_summary"]["applications"] == 0


def test_a_listing_the_credentials_may_not_read_keeps_the_kris_and_the_previous_apps(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    connector: IdentityDemo,
) -> None:
    connector.apps[tenant_a.slug] = (Application("crm", "Acme CRM"),)
    execute(instance, database, tenant_a)
    before = apps_seen_by(app_conn, tenant_a)
    observer_conn.execute("delete from tenant.kri_observation where tenant_id = %s", (tenant_a.id,))

    connector.denied.add(tenant_a.slug)
    execute(instance, database, tenant_a)

    run = last_run(observer_conn, tenant_a)
    assert run["status"] == "succeeded"
    assert run["rows_written"] > 0  # every KRI written again
    [warning] = run["warnings"]
    assert "demo.apps.read" in warning
    assert "previous list is kept" in warning
    assert "applications" not in run["items_summary"]
    assert apps_seen_by(app_conn, tenant_a) == before
    row = observer_conn.execute(
        "select count(distinct kri_id) from tenant.kri_observation where tenant_id = %s",
        (tenant_a.id,),
    ).fetchone()
    assert row == (len(CATALOG),)


def test_an_oversized_inventory_is_capped_with_a_warning(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    connector: IdentityDemo,
) -> None:
    connector.apps[tenant_a.slug] = tuple(
        Application(f"app-{n:05d}", f"App {n}") for n in range(MAX_APPS + 7)
    )
    execute(instance, database, tenant_a)
    assert len(apps_seen_by(app_conn, tenant_a)) == MAX_APPS
    run = last_run(observer_conn, tenant_a)
    assert run["items_summary"]["applications"] == MAX_APPS
    [warning] = run["warnings"]
    assert "5,007 applications listed" in warning
    assert "first 5,000" in warning


# The checks before the write (pure) ----------------------------------------------------------


def test_prepare_drops_unusable_ids_merges_duplicates_and_fits_names() -> None:
    long_name = "N" * (MAX_NAME + 50)
    prepared = prepare(
        "okta",
        [
            Application(" a1 ", "First"),
            Application("a1", "Duplicate, later"),
            Application("", "No id"),
            Application("x" * 201, "Id too long"),
            Application("a2\x00", long_name),
            Application("a3", "  "),
        ],
    )
    assert prepared.apps == (
        Application("a1", "First"),
        Application("a2", "N" * MAX_NAME),
        Application("a3", "a3"),
    )
    [warning] = prepared.warnings
    assert warning.startswith("okta: 2 listed application(s) without a usable id")


def test_prepare_keeps_an_inventory_within_the_cap_untouched() -> None:
    apps = tuple(Application(f"id{n}", f"App {n}", n % 2 == 0) for n in range(MAX_APPS))
    assert prepare("entra-id", apps).apps == apps
    assert prepare("entra-id", apps).warnings == ()


@pytest.mark.parametrize(
    ("vendor", "provider"),
    [("okta", "okta"), ("entra-id", "entra_id"), ("google-workspace", "google_workspace")],
)
def test_the_provider_column_follows_the_vendor_id(vendor: str, provider: str) -> None:
    assert provider_of(vendor) == provider


def test_a_vendor_id_the_provider_column_cannot_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="no valid identity_app provider"):
        provider_of("v2-idp")
