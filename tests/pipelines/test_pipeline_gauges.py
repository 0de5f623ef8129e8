"""The Dagster process's gauges, read from the real database and a real Dagster instance:
feed age and stale sources per vendor, seconds since each daemon's heartbeat."""

from __future__ import annotations

import time
from collections.abc import Iterator

import dagster as dg
import pytest
from dagster._daemon.types import DaemonHeartbeat

from assets.database import DraxisDatabase
from assets.partitions import partition_key
from pipelines.definitions import defs
from pipelines.telemetry import forget_pipeline, observe_pipeline
from tests.factories import TenantFixture, know
from tests.telemetry.conftest import Captured, captured

__all__ = ["captured"]  # the fixture


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def _by_vendor(captured: Captured, metric: str) -> dict[str, float]:
    return {str(a["vendor"]): float(p.value) for a, p in captured.points(metric)}


def test_feed_gauges_follow_the_newest_observation_and_heartbeats_their_daemons(
    captured: Captured,
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    request: pytest.FixtureRequest,
) -> None:
    instance.add_daemon_heartbeat(
        DaemonHeartbeat(timestamp=time.time() - 42, daemon_type="SENSOR", daemon_id="d1")
    )
    observe_pipeline(database, instance=lambda: instance, cache_seconds=0)
    request.addfinalizer(forget_pipeline)

    # Tenant A's demo source has never delivered: it is one of the stale ones.
    stale_before = _by_vendor(captured, "draxis.feed.stale")["demo"]
    assert stale_before >= 1
    know(instance, tenant_a)
    run = defs.resolve_job_def("kri_observations_job").execute_in_process(
        partition_key=str(partition_key(tenant_a.slug, "demo")),
        instance=instance,
        resources={"database": database},
    )
    assert run.success
    assert _by_vendor(captured, "draxis.feed.stale")["demo"] == stale_before - 1
    assert _by_vendor(captured, "draxis.feed.age")["demo"] >= 0

    beats = {str(a["daemon_type"]): float(p.value) for a, p in captured.points(
        "draxis.dagster.daemon.heartbeat_age"
    )}  # fmt: skip
    assert 42 <= beats["SENSOR"] < 42 + 60
