"""Editing a tenant's risk model asks the pipeline to recompute that tenant, once per edit."""

from __future__ import annotations

import dagster as dg

from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from pipelines.model_changes import changed_since
from pipelines.sensors import risk_model_sensor
from tests.conftest import Conn
from tests.factories import TenantFixture


def test_changed_since_compares_revisions_with_the_cursor() -> None:
    assert changed_since(None, {"a": 1, "b": 2}) == ["a", "b"]
    assert changed_since('{"a": 1, "b": 2}', {"a": 1, "b": 3, "c": 1}) == ["b", "c"]


def _tick(
    instance: dg.DagsterInstance, database: DraxisDatabase, cursor: str | None
) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"database": database}
    )
    result = risk_model_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def test_a_threshold_edit_requests_one_recomputation_of_that_tenant(
    settings: Settings, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, [tenant_a.slug, tenant_b.slug])
        first = _tick(instance, database, None)
        # Creating the tenants' KRIs was an edit: both get one run at first sight.
        assert {r.partition_key for r in first.run_requests or []} >= {tenant_a.slug, tenant_b.slug}
        quiet = _tick(instance, database, first.cursor)
        assert not quiet.run_requests
        with scoped_transaction(app_conn, tenant_a.scope):
            app_conn.execute(
                "update tenant.kri set warn = warn where slug = %s", (tenant_a.kri_slugs[0],)
            )
        edited = _tick(instance, database, quiet.cursor)
        assert [r.partition_key for r in edited.run_requests or []] == [tenant_a.slug]
        again = _tick(instance, database, quiet.cursor)  # the same tick replayed
        assert [r.run_key for r in again.run_requests or []] == [
            r.run_key for r in edited.run_requests or []
        ]
