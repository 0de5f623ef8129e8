"""Third-party risk: a tenant's `tprm` source runs early when its assessments change."""

import dagster as dg

from assets.database import DraxisDatabase
from assets.tprm.refresh import wake_changed


@dg.sensor(
    name="tprm_changes_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Makes a tenant's Third-party risk source due now when an assessment was"
    " completed, or an assessment finding opened or resolved, since its last run; the"
    " scheduled-sources sensor then runs it.",
)
def tprm_changes_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    woken = wake_changed(database)
    if woken:
        context.log.info(f"tprm sources due now after assessment changes: {woken}")
    return dg.SensorResult(skip_reason=None if woken else "no assessment changed")
