"""KRI colour: the rule of PRODUCT.md, as pure Polars.

higher_is_worse: red when value >= critical, amber when value >= warn, else green;
lower_is_worse mirrors it. `no_data` without a value; `stale` when the latest value is older than
twice the source's schedule interval (hourly 2 h, daily 48 h, weekly 14 d; manual or no
source 90 d).
Stale and no-data are never green.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

STALE_AFTER: dict[str, timedelta] = {
    "hourly": timedelta(hours=2),
    "daily": timedelta(hours=48),
    "weekly": timedelta(days=14),
    "manual": timedelta(days=90),
}

KRI_COLUMNS = {
    "kri_id": pl.String(),
    "direction": pl.String(),
    "warn": pl.Float64(),
    "critical": pl.Float64(),
    "schedule": pl.String(),
}
LATEST_COLUMNS = {
    "kri_id": pl.String(),
    "value": pl.Float64(),
    "observed_at": pl.Datetime("us", "UTC"),
}


def kri_status(kris: pl.DataFrame, latest: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """One row per KRI in `kris`: kri_id, status, value, observed_at (latest observation).

    KRI ids are unique across tenants, so one call may cover many tenants: when `kris` carries a
    `tenant_id` column (a pipeline batch), it is kept, first, and rows sort by tenant then KRI.
    """
    keys = [c for c in ("tenant_id",) if c in kris.columns]
    stale_after = (
        pl.col("schedule")
        .fill_null("manual")
        .replace_strict({k: v for k, v in STALE_AFTER.items()}, return_dtype=pl.Duration("us"))
    )
    higher = pl.col("direction") == "higher_is_worse"
    value = pl.col("value")
    colour = (
        pl.when(value.is_null())
        .then(pl.lit("no_data"))
        .when(pl.col("observed_at") < pl.lit(now.astimezone(UTC)) - stale_after)
        .then(pl.lit("stale"))
        .when(
            pl.when(higher).then(value >= pl.col("critical")).otherwise(value <= pl.col("critical"))
        )
        .then(pl.lit("red"))
        .when(pl.when(higher).then(value >= pl.col("warn")).otherwise(value <= pl.col("warn")))
        .then(pl.lit("amber"))
        .otherwise(pl.lit("green"))
    )
    return (
        kris.join(latest, on="kri_id", how="left")
        .with_columns(colour.alias("status"))
        .select(*keys, "kri_id", "status", "value", "observed_at")
        .sort(*keys, "kri_id")
    )
