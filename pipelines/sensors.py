"""Sensors: the tenant dimension follows platform.tenants; rollups follow their inputs."""

import dagster as dg

from assets.partitions import tenant_partitions
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
