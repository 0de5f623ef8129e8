"""Leases, not locks, across vendor I/O: while a vendor is slow to answer, a run holds no
transaction, row lock or connection; a second run of the source is refused by its lease; a
lapsed lease is taken over; a run that lost its lease writes nothing; a dead run's lease is
released by the dead-runs sensor. The API's Test probes with no transaction or connection held."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

import dagster as dg
import pytest
from fastapi.testclient import TestClient

from assets import tenants as tenant_store
from assets.database import DraxisDatabase
from assets.kri import lease as source_lease
from assets.partitions import TenantSource, partition_key
from connectors import registry
from connectors.base import ConnectorContext, ProbeResult, RunResult
from connectors.demo import DemoConnector
from draxis.db.scope import scoped_transaction
from pipelines.definitions import defs
from pipelines.run_reaping import EndedRun, close_run
from tests.conftest import TEST_DB, Conn
from tests.factories import TenantFixture, know
from tests.identity import bearer, login

WAIT = 30.0


class SlowDemo(DemoConnector):
    """The demo vendor, whose fetch and probe block until the test releases them."""

    def __init__(self) -> None:
        self.fetching = threading.Event()
        self.release = threading.Event()

    def run(self, ctx: ConnectorContext) -> RunResult:
        self.fetching.set()
        assert self.release.wait(WAIT), "the test never released the fetch"
        return super().run(ctx)

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        self.fetching.set()
        assert self.release.wait(WAIT), "the test never released the probe"
        return ProbeResult(True, "slow demo: reached")


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowDemo]:
    connector = SlowDemo()
    monkeypatch.setitem(registry.REGISTRY, "demo", connector)
    yield connector
    connector.release.set()


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def execute(
    instance: dg.DagsterInstance, database: DraxisDatabase, tenant: TenantFixture
) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("kri_observations_job").execute_in_process(
        partition_key=str(partition_key(tenant.slug, "demo")),
        instance=instance,
        resources={"database": database},
        raise_on_error=False,
    )


class Background:
    """A call on another thread, its result kept."""

    def __init__(self, call: Any) -> None:
        self.result: Any = None
        self.error: BaseException | None = None

        def target() -> None:
            try:
                self.result = call()
            except BaseException as exc:  # surfaced by `join`
                self.error = exc

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def join(self) -> Any:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the background call did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def activity(observer: Conn, role: str) -> list[str]:
    """The states of `role`'s connections to the test database, other than the observer's."""
    rows = observer.execute(
        "select coalesce(state, '') from pg_stat_activity"
        " where datname = %s and usename = %s and pid <> pg_backend_pid()",
        (TEST_DB, role),
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def lease(observer: Conn, source_id: UUID) -> tuple[str | None, datetime | None]:
    row = observer.execute(
        "select lease_owner, lease_expires_at from tenant.kri_source where id = %s",
        (source_id,),
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def runs(observer: Conn, source_id: UUID) -> list[tuple[str, str | None, str]]:
    rows = observer.execute(
        "select status, error, dagster_run_id from tenant.source_run where source_id = %s"
        " order by started_at",
        (source_id,),
    ).fetchall()
    return [(str(r[0]), r[1], str(r[2])) for r in rows]


def observations(observer: Conn, source_id: UUID) -> int:
    row = observer.execute(
        "select count(*) from tenant.kri_observation where source_id = %s", (source_id,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def health(observer: Conn, source_id: UUID) -> tuple[int, datetime | None]:
    row = observer.execute(
        "select consecutive_failures, backoff_until from tenant.kri_source where id = %s",
        (source_id,),
    ).fetchone()
    assert row is not None
    return int(row[0]), row[1]


def test_a_slow_fetch_holds_no_connection_and_a_second_run_is_refused_by_the_lease(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    slow: SlowDemo,
) -> None:
    know(instance, tenant_a)
    first = Background(lambda: execute(instance, database, tenant_a))
    assert slow.fetching.wait(WAIT)
    # The vendor is answering: the run holds no transaction, and no connection is checked out
    # of the pipeline's pool (its idle connections wait there for the write).
    assert set(activity(observer_conn, "draxis_pipeline")) <= {"idle"}
    stats = database.pool().get_stats()
    assert stats["pool_size"] == stats["pool_available"], stats
    owner, expires = lease(observer_conn, tenant_a.source_id)
    [(status, _, first_run)] = runs(observer_conn, tenant_a.source_id)
    assert (status, owner) == ("running", first_run)
    assert expires is not None
    # A second run of the same source meanwhile is refused by the lease, without waiting.
    started = time.monotonic()
    second = execute(instance, database, tenant_a)
    assert time.monotonic() - started < 10
    assert not second.success
    refused = runs(observer_conn, tenant_a.source_id)[1]
    assert refused[0] == "failed"
    assert f"is being run by another run ({first_run}, its lease runs until" in str(refused[1])
    # Busy is not the source's fault: no back-off.
    assert health(observer_conn, tenant_a.source_id) == (0, None)

    slow.release.set()
    assert first.join().success
    assert runs(observer_conn, tenant_a.source_id)[0][:2] == ("succeeded", None)
    assert observations(observer_conn, tenant_a.source_id) > 0
    assert lease(observer_conn, tenant_a.source_id) == (None, None)  # released at the write


def test_a_lapsed_lease_is_taken_over(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    pipeline_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        source_lease.take_lease(pipeline_conn, "demo", tenant_a.source_id, "gone-run", 600)
        pipeline_conn.execute(
            "update tenant.kri_source set lease_expires_at = now() - interval '1 second'"
            " where id = %s",
            (tenant_a.source_id,),
        )
    assert execute(instance, database, tenant_a).success
    assert lease(observer_conn, tenant_a.source_id) == (None, None)
    assert observations(observer_conn, tenant_a.source_id) > 0


def test_a_run_whose_lease_was_taken_over_writes_nothing(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    pipeline_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    slow: SlowDemo,
) -> None:
    know(instance, tenant_a)
    first = Background(lambda: execute(instance, database, tenant_a))
    assert slow.fetching.wait(WAIT)
    # Its lease lapses mid-fetch and another run takes the source over.
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        pipeline_conn.execute(
            "update tenant.kri_source set lease_expires_at = now() - interval '1 second'"
            " where id = %s",
            (tenant_a.source_id,),
        )
        source_lease.take_lease(pipeline_conn, "demo", tenant_a.source_id, "usurper", 600)
    slow.release.set()
    assert not first.join().success
    [(status, error, _)] = runs(observer_conn, tenant_a.source_id)
    assert status == "failed"
    assert "lease lapsed and was taken over by run usurper; nothing was written" in str(error)
    assert observations(observer_conn, tenant_a.source_id) == 0
    assert lease(observer_conn, tenant_a.source_id)[0] == "usurper"  # not released by the loser
    assert health(observer_conn, tenant_a.source_id) == (0, None)


def test_a_dead_runs_lease_is_released_by_the_reaper(
    database: DraxisDatabase,
    pipeline_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        source_lease.take_lease(pipeline_conn, "demo", tenant_a.source_id, "dead-run", 3600)
        created = tenant_store.now_utc(pipeline_conn)
    dead = EndedRun(
        run_id="dead-run",
        status="FAILURE",
        created_at=created,
        cells=(TenantSource(tenant=tenant_a.slug, source="demo"),),
        request_id=None,
        reason="Dagster run dead-run ended FAILURE: run worker died",
    )
    assert close_run(database, dead) == 1
    assert lease(observer_conn, tenant_a.source_id) == (None, None)
    # Idempotent, and a lease another run holds is not touched.
    with scoped_transaction(pipeline_conn, tenant_a.scope):
        source_lease.take_lease(pipeline_conn, "demo", tenant_a.source_id, "live-run", 3600)
    assert close_run(database, dead) == 0
    assert lease(observer_conn, tenant_a.source_id)[0] == "live-run"


def test_the_api_test_probes_with_no_transaction_or_connection_held(
    client: TestClient,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    slow: SlowDemo,
) -> None:
    admin = bearer(login(client, tenant_a.user_email)["access_token"])
    pool = client.app.state.pool  # type: ignore[attr-defined]
    path = f"/api/sources/{tenant_a.source_id}/test"
    probe = Background(lambda: client.post(path, headers=admin))
    assert slow.fetching.wait(WAIT)
    # The vendor is answering: no connection of the app's is in a transaction, and none is
    # checked out of the pool.
    states = activity(observer_conn, "draxis_app")
    assert [s for s in states if s.startswith("idle in transaction")] == [], states
    stats = pool.get_stats()
    assert stats["pool_size"] == stats["pool_available"], stats
    # The source is not locked: it can be changed meanwhile, at once.
    started = time.monotonic()
    patched = client.patch(
        f"/api/sources/{tenant_a.source_id}", headers=admin, json={"name": "Demo (renamed)"}
    )
    assert patched.status_code == 200, patched.text
    assert time.monotonic() - started < 3
    slow.release.set()
    response = probe.join()
    assert response.status_code == 200
    assert response.json()["ok"] is True
