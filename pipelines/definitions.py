"""The Dagster code location: merges what `assets/` and `pipelines/` declare, nothing else."""

from __future__ import annotations

import dagster as dg

from assets.observations import kri_observations
from assets.status import kri_status
from pipelines.resources import DraxisDatabase
from pipelines.sensors import tenant_partitions_sensor

defs = dg.Definitions(
    assets=[kri_observations, kri_status],
    sensors=[tenant_partitions_sensor],
    resources={"database": DraxisDatabase()},
)
