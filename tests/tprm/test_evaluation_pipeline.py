"""The evaluation and reminder wiring in Dagster: the sensor announces a submission once and
asks for one run per set of waiting assessments; the job evaluates them (offline here: no
`ANTHROPIC_API_KEY`); the daily reminder job runs; both are registered and running."""

from __future__ import annotations

import dagster as dg

from assets.database import DraxisDatabase
from pipelines.assessment_evaluation import assessment_evaluation_job, assessment_evaluation_sensor
from pipelines.definitions import defs
from pipelines.vendor_reminders import assessment_reminders_job
from tests.factories import Conn, TenantFixture
from tests.tprm.submitted import assessment, notifications, submit


def _tick(database: DraxisDatabase) -> dg.SensorResult:
    with dg.build_sensor_context(resources={"database": database}) as context:
        result = assessment_evaluation_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def test_the_sensor_announces_and_requests_then_the_job_evaluates(
    app_conn: Conn, observer_conn: Conn, database: DraxisDatabase, tenant_a: TenantFixture
) -> None:
    done = submit(app_conn, tenant_a)
    first, second = _tick(database), _tick(database)
    assert first.run_requests
    assert second.run_requests
    assert [r.run_key for r in first.run_requests] == [r.run_key for r in second.run_requests]
    announced = notifications(observer_conn, tenant_a, "assessment.submitted")
    assert [(u, k) for u, _, k in announced] == [(done.sender, f"assessment.submitted:{done.id}")]

    with dg.DagsterInstance.ephemeral() as instance:
        result = assessment_evaluation_job.execute_in_process(
            resources={"database": database}, instance=instance
        )
    assert result.success
    row = assessment(app_conn, tenant_a, done.id)
    assert (row["evaluation"], row["evaluator"]) == ("done", "offline-rules/1")
    after = _tick(database)
    assert all(str(done.id) not in (r.run_key or "") for r in after.run_requests or [])


def test_the_reminder_job_runs_and_everything_is_registered(database: DraxisDatabase) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        result = assessment_reminders_job.execute_in_process(
            resources={"database": database}, instance=instance
        )
    assert result.success
    [schedule] = [s for s in defs.schedules or [] if s.name == "assessment_reminders_schedule"]
    assert isinstance(schedule, dg.ScheduleDefinition)
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert {j.name for j in defs.jobs or []} >= {
        "assessment_evaluation_job",
        "assessment_reminders_job",
    }
