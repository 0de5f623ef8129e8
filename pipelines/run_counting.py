"""`draxis.pipeline.runs`: every run of every job of this code location, counted once when it
ends, by run-status sensors (Dagster's daemon evaluates each status event once, in the code
server, a long-lived process whose metrics are exported on schedule). The run's own span
(`assets.run_spans`) says the same status, for the jobs that have one."""

from __future__ import annotations

import dagster as dg

from draxis import telemetry

STATUSES = {
    "success": dg.DagsterRunStatus.SUCCESS,
    "failure": dg.DagsterRunStatus.FAILURE,
    "canceled": dg.DagsterRunStatus.CANCELED,
}


def count_run(job: str, status: str) -> None:
    telemetry.current().instruments.pipeline_runs.add(1, {"job": job, "status": status})


def _counter(status: str, run_status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name=f"run_{status}_count_sensor",
        run_status=run_status,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Counts each run that ends in {run_status.value} on draxis.pipeline.runs"
        " (docs/telemetry.md).",
    )
    def counter(context: dg.RunStatusSensorContext) -> None:
        count_run(context.dagster_run.job_name, status)

    return counter


run_count_sensors = [_counter(status, run_status) for status, run_status in STATUSES.items()]
