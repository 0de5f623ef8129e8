"""Sources run by the pipeline: the scheduler and Run-now sensors, and what a run records on its
source, its `source_run` row and the request that asked for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import dagster as dg
import psycopg
import pytest
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.kri import lease as source_lease
from assets.kri import store
from assets.kri.scheduling import request_run_key, schedule_run_key
from assets.partitions import add_cells, partition_key
from assets.run_tags import REQUEST_TAG, TRIGGER_TAG, VENDOR_TAG
from connectors import registry
from connectors.base import ConnectorContext, RunResult
from connectors.credentials import seal_credentials
from connectors.demo import CATALOG, HISTORY_DAYS, DemoConnector
from connectors.errors import UpstreamFailed
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from pipelines.definitions import defs
from pipelines.sensors import run_now_sensor, scheduled_sources_sensor, tenant_partitions_sensor
from tests.conftest import Conn
from tests.factories import TenantFixture, create_tenant, know, request_run
from tests.identity import bearer, login

SLACK = timedelta(seconds=30)


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def tick(
    sensor: dg.SensorDefinition, instance: dg.DagsterInstance, database: DraxisDatabase
) -> list[dg.RunRequest]:
    result = sensor(dg.build_sensor_context(instance=instance, resources={"database": database}))
    assert isinstance(result, dg.SensorResult)
    return list(result.run_requests or [])


def db_now(conn: Conn) -> datetime:
    row = conn.execute("select now()").fetchone()
    assert row is not None
    assert isinstance(row[0], datetime)
    return row[0]


def source_state(observer: Conn, source_id: UUID) -> dict[str, Any]:
    cur = observer.execute(
        "select schedule, enabled, next_run_at, consecutive_failures, backoff_until,"
        " last_run_at, last_run_status from tenant.kri_source where id = %s",
        (source_id,),
    )
    row = cur.fetchone()
    assert row is not None
    assert cur.description is not None
    return {c.name: v for c, v in zip(cur.description, row, strict=True)}


def request_row(observer: Conn, request_id: UUID) -> dict[str, Any]:
    cur = observer.execute(
        "select status, launched_at, finished_at, dagster_run_id, source_run_id, error"
        " from tenant.run_request where id = %s",
        (request_id,),
    )
    row = cur.fetchone()
    assert row is not None
    assert cur.description is not None
    return {c.name: v for c, v in zip(cur.description, row, strict=True)}


def run_rows(observer: Conn, source_id: UUID) -> list[dict[str, Any]]:
    cur = observer.execute(
        "select id, status, trigger, request_id, dagster_run_id, error, warnings, items_summary,"
        " fetch_ms, write_ms, rows_written, items_fetched from tenant.source_run"
        " where source_id = %s order by started_at",
        (source_id,),
    )
    assert cur.description is not None
    names = [c.name for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def execute(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    tenant: TenantFixture,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("kri_observations_job")
    return job.execute_in_process(
        partition_key=str(partition_key(tenant.slug, "demo")),
        instance=instance,
        resources={"database": database},
        tags=tags or {},
        raise_on_error=False,
    )


def set_source(conn: Conn, tenant: TenantFixture, assignments: str, *params: Any) -> None:
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            f"update tenant.kri_source set {assignments} where id = %s",
            (*params, tenant.source_id),
        )


# The Run-now sensor -------------------------------------------------------------------------


def test_run_now_sensor_launches_each_pending_request_once(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    know(instance, tenant_a)  # tenant B's partition does not exist yet
    mine = request_run(app_conn, tenant_a)
    waiting = request_run(app_conn, tenant_b)
    [launched] = tick(run_now_sensor, instance, database)
    assert launched.run_key == request_run_key(str(mine)) == f"run-now:{mine}"
    assert launched.partition_key == str(partition_key(tenant_a.slug, "demo"))
    assert launched.tags == {
        "tenant": tenant_a.slug,
        VENDOR_TAG: "demo",
        TRIGGER_TAG: "run_now",
        REQUEST_TAG: str(mine),
    }
    row = request_row(observer_conn, mine)
    assert row["status"] == "launched"
    assert row["launched_at"] is not None
    assert request_row(observer_conn, waiting)["status"] == "pending"
    assert tick(run_now_sensor, instance, database) == []
    # Once B's partition exists, its request goes (and A's is not taken again).
    know(instance, tenant_b)
    [later] = tick(run_now_sensor, instance, database)
    assert later.run_key == f"run-now:{waiting}"
    assert tick(run_now_sensor, instance, database) == []


def test_run_now_waits_for_its_source_partition(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    """The source dimension holds configured vendors only: a cell whose vendor has no column
    yet waits (pending) for the partitions sensor, as a new tenant's does."""
    add_cells(instance, [tenant_a.slug], [])
    mine = request_run(app_conn, tenant_a)
    assert tick(run_now_sensor, instance, database) == []
    assert request_row(observer_conn, mine)["status"] == "pending"
    partitions = tenant_partitions_sensor(
        dg.build_sensor_context(instance=instance, resources={"database": database})
    )
    assert isinstance(partitions, dg.SensorResult)
    for request in partitions.dynamic_partitions_requests or []:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    # Other tests' tenants got their partitions in the same tick: only this request is ours.
    launched = [r.run_key for r in tick(run_now_sensor, instance, database)]
    assert launched.count(f"run-now:{mine}") == 1


# The scheduler ------------------------------------------------------------------------------


def test_a_due_daily_source_is_requested_once_and_advanced_a_day(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    assert source_state(observer_conn, tenant_a.source_id)["next_run_at"] is None
    before = db_now(observer_conn)
    [first] = tick(scheduled_sources_sensor, instance, database)
    assert first.run_key == f"schedule:{tenant_a.source_id}:first"
    assert first.partition_key == str(partition_key(tenant_a.slug, "demo"))
    assert first.tags == {"tenant": tenant_a.slug, VENDOR_TAG: "demo", TRIGGER_TAG: "schedule"}
    due = source_state(observer_conn, tenant_a.source_id)["next_run_at"]
    assert before + timedelta(days=1) - SLACK <= due <= db_now(observer_conn) + timedelta(days=1)
    assert tick(scheduled_sources_sensor, instance, database) == []
    assert source_state(observer_conn, tenant_a.source_id)["next_run_at"] == due
    # Its next due time passes: one more run, keyed by that due time.
    set_source(app_conn, tenant_a, "next_run_at = now() - interval '1 minute', schedule = 'hourly'")
    past = source_state(observer_conn, tenant_a.source_id)["next_run_at"]
    [second] = tick(scheduled_sources_sensor, instance, database)
    assert second.run_key == schedule_run_key(str(tenant_a.source_id), past)
    assert second.run_key != first.run_key
    hourly = source_state(observer_conn, tenant_a.source_id)["next_run_at"]
    assert abs(hourly - (db_now(observer_conn) + timedelta(hours=1))) < SLACK
    assert tick(scheduled_sources_sensor, instance, database) == []


@pytest.mark.parametrize(
    ("assignments", "reason"),
    [
        ("backoff_until = now() + interval '5 minutes'", "backing off"),
        ("schedule = 'manual'", "manual"),
        ("enabled = false", "disabled"),
        ("next_run_at = now() + interval '1 minute'", "not due yet"),
    ],
)
def test_sources_not_due_are_left_alone(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    assignments: str,
    reason: str,
) -> None:
    tenant = create_tenant(app_conn, "sched")
    set_source(app_conn, tenant, assignments)
    know(instance, tenant)
    before = source_state(observer_conn, tenant.source_id)
    assert tick(scheduled_sources_sensor, instance, database) == [], reason
    assert source_state(observer_conn, tenant.source_id) == before


def test_a_source_whose_backoff_expired_is_due_again(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    set_source(
        app_conn,
        tenant_a,
        "backoff_until = now() - interval '1 second', next_run_at = now() - interval '1 hour'",
    )
    know(instance, tenant_a)
    assert len(tick(scheduled_sources_sensor, instance, database)) == 1


# What a run records -------------------------------------------------------------------------


def test_a_run_now_request_runs_and_records_everything(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    client: TestClient,
) -> None:
    # A source that failed twice before: a success clears that.
    set_source(
        app_conn,
        tenant_a,
        "consecutive_failures = 2, backoff_until = now() + interval '10 minutes',"
        " last_run_status = 'failed'",
    )
    know(instance, tenant_a)
    request_id = request_run(app_conn, tenant_a)
    [launched] = tick(run_now_sensor, instance, database)
    result = execute(instance, database, tenant_a, dict(launched.tags))
    assert result.success
    [run] = run_rows(observer_conn, tenant_a.source_id)
    assert run["status"] == "succeeded"
    assert run["trigger"] == "run_now"
    assert run["request_id"] == request_id
    assert run["dagster_run_id"] == result.run_id
    assert run["error"] is None
    assert run["warnings"] == []
    assert run["fetch_ms"] is not None
    assert run["fetch_ms"] >= 0
    assert run["write_ms"] is not None
    assert run["write_ms"] >= 0
    assert run["items_summary"] == {
        "kris": len(CATALOG),
        "observations": HISTORY_DAYS * len(CATALOG),
    }
    assert (run["rows_written"], run["items_fetched"]) == (
        HISTORY_DAYS * len(CATALOG),
        len(CATALOG),
    )
    request = request_row(observer_conn, request_id)
    assert request["status"] == "succeeded"
    assert request["source_run_id"] == run["id"]
    assert request["dagster_run_id"] == result.run_id
    assert request["finished_at"] is not None
    assert request["error"] is None
    state = source_state(observer_conn, tenant_a.source_id)
    assert state["last_run_status"] == "succeeded"
    assert state["last_run_at"] is not None
    assert (state["consecutive_failures"], state["backoff_until"]) == (0, None)
    # The API shows the same.
    headers = bearer(login(client, tenant_a.user_email)["access_token"])
    shown = client.get(f"/api/run-requests/{request_id}", headers=headers).json()
    assert (shown["status"], shown["source_run_id"]) == ("succeeded", str(run["id"]))
    listed = client.get(f"/api/sources/{tenant_a.source_id}/runs", headers=headers).json()
    assert [r["id"] for r in listed["items"]] == [str(run["id"])]
    detail = client.get(f"/api/runs/{run['id']}", headers=headers).json()
    assert (detail["trigger"], detail["request_id"]) == ("run_now", str(request_id))
    assert detail["items_summary"] == run["items_summary"]
    assert (
        client.get(f"/api/sources/{tenant_a.source_id}", headers=headers).json()["last_run_status"]
        == "succeeded"
    )
    # The request is closed: Run now may be clicked again.
    again = client.post(f"/api/sources/{tenant_a.source_id}/run", headers=headers)
    assert again.status_code == 202


def test_a_run_without_tags_is_a_backfill(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    assert execute(instance, database, tenant_a).success
    [run] = run_rows(observer_conn, tenant_a.source_id)
    assert (run["trigger"], run["request_id"]) == ("backfill", None)


class FailingConnector(DemoConnector):
    def run(self, ctx: ConnectorContext) -> RunResult:
        raise UpstreamFailed("demo: 503 Service Unavailable on GET /v1/things", status=503)


def test_a_failing_source_records_the_error_and_backs_off(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(registry.REGISTRY, "demo", FailingConnector())
    know(instance, tenant_a)
    request_id = request_run(app_conn, tenant_a)
    [launched] = tick(run_now_sensor, instance, database)
    result = execute(instance, database, tenant_a, dict(launched.tags))
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    assert error is not None
    assert "503 Service Unavailable" in error.message
    [run] = run_rows(observer_conn, tenant_a.source_id)
    assert run["status"] == "failed"
    assert run["error"] == "demo: 503 Service Unavailable on GET /v1/things"
    assert (run["trigger"], run["request_id"]) == ("run_now", request_id)
    request = request_row(observer_conn, request_id)
    assert request["status"] == "failed"
    assert request["error"] == "demo: 503 Service Unavailable on GET /v1/things"
    assert request["source_run_id"] == run["id"]
    assert request["finished_at"] is not None
    state = source_state(observer_conn, tenant_a.source_id)
    now = db_now(observer_conn)
    assert state["consecutive_failures"] == 1
    assert state["last_run_status"] == "failed"
    assert abs(state["backoff_until"] - (now + timedelta(minutes=5))) < SLACK
    # Backing off: the scheduler leaves it alone even though it is due.
    set_source(app_conn, tenant_a, "next_run_at = now() - interval '1 minute'")
    assert tick(scheduled_sources_sensor, instance, database) == []
    # A second failure in a row doubles the wait.
    assert not execute(instance, database, tenant_a).success
    state = source_state(observer_conn, tenant_a.source_id)
    now = db_now(observer_conn)
    assert state["consecutive_failures"] == 2
    assert abs(state["backoff_until"] - (now + timedelta(minutes=10))) < SLACK
    # A success clears it all.
    monkeypatch.setitem(registry.REGISTRY, "demo", DemoConnector())
    assert execute(instance, database, tenant_a).success
    state = source_state(observer_conn, tenant_a.source_id)
    assert (state["consecutive_failures"], state["backoff_until"]) == (0, None)
    assert state["last_run_status"] == "succeeded"


def test_a_busy_source_fails_the_run_without_backing_off(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    pipeline_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    request_id = request_run(app_conn, tenant_a)
    [launched] = tick(run_now_sensor, instance, database)
    # Another run holds the source's lease (committed: no lock, no open transaction).
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        source_lease.take_lease(pipeline_conn, "demo", tenant_a.source_id, "other-run", 600)
    result = execute(instance, database, tenant_a, dict(launched.tags))
    assert not result.success
    [run] = run_rows(observer_conn, tenant_a.source_id)
    assert run["status"] == "failed"
    assert "being run by another run (other-run" in run["error"]
    assert request_row(observer_conn, request_id)["status"] == "failed"
    state = source_state(observer_conn, tenant_a.source_id)
    assert (state["consecutive_failures"], state["backoff_until"]) == (0, None)


def test_a_writing_run_still_lets_run_now_requests_and_run_records_in(
    app_conn: Conn, pipeline_conn: Conn, tenant_a: TenantFixture
) -> None:
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        # As a run's write transaction does: lease taken, row locked until it commits.
        source_lease.take_lease(pipeline_conn, "demo", tenant_a.source_id, "run-1", 600)
        source_lease.hold_lease(pipeline_conn, "demo", tenant_a.source_id, "run-1")
        with scoped_transaction(app_conn, tenant_a.scope):
            app_conn.execute("set local lock_timeout = '1s'")
            app_conn.execute(
                "insert into tenant.run_request (tenant_id, source_id) values (%s, %s)",
                (tenant_a.id, tenant_a.source_id),
            )


class RecordingConnector(DemoConnector):
    def __init__(self) -> None:
        self.credentials: list[dict[str, str]] = []

    def run(self, ctx: ConnectorContext) -> RunResult:
        self.credentials.append(dict(ctx.credentials))
        return super().run(ctx)


def test_credentials_reach_the_connector_decrypted(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    settings: Settings,
    tenant_a: TenantFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secrets = {"api_token": "tok-PIPELINE-93c1", "client_secret": "cs-PIPELINE-1b7e"}
    sealed = seal_credentials(settings, tenant_a.id, tenant_a.source_id, secrets)
    set_source(
        app_conn, tenant_a, "credentials = %s, credential_names = %s", sealed, sorted(secrets)
    )
    recorder = RecordingConnector()
    monkeypatch.setitem(registry.REGISTRY, "demo", recorder)
    know(instance, tenant_a)
    assert execute(instance, database, tenant_a).success
    assert recorder.credentials == [secrets]
    # Sealed for another source, they do not open: the run fails without showing them.
    other = seal_credentials(settings, tenant_a.id, tenant_a.id, secrets)
    set_source(app_conn, tenant_a, "credentials = %s", other)
    result = execute(instance, database, tenant_a)
    assert not result.success
    assert len(recorder.credentials) == 1
    runs = run_rows(observer_conn, tenant_a.source_id)
    assert runs[-1]["status"] == "failed"
    assert all(s not in str(runs[-1]["error"]) for s in secrets.values())


def test_a_request_for_a_source_disabled_since_fails_with_the_reason(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    request_id = request_run(app_conn, tenant_a)
    [launched] = tick(run_now_sensor, instance, database)
    set_source(app_conn, tenant_a, "enabled = false")
    assert not execute(instance, database, tenant_a, dict(launched.tags)).success
    request = request_row(observer_conn, request_id)
    assert request["status"] == "failed"
    assert "has no enabled 'demo' source configured" in request["error"]
    assert run_rows(observer_conn, tenant_a.source_id) == []


def test_a_request_whose_run_breaks_before_starting_does_not_stay_open(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> UUID:
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(store, "start_source_run", broken)
    know(instance, tenant_a)
    request_id = request_run(app_conn, tenant_a)
    [launched] = tick(run_now_sensor, instance, database)
    assert not execute(instance, database, tenant_a, dict(launched.tags)).success
    assert request_row(observer_conn, request_id)["status"] == "failed"


def test_a_request_that_never_reports_back_is_closed_after_an_hour(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    pipeline_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    request_id = request_run(app_conn, tenant_a)
    [_] = tick(run_now_sensor, instance, database)  # launched; its run is then lost
    with scoped_transaction(pipeline_conn, Scope.platform()):
        pipeline_conn.execute(
            "update tenant.run_request set launched_at = now() - interval '61 minutes'"
            " where id = %s",
            (request_id,),
        )
    assert tick(run_now_sensor, instance, database) == []
    request = request_row(observer_conn, request_id)
    assert request["status"] == "failed"
    assert "did not report back within an hour" in request["error"]
    # The source takes a new Run now again.
    request_run(app_conn, tenant_a)
