"""Pandera models of the tables the assets write (a connector's output: `connectors.contract`)."""

from __future__ import annotations

import pandera.polars as pa
from pandera.engines import polars_engine

from draxis.kri import KRI_STATUSES


class KriStatuses(pa.DataFrameModel):
    """What `kri_status` writes: one colour per KRI of each tenant of the batch."""

    tenant_id: str = pa.Field(nullable=False)
    kri_id: str = pa.Field(nullable=False, unique=True)
    status: str = pa.Field(isin=list(KRI_STATUSES))
    value: float = pa.Field(nullable=True)
    observed_at: polars_engine.DateTime = pa.Field(
        nullable=True, dtype_kwargs={"time_unit": "us", "time_zone": "UTC"}
    )

    class Config:
        strict = True
