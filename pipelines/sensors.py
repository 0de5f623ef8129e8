"""Sensors: the partition dimensions follow what is configured; rollups follow their inputs;
sources run when due or when someone clicks Run now; what dead runs left open is closed."""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from assets.database import DraxisDatabase
from assets.kri.scheduling import request_run_key, schedule_run_key
from assets.kri.source_queue import take_due_sources, take_pending_requests
from assets.partitions import partition_key, source_partitions, tenant_partitions
from assets.reports.store import newest_queued
from assets.run_tags import REQUEST_TAG, TRACEPARENT_TAG, TRIGGER_TAG, VENDOR_TAG
from assets.workflows.store import runs_due
from draxis.db.scope import Scope, scoped_transaction
from pipelines.jobs import (
    board_reports_job,
    kri_observations_job,
    kri_status_job,
    workflows_job,
)
from pipelines.model_changes import changed_since, model_revisions
from pipelines.run_reaping import FIRST_LOOK_BACK, reap
from pipelines.tenant_sync import configured, dimension_changes, partition_requests


@dg.sensor(
    name="tenant_partitions_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Adds and deletes `tenant` and `source` partition keys so they match the active"
    " tenants and the vendors they have sources of (the grid shows configured cells).",
)
def tenant_partitions_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    changes = dimension_changes(context.instance, configured(database))
    if changes.empty:
        return dg.SensorResult(skip_reason="partitions already match tenants and their sources")
    context.log.info(
        f"tenant partitions: add {changes.tenants.add}, delete {changes.tenants.delete};"
        f" source partitions: add {changes.sources.add}, delete {changes.sources.delete}"
    )
    return dg.SensorResult(dynamic_partitions_requests=partition_requests(changes))


# Dagster's implicit automation sensor starts STOPPED; ours runs from the first start, so
# `kri_status` (AutomationCondition.eager) follows every new observation partition by itself.
kri_automation_sensor = dg.AutomationConditionSensorDefinition(
    "kri_automation_sensor",
    target=dg.AssetSelection.groups("kri", "risk", "workflows"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates the automation conditions of the kri, risk and workflows groups"
    " (statuses, postures and workflow triggers follow new observations).",
)


@dg.sensor(
    name="risk_model_sensor",
    job=kri_status_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When a tenant edits its risk model (thresholds, links, controls, ...), recompute"
    " its KRI colours; its postures follow by automation.",
)
def risk_model_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    revisions = model_revisions(database)
    changed = changed_since(context.cursor, revisions)
    assert tenant_partitions.name is not None
    known = set(context.instance.get_dynamic_partitions(tenant_partitions.name))
    # A tenant whose partition does not exist yet waits for the tenant sensor (next tick).
    ready = [slug for slug in changed if slug in known]
    seen = {slug: rev for slug, rev in revisions.items() if slug in known}
    if not ready:
        return dg.SensorResult(skip_reason="no risk model changed", cursor=json.dumps(seen))
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"{slug}:{revisions[slug]}", partition_key=slug) for slug in ready
        ],
        cursor=json.dumps(seen),
    )


def _known_tenants(context: dg.SensorEvaluationContext) -> list[str]:
    assert tenant_partitions.name is not None
    return list(context.instance.get_dynamic_partitions(tenant_partitions.name))


def _known_sources(context: dg.SensorEvaluationContext) -> list[str]:
    """Vendors with a `source` partition; a new one waits for the partitions sensor's next tick."""
    assert source_partitions.name is not None
    return list(context.instance.get_dynamic_partitions(source_partitions.name))


def _source_tags(tenant: str, vendor: str, trigger: str) -> dict[str, str]:
    # `tenant` and `draxis/vendor` feed the run queue's per-tenant and per-vendor limits
    # (dagster.yaml); `draxis/trigger` lands on the source_run row.
    return {"tenant": tenant, VENDOR_TAG: vendor, TRIGGER_TAG: trigger}


@dg.sensor(
    name="scheduled_sources_sensor",
    job=kri_observations_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a run of every enabled source whose hourly / daily / weekly schedule"
    " is due (and that is not backing off after failures), advancing its next due time.",
)
def scheduled_sources_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    due = take_due_sources(database, _known_sources(context), _known_tenants(context))
    if not due:
        return dg.SensorResult(skip_reason="no source is due")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=schedule_run_key(str(d.source_id), d.due_at),
                partition_key=partition_key(d.tenant_slug, d.vendor_id),
                tags=_source_tags(d.tenant_slug, d.vendor_id, "schedule"),
            )
            for d in due
        ]
    )


@dg.sensor(
    name="run_now_sensor",
    job=kri_observations_job,
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Turns each pending Run-now request (POST /api/sources/{id}/run) into a run.",
)
def run_now_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    taken = take_pending_requests(database, _known_sources(context), _known_tenants(context))
    if not taken:
        return dg.SensorResult(skip_reason="no run requested")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=request_run_key(str(r.request_id)),
                partition_key=partition_key(r.tenant_slug, r.vendor_id),
                tags={
                    **_source_tags(r.tenant_slug, r.vendor_id, r.trigger),
                    REQUEST_TAG: str(r.request_id),
                    # The run's span joins the trace of the Run-now request (docs/telemetry.md).
                    **({TRACEPARENT_TAG: r.traceparent} if r.traceparent else {}),
                },
            )
            for r in taken
        ]
    )


@dg.sensor(
    name="dead_runs_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Fails the source runs and Run-now requests that a run which ended without"
    " closing them (its worker died, or it was cancelled mid-step) left open.",
)
def dead_runs_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    after = (
        datetime.fromisoformat(context.cursor)
        if context.cursor
        else datetime.now(UTC) - FIRST_LOOK_BACK
    )
    reaped, last = reap(context.instance, database, after)
    # Runs updated in the same instant as the last one read, past the batch, are read again
    # next tick (closing is idempotent) rather than skipped.
    cursor = (last - timedelta(microseconds=1)).isoformat() if last else context.cursor
    if reaped:
        context.log.info(f"closed the source runs and requests left open by runs {reaped}")
    return dg.SensorResult(
        skip_reason=None if reaped else "no ended run left anything open", cursor=cursor
    )


@dg.sensor(
    name="board_reports_sensor",
    job=board_reports_job,
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs board_reports when a report is queued (Generate now in the web client).",
)
def board_reports_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    with database.connection() as conn, scoped_transaction(conn, Scope.platform(), read_only=True):
        newest = newest_queued(conn)
    if newest is None:
        return dg.SensorResult(skip_reason="no report queued")
    # One run per newest request: the run renders every queued one, older included.
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=f"board-reports-{newest}")])


@dg.sensor(
    name="workflow_waits_sensor",
    job=workflows_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Evaluates a tenant's workflows when one of its runs waits on something that"
    " changed without a new KRI colour: an approval decided, or an approval's deadline passed.",
)
def workflow_waits_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    known = set(_known_tenants(context))
    with database.connection() as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            slugs = dict(conn.execute("select id, slug from platform.tenants").fetchall())
        with scoped_transaction(conn, Scope.tenants(slugs), read_only=True):
            due = [(slugs[t], at) for t, at in runs_due(conn).items() if slugs[t] in known]
    if not due:
        return dg.SensorResult(skip_reason="no workflow run waits on a decision or a deadline")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"workflows:{slug}:{at.isoformat()}", partition_key=slug)
            for slug, at in due
        ]
    )
