"""A new source with Run now clicked runs once: the request covers the schedule's first run,
and the schedule's next run comes an interval after it."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from pipelines.sensors import run_now_sensor, scheduled_sources_sensor
from tests.assets.kri.test_source_runs import db_now, execute, instance, source_state, tick
from tests.conftest import Conn
from tests.factories import TenantFixture, know, request_run
from tests.identity import bearer, login

__all__ = ["instance"]  # the fixture, shared


def test_run_now_and_the_schedule_together_run_a_new_source_once(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    assert source_state(observer_conn, tenant_a.source_id)["next_run_at"] is None  # due now
    request_run(app_conn, tenant_a)
    # The schedule's tick comes first: the pending Run now covers it.
    assert tick(scheduled_sources_sensor, instance, database) == []
    [launched] = tick(run_now_sensor, instance, database)
    assert (launched.run_key or "").startswith("run-now:")
    # And after the Run now is launched, the schedule waits a whole interval (daily).
    due = source_state(observer_conn, tenant_a.source_id)["next_run_at"]
    assert due is not None
    assert due >= db_now(observer_conn) + timedelta(days=1) - timedelta(minutes=5)
    assert tick(scheduled_sources_sensor, instance, database) == []


def test_a_run_request_says_queued_until_its_run_starts_then_done(
    instance: dg.DagsterInstance,
    database: DraxisDatabase,
    client: TestClient,
    tenant_a: TenantFixture,
) -> None:
    know(instance, tenant_a)
    headers = bearer(login(client, tenant_a.user_email)["access_token"])
    asked = client.post(f"/api/sources/{tenant_a.source_id}/run", headers=headers).json()
    assert (asked["status"], asked["phase"], asked["source_name"]) == (
        "pending",
        "queued",
        "Demo data",
    )
    [launched] = tick(run_now_sensor, instance, database)
    waiting = client.get(f"/api/run-requests/{asked['id']}", headers=headers).json()
    assert (waiting["status"], waiting["phase"]) == ("launched", "queued")  # not started yet
    assert execute(instance, database, tenant_a, dict(launched.tags)).success
    done = client.get(f"/api/run-requests/{asked['id']}", headers=headers).json()
    assert (done["status"], done["phase"]) == ("succeeded", "done")
