"""The carrier portfolio, as pure Polars: one row per consenting insured tenant per carrier.

Inputs (ids as strings):
- `consents`: carrier_id, tenant_id, tenant_name — insured tenants whose consent stands.
- `postures`: tenant_id, posture_score, risks_critical, risks_high, kri_count, stale_share,
  computed_at — `tenant.tenant_posture`.
- `month_ago`: tenant_id, posture_score — each tenant's latest daily score at least 30 days old.

Output: carrier_id, tenant_id, tenant_name, posture_score, score_30d_ago, trend_30d (today minus
then; positive is worse), band (the severity band of the posture score, as for risks; unassessed
when there is no score), risks_critical, risks_high, kri_count, stale_share, posture_computed_at.
A consenting tenant that has never been rolled up appears unassessed with zero counts: the
carrier sees that it is insured but not yet measured, never invented numbers.
"""

from __future__ import annotations

import polars as pl

from assets.posture.rules import severity

PORTFOLIO_COLUMNS = (
    "carrier_id",
    "tenant_id",
    "tenant_name",
    "posture_score",
    "score_30d_ago",
    "trend_30d",
    "band",
    "risks_critical",
    "risks_high",
    "kri_count",
    "stale_share",
    "posture_computed_at",
)


def portfolio(
    consents: pl.DataFrame, postures: pl.DataFrame, month_ago: pl.DataFrame
) -> pl.DataFrame:
    joined = consents.join(postures, on="tenant_id", how="left").join(
        month_ago.rename({"posture_score": "score_30d_ago"}), on="tenant_id", how="left"
    )
    return (
        joined.with_columns(
            (pl.col("posture_score") - pl.col("score_30d_ago")).alias("trend_30d"),
            severity(pl.col("posture_score")).alias("band"),
            pl.col("risks_critical").fill_null(0),
            pl.col("risks_high").fill_null(0),
            pl.col("kri_count").fill_null(0),
            pl.col("stale_share").fill_null(0.0),
            pl.col("computed_at").alias("posture_computed_at"),
        )
        .select(PORTFOLIO_COLUMNS)
        .sort("carrier_id", "tenant_id")
    )
