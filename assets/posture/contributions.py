"""Why a risk scores what it does: each linked KRI's and control's share of its score.

The score of `assets.posture.rules.risk_posture` is a sum of three terms, and each term splits
exactly over the items that produce it:

- worst-KRI term, `SCORE_SCALE × WORST_KRI_WEIGHT × max_points / MAX_KRI_POINTS`: shared equally
  by the KRIs whose points equal the maximum (the worst ones; ties split it);
- mean-KRI term, `SCORE_SCALE × MEAN_KRI_WEIGHT × mean_points / MAX_KRI_POINTS`: KRI `i` adds
  `SCORE_SCALE × MEAN_KRI_WEIGHT × points_i / (MAX_KRI_POINTS × n_kris)`;
- control-gap term, `SCORE_SCALE × CONTROL_GAP_WEIGHT × mean_gap`: control `j` adds
  `SCORE_SCALE × CONTROL_GAP_WEIGHT × gap_j / n_controls`.

So a risk's contributions sum to its score (up to `SCORE_DECIMALS` rounding). Unassessed risks
(no linked KRI or control) have no rows. Same inputs, defaults and refusals as `risk_posture`.
"""

from __future__ import annotations

import polars as pl

from assets.posture.rules import (
    CONTROL_EFFECTIVENESSES,
    CONTROL_GAP,
    CONTROL_GAP_WEIGHT,
    KRI_POINTS,
    MAX_KRI_POINTS,
    MEAN_KRI_WEIGHT,
    SCORE_DECIMALS,
    SCORE_SCALE,
    WORST_KRI_WEIGHT,
    risk_posture,
)
from draxis.kri import KRI_STATUSES

RISK_CONTRIBUTION_COLUMNS = {
    "tenant_id": pl.String(),
    "risk_id": pl.String(),
    "item_kind": pl.String(),  # "kri" or "control"
    "item_id": pl.String(),
    "state": pl.String(),  # the KRI's colour or the control's effectiveness
    "worst_points": pl.Float64(),  # its part of the worst-KRI term
    "mean_points": pl.Float64(),  # its part of the mean-KRI term
    "gap_points": pl.Float64(),  # its part of the control-gap term
    "contribution": pl.Float64(),  # the sum of the three: score points it adds
}
ITEM_KINDS = ("kri", "control")


def risk_contributions(
    kri_status: pl.DataFrame,
    kri_risk_links: pl.DataFrame,
    controls: pl.DataFrame,
    control_risk_links: pl.DataFrame,
    risks: pl.DataFrame,
) -> pl.DataFrame:
    """One row per (assessed risk, linked KRI or control): its part of each term and in total.

    Columns: `RISK_CONTRIBUTION_COLUMNS`; sorted by tenant_id, risk_id, contribution
    (largest first), item_kind, item_id.
    """
    # The same validation (vocabularies, dangling controls) as the score itself.
    risk_posture(kri_status, kri_risk_links, controls, control_risk_links, risks)
    in_scope = risks.select("tenant_id", "risk_id")
    kris = (
        kri_risk_links.select("kri_id", "risk_id")
        .unique()
        .join(in_scope, on="risk_id", how="inner")
        .join(kri_status.select("kri_id", "status"), on="kri_id", how="left")
        .with_columns(pl.col("status").fill_null("no_data"))
        .with_columns(
            pl.col("status").replace_strict(KRI_POINTS, return_dtype=pl.Float64).alias("points")
        )
    )
    worst = pl.col("points").max().over("risk_id")
    is_worst = pl.col("points") == worst
    worst_count = is_worst.cast(pl.Int64).sum().over("risk_id")
    kri_rows = kris.select(
        "tenant_id",
        "risk_id",
        pl.lit("kri").alias("item_kind"),
        pl.col("kri_id").alias("item_id"),
        pl.col("status").alias("state"),
        pl.when(is_worst)
        .then(SCORE_SCALE * WORST_KRI_WEIGHT * worst / MAX_KRI_POINTS / worst_count)
        .otherwise(0.0)
        .alias("worst_points"),
        (
            SCORE_SCALE
            * MEAN_KRI_WEIGHT
            * pl.col("points")
            / (MAX_KRI_POINTS * pl.len().over("risk_id"))
        ).alias("mean_points"),
        pl.lit(0.0).alias("gap_points"),
    )
    gap = pl.col("effectiveness").replace_strict(CONTROL_GAP, return_dtype=pl.Float64)
    control_rows = (
        control_risk_links.select("control_id", "risk_id")
        .unique()
        .join(in_scope, on="risk_id", how="inner")
        .join(controls.select("control_id", "effectiveness"), on="control_id", how="inner")
        .select(
            "tenant_id",
            "risk_id",
            pl.lit("control").alias("item_kind"),
            pl.col("control_id").alias("item_id"),
            pl.col("effectiveness").alias("state"),
            pl.lit(0.0).alias("worst_points"),
            pl.lit(0.0).alias("mean_points"),
            (SCORE_SCALE * CONTROL_GAP_WEIGHT * gap / pl.len().over("risk_id")).alias("gap_points"),
        )
    )
    parts = ["worst_points", "mean_points", "gap_points"]
    return (
        pl.concat([kri_rows.cast(pl.Schema(_NO_TOTAL)), control_rows.cast(pl.Schema(_NO_TOTAL))])
        .with_columns(pl.col(parts).round(SCORE_DECIMALS))
        .with_columns(pl.sum_horizontal(parts).round(SCORE_DECIMALS).alias("contribution"))
        .select(list(RISK_CONTRIBUTION_COLUMNS))
        .cast(pl.Schema(RISK_CONTRIBUTION_COLUMNS))
        .sort(
            ["tenant_id", "risk_id", "contribution", "item_kind", "item_id"],
            descending=[False, False, True, False, False],
        )
    )


_NO_TOTAL = {k: v for k, v in RISK_CONTRIBUTION_COLUMNS.items() if k != "contribution"}
# The vocabularies a stored row's `state` may hold.
STATES: tuple[str, ...] = (*KRI_STATUSES, *CONTROL_EFFECTIVENESSES)
