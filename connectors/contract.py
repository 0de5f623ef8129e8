"""The Pandera contract every connector's output meets: vendor connectors' fetches and the values a
tenant sends (push, upload, manual entry, `connectors.inbound`) alike. The observations asset
validates each fetch with it (`connectors.validation.validate_frame`) before anything is written."""

from __future__ import annotations

import json

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_]{1,79}$"


def _is_json_object(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(
        pl.col(data.key).map_elements(_json_object, return_dtype=pl.Boolean)
    )


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


class KriObservations(pa.DataFrameModel):
    """What a connector returns: one value per KRI slug and observation time."""

    kri_slug: str = pa.Field(str_matches=SLUG_PATTERN)
    value: float = pa.Field(nullable=False)
    observed_at: polars_engine.DateTime = pa.Field(
        nullable=False, dtype_kwargs={"time_unit": "us", "time_zone": "UTC"}
    )
    detail: str = pa.Field(nullable=False)

    @pa.check("value", name="finite")
    @classmethod
    def value_is_finite(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite())

    @pa.check("detail", name="json_object")
    @classmethod
    def detail_is_json_object(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _is_json_object(data)

    class Config:
        strict = True
        unique = ["kri_slug", "observed_at"]  # noqa: RUF012 (pandera reads it)
