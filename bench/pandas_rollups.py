"""The rollup rules of `assets.status.rules` and `assets.posture.rules`, written in pandas.

Only the benchmark uses this: it times the same transforms on the same book in both libraries and
checks that they agree row for row, so the ratio compares like with like. It is written the way a
competent pandas user would (vectorised, merges and groupbys, no Python loops over rows), with the
constants imported from the Polars rules so the two cannot drift apart. Validation of inputs
(vocabulary checks, dangling links) is left out on both sides of the comparison: the benchmark
times the arithmetic.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from assets.posture.rules import (
    CONTROL_GAP,
    CONTROL_GAP_WEIGHT,
    KRI_POINTS,
    MAX_KRI_POINTS,
    MEAN_KRI_WEIGHT,
    NOT_CURRENT,
    SCORE_DECIMALS,
    SCORE_SCALE,
    SEVERITY_ORDER,
    SEVERITY_THRESHOLDS,
    SEVERITY_WEIGHT,
    TOP_RISKS,
    WORST_KRI_WEIGHT,
)
from assets.status.rules import STALE_AFTER
from draxis.kri import KRI_STATUSES

_WORST_RANK = {s: len(SEVERITY_ORDER) - 1 - i for i, s in enumerate(SEVERITY_ORDER)}


def latest(observations: pd.DataFrame) -> pd.DataFrame:
    """Each KRI's most recent observation: kri_id, value, observed_at."""
    last = observations.groupby("kri_id", sort=False)["observed_at"].idxmax()
    return observations.loc[last, ["kri_id", "value", "observed_at"]].reset_index(drop=True)


def kri_status(kris: pd.DataFrame, latest: pd.DataFrame, now: datetime) -> pd.DataFrame:
    frame = kris.merge(latest, on="kri_id", how="left")
    stale_after = (
        frame["schedule"].fillna("manual").map({k: pd.Timedelta(v) for k, v in STALE_AFTER.items()})
    )
    higher = frame["direction"] == "higher_is_worse"
    value = frame["value"]
    red = np.where(higher, value >= frame["critical"], value <= frame["critical"])
    amber = np.where(higher, value >= frame["warn"], value <= frame["warn"])
    frame["status"] = np.select(
        [
            value.isna().to_numpy(),
            (frame["observed_at"] < pd.Timestamp(now) - stale_after).to_numpy(),
            red,
            amber,
        ],
        ["no_data", "stale", "red", "amber"],
        default="green",
    )
    return frame[["kri_id", "status", "value", "observed_at"]].sort_values("kri_id")


def _severity(score: pd.Series) -> np.ndarray:
    conditions = [score.isna().to_numpy()] + [
        (score >= lowest).to_numpy() for _, lowest in SEVERITY_THRESHOLDS
    ]
    names = ["unassessed"] + [name for name, _ in SEVERITY_THRESHOLDS]
    return np.select(conditions, names, default="low")


def risk_posture(
    kri_status: pd.DataFrame,
    kri_risk_links: pd.DataFrame,
    controls: pd.DataFrame,
    control_risk_links: pd.DataFrame,
    risks: pd.DataFrame,
) -> pd.DataFrame:
    risk_ids = risks[["risk_id"]]
    kri_links = (
        kri_risk_links[["kri_id", "risk_id"]]
        .drop_duplicates()
        .merge(risk_ids, on="risk_id")
        .merge(kri_status[["kri_id", "status"]], on="kri_id", how="left")
    )
    kri_links["status"] = kri_links["status"].fillna("no_data")
    kri_links["points"] = kri_links["status"].map(KRI_POINTS).astype("float64")
    kri_links["red"] = kri_links["status"] == "red"
    kri_links["amber"] = kri_links["status"] == "amber"
    kri_links["stale"] = kri_links["status"].isin(NOT_CURRENT)
    per_risk_kris = kri_links.groupby("risk_id").agg(
        kri_count=("points", "size"),
        max_points=("points", "max"),
        mean_points=("points", "mean"),
        red_kris=("red", "sum"),
        amber_kris=("amber", "sum"),
        stale_kris=("stale", "sum"),
    )
    control_links = (
        control_risk_links[["control_id", "risk_id"]]
        .drop_duplicates()
        .merge(risk_ids, on="risk_id")
        .merge(controls[["control_id", "effectiveness"]], on="control_id", how="left")
    )
    control_links["gap"] = control_links["effectiveness"].map(CONTROL_GAP).astype("float64")
    per_risk_controls = control_links.groupby("risk_id").agg(
        control_count=("gap", "size"), mean_gap=("gap", "mean")
    )
    out = (
        risks[["tenant_id", "risk_id"]]
        .merge(per_risk_kris, left_on="risk_id", right_index=True, how="left")
        .merge(per_risk_controls, left_on="risk_id", right_index=True, how="left")
    )
    counts = ["kri_count", "control_count", "red_kris", "amber_kris", "stale_kris"]
    out[counts] = out[counts].fillna(0).astype("int64")
    raw = SCORE_SCALE * (
        WORST_KRI_WEIGHT * out["max_points"].fillna(0.0) / MAX_KRI_POINTS
        + MEAN_KRI_WEIGHT * out["mean_points"].fillna(0.0) / MAX_KRI_POINTS
        + CONTROL_GAP_WEIGHT * out["mean_gap"].fillna(0.0)
    )
    out["score"] = raw.round(SCORE_DECIMALS).where(out["kri_count"] + out["control_count"] > 0)
    out["severity"] = _severity(out["score"])
    columns = ["tenant_id", "risk_id", "score", "severity", *counts]
    return out[columns].sort_values(["tenant_id", "risk_id"]).reset_index(drop=True)


def outcome_posture(
    risk_posture: pd.DataFrame, risk_outcome_links: pd.DataFrame, outcomes: pd.DataFrame
) -> pd.DataFrame:
    links = (
        risk_outcome_links[["risk_id", "outcome_id"]]
        .drop_duplicates()
        .merge(outcomes[["outcome_id"]], on="outcome_id")
        .merge(risk_posture[["risk_id", "score", "severity"]], on="risk_id")
    )
    links["rank"] = links["severity"].map(_WORST_RANK)
    per_outcome = links.groupby("outcome_id").agg(
        worst_rank=("rank", "max"), score=("score", "max"), risk_count=("rank", "size")
    )
    out = outcomes[["tenant_id", "outcome_id"]].merge(
        per_outcome, left_on="outcome_id", right_index=True, how="left"
    )
    by_rank = {rank: name for name, rank in _WORST_RANK.items()}
    out["severity"] = out["worst_rank"].fillna(_WORST_RANK["unassessed"]).astype(int).map(by_rank)
    out["risk_count"] = out["risk_count"].fillna(0).astype("int64")
    columns = ["tenant_id", "outcome_id", "severity", "score", "risk_count"]
    return out[columns].sort_values(["tenant_id", "outcome_id"]).reset_index(drop=True)


def tenant_postures(
    kri_status: pd.DataFrame, risk_posture: pd.DataFrame, tenants: pd.DataFrame
) -> pd.DataFrame:
    kri_counts = pd.crosstab(kri_status["tenant_id"], kri_status["status"]).reindex(
        columns=list(KRI_STATUSES), fill_value=0
    )
    kri_counts.columns = [f"kris_{s}" for s in kri_counts.columns]
    kri_counts["kri_count"] = kri_counts.sum(axis=1)
    not_current = kri_counts[[f"kris_{s}" for s in NOT_CURRENT]].sum(axis=1)
    kri_counts["stale_share"] = not_current / kri_counts["kri_count"]

    risk_counts = pd.crosstab(risk_posture["tenant_id"], risk_posture["severity"]).reindex(
        columns=list(SEVERITY_ORDER), fill_value=0
    )
    risk_counts.columns = [f"risks_{s}" for s in risk_counts.columns]
    risk_counts["risk_count"] = risk_counts.sum(axis=1)

    assessed = risk_posture[risk_posture["score"].notna()].copy()
    assessed["weight"] = assessed["severity"].map(SEVERITY_WEIGHT).astype("float64")
    assessed["weighted"] = assessed["score"] * assessed["weight"]
    sums = assessed.groupby("tenant_id")[["weighted", "weight"]].sum()
    posture = (sums["weighted"] / sums["weight"]).round(SCORE_DECIMALS).rename("posture_score")
    top = (
        assessed.sort_values(["tenant_id", "score", "risk_id"], ascending=[True, False, True])
        .groupby("tenant_id", sort=False)
        .head(TOP_RISKS)
        .groupby("tenant_id", sort=False)["risk_id"]
        .agg(list)
        .rename("top_risks")
    )
    out = (
        tenants[["tenant_id"]]
        .merge(kri_counts, left_on="tenant_id", right_index=True, how="left")
        .merge(risk_counts, left_on="tenant_id", right_index=True, how="left")
        .merge(posture, left_on="tenant_id", right_index=True, how="left")
        .merge(top, left_on="tenant_id", right_index=True, how="left")
    )
    ints = ["kri_count", *kri_counts.columns[:-2], "risk_count", *risk_counts.columns[:-1]]
    out[ints] = out[ints].fillna(0).astype("int64")
    out["stale_share"] = out["stale_share"].fillna(0.0)
    out["top_risks"] = [t if isinstance(t, list) else [] for t in out["top_risks"]]
    return out.reset_index(drop=True)
