"""The pipeline: a partition materializes in-process and its rows land under the right tenant."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
import polars as pl
import psycopg
import pytest
from psycopg.rows import TupleRow

import assets.kri.asset as observations_module
from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import add_cells, partition_key
from assets.status.asset import kri_status
from connectors.base import ConnectorContext, ProbeResult, RunResult
from connectors.demo import CATALOG, HISTORY_DAYS, DemoConnector
from connectors.registry import vendor_ids
from draxis.db.scope import Scope, scoped_transaction
from pipelines.definitions import defs
from pipelines.sensors import tenant_partitions_sensor
from tests.factories import TenantFixture, create_tenant

Conn = psycopg.Connection[TupleRow]


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def materialize_cell(
    instance: dg.DagsterInstance, database: DraxisDatabase, tenant: TenantFixture
) -> dg.ExecuteInProcessResult:
    add_cells(instance, [tenant.slug], ["demo"])
    return dg.materialize(
        [kri_observations],
        partition_key=str(partition_key(tenant.slug, "demo")),
        instance=instance,
        resources={"database": database},
        raise_on_error=False,
    )


def observations(conn: Conn, tenant: TenantFixture) -> list[tuple[Any, ...]]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        return conn.execute(
            "select tenant_id, kri_id, observed_at, value, detail, run_id, recorded_at"
            " from tenant.kri_observation order by kri_id, observed_at"
        ).fetchall()


def source_runs(conn: Conn, tenant: TenantFixture) -> list[tuple[Any, ...]]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        return conn.execute(
            "select status, rows_written, rows_skipped, items_fetched, error"
            " from tenant.source_run order by started_at"
        ).fetchall()


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)
    sensors = {s.name: s for s in defs.sensors or []}
    assert set(sensors) == {
        "tenant_partitions_sensor",
        "kri_automation_sensor",
        "risk_model_sensor",
        "scheduled_sources_sensor",
        "run_now_sensor",
        "dead_runs_sensor",
        "board_reports_sensor",
        "workflow_waits_sensor",
        "notification_delivery_sensor",
        "assessment_evaluation_sensor",
        "tprm_changes_sensor",
        "run_success_count_sensor",
        "run_failure_count_sensor",
        "run_canceled_count_sensor",
    }
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    assert {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()} == {
        "kri_observations",
        "kri_status",
        "risk_posture",
        "outcome_posture",
        "tenant_posture",
        "carrier_portfolio",
        "board_reports",
        "workflows",
    }


def test_partition_lands_under_its_tenant_only(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    result = materialize_cell(instance, database, tenant_a)
    assert result.success
    rows = observations(app_conn, tenant_a)
    assert len(rows) == HISTORY_DAYS * len(tenant_a.kri_slugs)
    assert {r[0] for r in rows} == {tenant_a.id}
    assert observations(app_conn, tenant_b) == []
    assert source_runs(app_conn, tenant_a) == [("succeeded", len(rows), 0, len(CATALOG), None)]


def test_rematerializing_changes_nothing(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    assert materialize_cell(instance, database, tenant_a).success
    before = observations(app_conn, tenant_a)
    assert materialize_cell(instance, database, tenant_a).success
    assert observations(app_conn, tenant_a) == before
    assert [r[1] for r in source_runs(app_conn, tenant_a)] == [len(before), 0]


def test_unwired_slugs_are_skipped_not_errors(
    instance: dg.DagsterInstance, database: DraxisDatabase, app_conn: Conn
) -> None:
    tenant = create_tenant(app_conn, "skip", unwired=("privileged_accounts",))
    assert materialize_cell(instance, database, tenant).success
    [(status, written, skipped, _, error)] = source_runs(app_conn, tenant)
    assert (status, written, skipped, error) == (
        "succeeded",
        HISTORY_DAYS * (len(CATALOG) - 1),
        HISTORY_DAYS,
        None,
    )


class BrokenConnector(DemoConnector):
    """Returns a frame that breaks the contract: a NaN value and a malformed slug."""

    def run(self, ctx: ConnectorContext) -> RunResult:
        good = super().run(ctx).observations
        bad = good.with_columns(
            pl.when(pl.int_range(pl.len()) == 0)
            .then(float("nan"))
            .otherwise(pl.col("value"))
            .alias("value"),
            pl.when(pl.int_range(pl.len()) == 1)
            .then(pl.lit("Not A Slug"))
            .otherwise(pl.col("kri_slug"))
            .alias("kri_slug"),
        )
        return RunResult(observations=bad, items_fetched=12)

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        return ProbeResult(True, "broken on purpose")


def test_bad_frame_fails_the_run_naming_the_column_and_writes_nothing(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    tenant_a: TenantFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        observations_module, "connector_for", lambda _vendor, _type: BrokenConnector()
    )
    result = materialize_cell(instance, database, tenant_a)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert failure is not None
    assert "column 'value' check finite" in failure.message
    assert "column 'kri_slug' check str_matches" in failure.message
    assert observations(app_conn, tenant_a) == []
    [(status, written, _, _, error)] = source_runs(app_conn, tenant_a)
    assert (status, written) == ("failed", 0)
    assert "column 'value'" in error


def test_a_ranged_run_goes_on_past_a_failing_cell(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One broken source in a batched refresh fails its own cell, not the others."""
    first, second = sorted([tenant_a, tenant_b], key=lambda t: t.slug)

    def connector(_vendor: str, _type: str) -> DemoConnector:
        # The first cell of the range gets the broken connector, the second the real one.
        broken = not observations(app_conn, second) and not source_runs(app_conn, first)
        return BrokenConnector() if broken else DemoConnector()

    monkeypatch.setattr(observations_module, "connector_for", connector)
    add_cells(instance, [first.slug, second.slug], ["demo"])
    result = dg.materialize(
        [kri_observations],
        instance=instance,
        resources={"database": database},
        tags={
            "dagster/asset_partition_range_start": str(partition_key(first.slug, "demo")),
            "dagster/asset_partition_range_end": str(partition_key(second.slug, "demo")),
        },
        raise_on_error=False,
    )
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    assert error is not None
    assert f"1 of 2 partitions failed: demo|{first.slug}" in error.message
    assert [r[0] for r in source_runs(app_conn, first)] == ["failed"]
    assert [r[0] for r in source_runs(app_conn, second)] == ["succeeded"]
    assert observations(app_conn, first) == []
    assert len(observations(app_conn, second)) == HISTORY_DAYS * len(second.kri_slugs)


def test_unconfigured_cell_fails_with_a_readable_message(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute("update tenant.kri_source set enabled = false")
    result = materialize_cell(instance, database, tenant_a)
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    assert error is not None
    assert "has no enabled 'demo' source configured" in error.message


def test_kri_status_colours_every_kri(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    assert materialize_cell(instance, database, tenant_a).success
    result = dg.materialize(
        [kri_status],
        partition_key=tenant_a.slug,
        instance=instance,
        resources={"database": database},
    )
    assert result.success
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        rows = app_conn.execute(
            "select k.slug, s.status, s.value, s.observed_at from tenant.kri k"
            " join tenant.kri_status s on s.kri_id = k.id"
        ).fetchall()
        latest: dict[str, float] = dict(
            app_conn.execute(
                "select distinct on (k.slug) k.slug, o.value from tenant.kri_observation o"
                " join tenant.kri k on k.id = o.kri_id order by k.slug, o.observed_at desc"
            ).fetchall()
        )
    assert len(rows) == len(tenant_a.kri_slugs)
    assert {slug: value for slug, _, value, _ in rows} == latest
    assert {status for _, status, _, _ in rows} <= {"green", "amber", "red"}


def test_tenant_sensor_adds_and_deletes_partitions(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    """Both dimensions follow what is configured: active tenants, and the vendors some active
    tenant has a source of (not every vendor of the registry)."""
    add_cells(instance, ["gone-tenant"], ["retired-vendor"])
    context = dg.build_sensor_context(instance=instance, resources={"database": database})
    result = tenant_partitions_sensor(context)
    assert isinstance(result, dg.SensorResult)
    requests = result.dynamic_partitions_requests or []

    def keys(kind: type, dimension: str) -> list[str]:
        return [
            k
            for r in requests
            if isinstance(r, kind) and r.partitions_def_name == dimension
            for k in r.partition_keys
        ]

    # Vendors the registry knows (another test registers a vendor only while it runs).
    configured = set(vendor_ids()) & {
        str(r[0])
        for r in observer_conn.execute(
            "select distinct s.vendor_id from tenant.kri_source s"
            " join platform.tenants t on t.id = s.tenant_id where t.deleted_at is null"
        ).fetchall()
    }
    assert tenant_a.slug in keys(dg.AddDynamicPartitionsRequest, "tenant")
    assert keys(dg.DeleteDynamicPartitionsRequest, "tenant") == ["gone-tenant"]
    assert set(keys(dg.AddDynamicPartitionsRequest, "source")) == configured
    assert "demo" in configured
    assert configured < set(vendor_ids())  # not the registry's every vendor
    assert keys(dg.DeleteDynamicPartitionsRequest, "source") == ["retired-vendor"]

    # Applied, the next tick has nothing to do.
    for request in requests:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)
    again = tenant_partitions_sensor(context)
    assert isinstance(again, dg.SensorResult)
    assert not again.dynamic_partitions_requests


def test_pipeline_role_reads_no_user_but_its_batchs_recipients(
    pipeline_conn: Conn, tenant_a: TenantFixture
) -> None:
    """Notification delivery (migration 0019) reads recipients' addresses: only in a batch
    scope, only the batch's tenants' users, only id, tenant, e-mail, name, active flag and role
    (0020: whom an acceptance's expiry notifies)."""
    with scoped_transaction(pipeline_conn, Scope.platform(), read_only=True):
        assert pipeline_conn.execute("select count(*) from platform.users").fetchone() == (0,)
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id]), read_only=True):
        rows = pipeline_conn.execute("select email from platform.users").fetchall()
        assert rows == [(tenant_a.user_email,)]
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id]), read_only=True),
    ):
        pipeline_conn.execute("select password_hash from platform.users")
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id]), read_only=True):
        assert pipeline_conn.execute("select count(role) from platform.users").fetchone() == (1,)


def test_pipeline_role_sees_only_its_batchs_members_and_their_roles(
    pipeline_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    """Workflow steps assign and notify roles (migration 0017): who holds them, no more (the
    columns are id, tenant, role, active and display name; see the test above)."""
    query = "select distinct tenant_id, role from platform.users"
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id]), read_only=True):
        in_batch = pipeline_conn.execute(query).fetchall()
    assert in_batch == [(tenant_a.id, "tenant_admin")]


def test_job_runs_log_json_lines(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_cells(instance, [tenant_a.slug], ["demo"])
    job = defs.resolve_job_def("kri_observations_job")
    result = job.execute_in_process(
        partition_key=str(partition_key(tenant_a.slug, "demo")),
        instance=instance,
        resources={"database": database},
    )
    assert result.success
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    mine = [line for line in lines if line.get("run_id") == result.run_id]
    assert mine, "expected JSON log lines for the run"
    assert any(line["msg"].startswith(f"materialized demo|{tenant_a.slug}") for line in mine)
    assert {line["job"] for line in mine} == {"kri_observations_job"}
