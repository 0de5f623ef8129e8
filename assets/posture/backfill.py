"""Posture history from KRI history: trends and worst movers that mean something on day one.

A tenant's `tenant.posture_history` gains a row a day once the pipeline rolls it up; a tenant
seeded or connected with months of KRI history would still show a one-point trend. For each past
day (UTC day buckets) this replays the pipeline's own rules on what was known at the end of that
day: each KRI's latest value by then → its colour (`draxis.kri_colour.kri_status`, stale by the
same intervals) → risk postures (`rules.risk_posture`) → the tenant posture
(`rules.tenant_postures`). The risk model is today's (links, controls, open risks): history of
the model itself is not kept, so the backfill says what today's model makes of past readings.
Days before a tenant's first observation are left out; existing history rows are never replaced.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import polars as pl

from assets.posture import rules
from draxis.kri_colour import kri_status

# How far back a backfill reaches, and how much older history it reads to know each KRI's
# latest value at the window's start (the longest stale interval, manual: 90 days).
BACKFILL_DAYS = 90
CARRY_IN_DAYS = 90
HISTORY_COLUMNS = {
    "tenant_id": pl.String(),
    "day": pl.Date(),
    "posture_score": pl.Float64(),
    "kri_count": pl.Int64(),
    "stale_share": pl.Float64(),
    "risks_critical": pl.Int64(),
    "risks_high": pl.Int64(),
}
DAILY_COLUMNS = {
    "tenant_id": pl.String(),
    "kri_id": pl.String(),
    "day": pl.Date(),
    "value": pl.Float64(),
    "observed_at": pl.Datetime("us", "UTC"),
}


def history_from_kri_history(
    kris: pl.DataFrame,
    daily: pl.DataFrame,
    model: dict[str, pl.DataFrame],
    tenant_ids: list[str],
    days: list[date],
) -> pl.DataFrame:
    """One posture-history row per tenant and day of `days` on or after its first observation.

    `kris`: tenant_id + `draxis.kri_colour.KRI_COLUMNS`; `daily`: `DAILY_COLUMNS`, each KRI's
    last reading of each day; `model`: `risk_posture`'s inputs but `kri_status`.
    Columns: `HISTORY_COLUMNS`, sorted by tenant_id, day.
    """
    first_day = daily.group_by("tenant_id").agg(pl.col("day").min().alias("first_day"))
    tenants = pl.DataFrame({"tenant_id": tenant_ids}, schema={"tenant_id": pl.String()})
    frames = []
    for day in sorted(days):
        end = datetime.combine(day + timedelta(days=1), time(), UTC)
        latest = (
            daily.filter(pl.col("day") <= day)
            .sort("observed_at")
            .group_by("kri_id")
            .agg(pl.col("value").last(), pl.col("observed_at").last())
        )
        status = kri_status(kris, latest, end)
        risks = rules.risk_posture(kri_status=status.select("kri_id", "status"), **model)
        posture = rules.tenant_postures(status.select("tenant_id", "status"), risks, tenants)
        frames.append(posture.with_columns(pl.lit(day).alias("day")))
    if not frames:
        return pl.DataFrame(schema=HISTORY_COLUMNS)
    return (
        pl.concat(frames)
        .join(first_day, on="tenant_id", how="inner")
        .filter(pl.col("day") >= pl.col("first_day"))
        .select(list(HISTORY_COLUMNS))
        .cast(pl.Schema(HISTORY_COLUMNS))
        .sort("tenant_id", "day")
    )


def backfill_days(today: date, days: int = BACKFILL_DAYS) -> list[date]:
    """The `days` days before `today`, oldest first (today's row is the live rollup's)."""
    return [today - timedelta(days=n) for n in range(days, 0, -1)]
