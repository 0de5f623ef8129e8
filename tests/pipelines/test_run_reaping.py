"""Killed runs are closed: Dagster's run monitoring fails a run whose worker died, and the reaper
sensor fails the `source_run` row and Run-now request the dead run left open, so neither the
run queue nor the source's "already running" state stays jammed."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import dagster as dg
import pytest
from dagster._core.events import EngineEventData
from dagster._core.launcher import WorkerStatus
from dagster._core.remote_origin import (
    RegisteredCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.test_utils import create_run_for_test
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import EmptyWorkspaceTarget
from dagster._daemon.monitoring.run_monitoring import execute_run_monitoring_iteration
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (
    QueuedRunCoordinatorDaemon,
)

from assets.database import DraxisDatabase
from assets.kri.source_queue import take_pending_requests
from assets.partitions import TenantSource, add_cells, partition_key
from assets.run_tags import REQUEST_TAG, TRIGGER_TAG, VENDOR_TAG
from draxis.dagster_env import dagster_environment
from draxis.settings import REPO_ROOT, Settings
from pipelines.definitions import defs
from pipelines.run_reaping import run_cells
from pipelines.run_workers import (
    WORKER_HOST_TAG,
    ProcessState,
    WorkerProcess,
    worker_health,
)
from pipelines.sensors import dead_runs_sensor
from tests.conftest import Conn
from tests.factories import TenantFixture, know, request_run

LOG = logging.getLogger("tests.run_reaping")

# The run worker: the observations job for one partition, in its own process, as the daemon's
# launcher starts it. Its write stalls after the merge statement (inside the transaction), and it
# prints "writing" so the test kills it exactly there.
_WORKER = textwrap.dedent(
    """
    import sys, time
    import dagster as dg
    from assets.kri import store
    from pipelines.definitions import defs

    merge = store.write_observations

    def stalled_write(*args, **kwargs):
        counts = merge(*args, **kwargs)
        print("writing", counts.written, flush=True)
        time.sleep(600)
        return counts

    store.write_observations = stalled_write
    partition, trigger, request = sys.argv[1:4]
    with dg.DagsterInstance.get() as instance:
        defs.resolve_job_def("kri_observations_job").execute_in_process(
            partition_key=partition,
            instance=instance,
            tags={"draxis/trigger": trigger, "draxis/request_id": request},
            raise_on_error=False,
        )
    """
)


@pytest.fixture
def instance(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dg.DagsterInstance]:
    """The instance of `dagster.yaml` (Postgres storage, shared with the worker process)."""
    env = dagster_environment(settings.model_copy(update={"data_dir": tmp_path}))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with dg.DagsterInstance.from_config(str(REPO_ROOT)) as inst:
        yield inst


def start_stalling_worker(tenant: TenantFixture, request_id: UUID) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _WORKER,
            str(partition_key(tenant.slug, "demo")),
            "run_now",
            str(request_id),
        ],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    line = worker.stdout.readline()  # blocks until the merge ran inside the open transaction
    if not line.startswith("writing"):
        worker.kill()
        raise AssertionError(f"worker ended before writing: {line!r}")
    assert int(line.split()[1]) > 0
    return worker


def run_of(instance: dg.DagsterInstance, tenant: TenantFixture) -> dg.DagsterRun:
    [run] = instance.get_runs(
        dg.RunsFilter(
            tags={"dagster/partition": str(partition_key(tenant.slug, "demo"))},
        )
    )
    return run


def daemon_cycle(instance: dg.DagsterInstance, database: DraxisDatabase) -> None:
    """One pass of what the Dagster daemon runs: run monitoring, then the sensors."""
    with WorkspaceProcessContext(instance, EmptyWorkspaceTarget()) as workspace:
        list(execute_run_monitoring_iteration(workspace, LOG))
    context = dg.build_sensor_context(
        instance=instance, cursor=None, resources={"database": database}
    )
    result = dead_runs_sensor(context)
    assert isinstance(result, dg.SensorResult)


def source_run_rows(observer: Conn, source_id: UUID) -> list[dict[str, Any]]:
    cur = observer.execute(
        "select status, trigger, dagster_run_id, error, finished_at from tenant.source_run"
        " where source_id = %s order by started_at",
        (source_id,),
    )
    assert cur.description is not None
    names = [c.name for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def observation_count(observer: Conn, source_id: UUID) -> int:
    row = observer.execute(
        "select count(*) from tenant.kri_observation where source_id = %s", (source_id,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def request_state(observer: Conn, request_id: UUID) -> tuple[str, str | None]:
    row = observer.execute(
        "select status, error from tenant.run_request where id = %s", (request_id,)
    ).fetchone()
    assert row is not None
    return str(row[0]), row[1]


def source_health(observer: Conn, source_id: UUID) -> tuple[str, int]:
    row = observer.execute(
        "select last_run_status, consecutive_failures from tenant.kri_source where id = %s",
        (source_id,),
    ).fetchone()
    assert row is not None
    return str(row[0]), int(row[1])


def lease_owner(observer: Conn, source_id: UUID) -> str | None:
    row = observer.execute(
        "select lease_owner from tenant.kri_source where id = %s", (source_id,)
    ).fetchone()
    assert row is not None
    return None if row[0] is None else str(row[0])


def wait_for_rollback(observer: Conn) -> None:
    """The killed worker's backend sees its socket close and rolls back; wait until it has."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = observer.execute(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and usename = 'draxis_pipeline' and state like 'idle in transaction%'"
        ).fetchone()
        assert row is not None
        if row[0] == 0:
            return
        time.sleep(0.2)
    raise AssertionError("the killed worker's transaction is still open after 30 s")


def test_a_killed_run_is_failed_and_its_source_runs_again(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    request_id = request_run(app_conn, tenant_a)
    [taken] = take_pending_requests(database, ["demo"], [tenant_a.slug])  # the Run-now sensor
    assert taken.request_id == request_id
    worker = start_stalling_worker(tenant_a, request_id)
    try:
        run = run_of(instance, tenant_a)
        assert run.status == dg.DagsterRunStatus.STARTED
        # Mid-write: the merge ran, nothing is visible outside the worker's transaction.
        assert observation_count(observer_conn, tenant_a.source_id) == 0
        # The worker took its source's lease (committed) before fetching; it still holds it.
        assert lease_owner(observer_conn, tenant_a.source_id) == run.run_id
    finally:
        os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    wait_for_rollback(observer_conn)

    daemon_cycle(instance, database)
    # The reaper released the dead run's lease: the source is not blocked until it lapses.
    assert lease_owner(observer_conn, tenant_a.source_id) is None

    dead = instance.get_run_by_id(run.run_id)
    assert dead is not None
    [row] = source_run_rows(observer_conn, tenant_a.source_id)
    observed = {
        "dagster run": dead.status,
        "source_run": row["status"],
        "request": request_state(observer_conn, request_id)[0],
        "observations": observation_count(observer_conn, tenant_a.source_id),
    }
    assert observed == {
        "dagster run": dg.DagsterRunStatus.FAILURE,
        "source_run": "failed",
        "request": "failed",
        "observations": 0,  # the killed transaction wrote nothing
    }
    assert row["finished_at"] is not None
    assert row["dagster_run_id"] == run.run_id
    assert "run worker died" in row["error"], row["error"]
    assert str(worker.pid) in row["error"]
    assert "run worker died" in (request_state(observer_conn, request_id)[1] or "")
    # Like any failure, it counts against the source (a worker that keeps dying backs off).
    assert source_health(observer_conn, tenant_a.source_id) == ("failed", 1)

    # The source's next run (as the scheduler launches it) runs and writes.
    result = defs.resolve_job_def("kri_observations_job").execute_in_process(
        partition_key=str(partition_key(tenant_a.slug, "demo")),
        instance=instance,
        resources={"database": database},
        tags={TRIGGER_TAG: "schedule", VENDOR_TAG: "demo", "tenant": tenant_a.slug},
        raise_on_error=False,
    )
    assert result.success
    assert [r["status"] for r in source_run_rows(observer_conn, tenant_a.source_id)] == [
        "failed",
        "succeeded",
    ]
    assert observation_count(observer_conn, tenant_a.source_id) > 0
    assert source_health(observer_conn, tenant_a.source_id) == ("succeeded", 0)
    assert REQUEST_TAG not in result.dagster_run.tags


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait(timeout=30)
    return done.pid


def started_run(instance: dg.DagsterInstance, pid: int, tags: dict[str, str]) -> dg.DagsterRun:
    """A run whose worker, process `pid`, started it (the events a launched worker records)."""
    run: dg.DagsterRun = create_run_for_test(
        instance, job_name="zombie_job", status=dg.DagsterRunStatus.STARTED, tags=tags
    )
    instance.report_engine_event(
        f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid)
    )
    return run


def status(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dg.DagsterRunStatus:
    now = instance.get_run_by_id(run.run_id)
    assert now is not None
    return now.status


def startable(instance: dg.DagsterInstance) -> list[str]:
    """The queued runs the run queue coordinator would launch now."""
    coordinator = QueuedRunCoordinatorDaemon(interval_seconds=5)
    queued = coordinator._get_runs_to_dequeue(instance, instance.get_concurrency_config(), None)
    return [r.run_id for r in queued]


def test_zombie_runs_stop_holding_the_run_queue(
    instance: dg.DagsterInstance, database: DraxisDatabase
) -> None:
    zombies = [
        started_run(instance, dead_pid(), {"tenant": f"zombie-{i}", VENDOR_TAG: f"v{i}"})
        for i in range(4)  # dagster.yaml: max_concurrent_runs 4
    ]
    alive = started_run(instance, os.getpid(), {"tenant": "alive", VENDOR_TAG: "v-alive"})
    # Launched from another host: its pid means nothing here (max_runtime_seconds bounds it).
    elsewhere = started_run(
        instance, dead_pid(), {"tenant": "far", VENDOR_TAG: "v-far", WORKER_HOST_TAG: "far-away"}
    )
    waiting: dg.DagsterRun = create_run_for_test(
        instance,
        job_name="zombie_job",
        status=dg.DagsterRunStatus.QUEUED,
        tags={"tenant": "waiting", VENDOR_TAG: "v-waiting"},
        remote_job_origin=RemoteJobOrigin(
            RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("draxis"), "__repository__"),
            "zombie_job",
        ),
    )
    try:
        before = startable(instance)
        daemon_cycle(instance, database)
        observed = {
            "zombies": {status(instance, z) for z in zombies},
            "alive": status(instance, alive),
            "elsewhere": status(instance, elsewhere),
            "queue before": before,
            "queue after": startable(instance),
        }
        assert observed == {
            "zombies": {dg.DagsterRunStatus.FAILURE},
            "alive": dg.DagsterRunStatus.STARTED,
            "elsewhere": dg.DagsterRunStatus.STARTED,
            "queue before": [],
            "queue after": [waiting.run_id],
        }
    finally:
        for run in (alive, elsewhere, waiting, *zombies):
            if status(instance, run) not in (
                dg.DagsterRunStatus.FAILURE,
                dg.DagsterRunStatus.CANCELED,
            ):
                instance.report_run_canceled(run, "test over")


# The verdict on a worker, and the cells a run covered (pure) ---------------------------------

RECORDED = 1_000_000.0


@pytest.mark.parametrize(
    ("state", "verdict", "says"),
    [
        (ProcessState(exists=False), WorkerStatus.FAILED, "run worker died: process 42 is gone"),
        (ProcessState(exists=True, zombie=True), WorkerStatus.FAILED, "has exited"),
        # The id now names a process that started a minute after the run recorded it.
        (ProcessState(exists=True, started_at=RECORDED + 60), WorkerStatus.FAILED, "newer"),
        (ProcessState(exists=True, started_at=RECORDED - 1), WorkerStatus.RUNNING, "alive"),
        (ProcessState(exists=True), WorkerStatus.RUNNING, "alive"),
    ],
)
def test_worker_health(state: ProcessState, verdict: WorkerStatus, says: str) -> None:
    health = worker_health(WorkerProcess(pid=42, recorded_at=RECORDED), state)
    assert health.status == verdict
    assert says in (health.msg or "")


def test_a_run_without_a_recorded_worker_is_left_to_the_start_timeout() -> None:
    assert worker_health(None, None).status == WorkerStatus.RUNNING


def test_run_cells_from_partition_tags(instance: dg.DagsterInstance) -> None:
    add_cells(instance, ["cells-a", "cells-b"], ["demo"])
    one = {"dagster/partition": "demo|cells-a"}
    assert run_cells(one, instance) == (TenantSource("cells-a", "demo"),)
    ranged = {
        "dagster/asset_partition_range_start": "demo|cells-a",
        "dagster/asset_partition_range_end": "demo|cells-b",
    }
    assert run_cells(ranged, instance) == (
        TenantSource("cells-a", "demo"),
        TenantSource("cells-b", "demo"),
    )
    assert run_cells({"dagster/partition": "cells-a"}, instance) == ()  # a tenant-only job
    assert run_cells({}, instance) == ()
