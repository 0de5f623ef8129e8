"""Sensors: the tenant dimension follows platform.tenants; rollups follow their inputs."""

import json

import dagster as dg

from assets.partitions import tenant_partitions
from pipelines.jobs import kri_status_job
from pipelines.model_changes import changed_since, model_revisions
from pipelines.resources import DraxisDatabase
from pipelines.tenant_sync import active_tenant_slugs, partition_changes, partition_requests


@dg.sensor(
    name="tenant_partitions_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Adds and deletes `tenant` partition keys so they match the active tenants.",
)
def tenant_partitions_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    assert tenant_partitions.name is not None
    current = set(context.instance.get_dynamic_partitions(tenant_partitions.name))
    changes = partition_changes(current, active_tenant_slugs(database))
    if not (changes.add or changes.delete):
        return dg.SensorResult(skip_reason="tenant partitions already match platform.tenants")
    context.log.info(f"tenant partitions: add {changes.add}, delete {changes.delete}")
    return dg.SensorResult(dynamic_partitions_requests=partition_requests(changes))


# Dagster's implicit automation sensor starts STOPPED; ours runs from the first start, so
# `kri_status` (AutomationCondition.eager) follows every new observation partition by itself.
kri_automation_sensor = dg.AutomationConditionSensorDefinition(
    "kri_automation_sensor",
    target=dg.AssetSelection.groups("kri", "risk"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates the automation conditions of the kri and risk groups (statuses and"
    " postures follow new observations).",
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
