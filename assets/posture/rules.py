"""Risk, outcome and tenant rollups: the rules of PRODUCT.md "Rollups", as pure Polars.

Every weight, point, gap, threshold and ordering the rules use is a named constant below; the
functions only combine them. Ids are UUIDs carried as `pl.String`. Inputs (extra columns are
ignored):

- `kri_status`: kri_id, status (a `KriStatus`) — what `assets.status.rules.kri_status` returns.
- `kri_risk_links`: kri_id, risk_id.
- `controls`: control_id, effectiveness (a `ControlEffectiveness`).
- `control_risk_links`: control_id, risk_id.
- `risks`: tenant_id, risk_id.
- `risk_outcome_links`: risk_id, outcome_id.
- `outcomes`: tenant_id, outcome_id.

The `*_COLUMNS` dicts give these shapes; `assets.posture.schemas` holds the matching Pandera models
for the inputs and outputs.

Decisions where PRODUCT.md is silent (also in the docstrings that apply them):
- A linked KRI that has no row in `kri_status` has not been assessed yet and counts as `no_data`
  (the API reads it so too). A link to a control absent from `controls` is a broken contract and
  raises: guessing its effectiveness would move the score.
- Links to a risk (or outcome) that is not in the frame being rolled up are out of scope and
  ignored, so a caller may leave risks out (e.g. closed ones) without filtering every link frame.
  Duplicate link rows count once.
- A risk's own status (open, accepted, ...) does not enter the formulas: the caller decides which
  risks to pass.
- Scores are rounded to `SCORE_DECIMALS` before they are classified, so that float noise cannot
  move a score across a severity threshold (green ×3, amber, red and one partial control is
  exactly 60 + 7.5 + 7.5 = 75, which unrounded floats make 74.99999999999999: "high").
- `stale_share` counts `no_data` as stale: neither is a current reading, and the KRI points and
  the per-risk `stale_kris` already treat the two alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal, get_args

import polars as pl

from draxis.kri import KRI_STATUSES, KriStatus
from draxis.severity import SEVERITY_THRESHOLDS as SEVERITY_THRESHOLDS
from draxis.severity import Severity as Severity

ControlEffectiveness = Literal["effective", "partial", "ineffective", "not_implemented"]

CONTROL_EFFECTIVENESSES: tuple[str, ...] = get_args(ControlEffectiveness)

# Points per linked KRI by colour; a reading that is not current is as bad as amber.
KRI_POINTS: dict[KriStatus, int] = {"green": 0, "amber": 1, "red": 2, "stale": 1, "no_data": 1}
MAX_KRI_POINTS = 2
# Gap per linked control by effectiveness.
CONTROL_GAP: dict[ControlEffectiveness, float] = {
    "effective": 0.0,
    "partial": 0.5,
    "ineffective": 1.0,
    "not_implemented": 1.0,
}
# score = SCORE_SCALE × (WORST_KRI_WEIGHT × max_points / MAX_KRI_POINTS
#                        + MEAN_KRI_WEIGHT × mean_points / MAX_KRI_POINTS
#                        + CONTROL_GAP_WEIGHT × mean_gap)
SCORE_SCALE = 100.0
WORST_KRI_WEIGHT = 0.6
MEAN_KRI_WEIGHT = 0.25
CONTROL_GAP_WEIGHT = 0.15
# Far below any real difference between two scores (their denominators are link counts), far
# above float noise.
SCORE_DECIMALS = 9
# Lowest score of each assessed severity, worst first (`draxis.severity`, shared with the API).
# Worst first. An outcome takes the worst of its risks; "unassessed" ranks below "low".
SEVERITY_ORDER: tuple[Severity, ...] = get_args(Severity)
# Weight of an assessed risk in the tenant's posture score.
SEVERITY_WEIGHT: dict[Severity, int] = {"critical": 4, "high": 3, "medium": 2, "low": 1}
# Statuses whose reading is not current, for `stale_kris` and `stale_share`.
NOT_CURRENT: tuple[KriStatus, ...] = ("stale", "no_data")
TOP_RISKS = 5

KRI_STATUS_COLUMNS = {"kri_id": pl.String(), "status": pl.String()}
KRI_RISK_LINK_COLUMNS = {"kri_id": pl.String(), "risk_id": pl.String()}
CONTROL_COLUMNS = {"control_id": pl.String(), "effectiveness": pl.String()}
CONTROL_RISK_LINK_COLUMNS = {"control_id": pl.String(), "risk_id": pl.String()}
RISK_COLUMNS = {"tenant_id": pl.String(), "risk_id": pl.String()}
RISK_OUTCOME_LINK_COLUMNS = {"risk_id": pl.String(), "outcome_id": pl.String()}
OUTCOME_COLUMNS = {"tenant_id": pl.String(), "outcome_id": pl.String()}

RISK_POSTURE_COLUMNS = {
    "tenant_id": pl.String(),
    "risk_id": pl.String(),
    "score": pl.Float64(),
    "severity": pl.String(),
    "kri_count": pl.Int64(),
    "control_count": pl.Int64(),
    "red_kris": pl.Int64(),
    "amber_kris": pl.Int64(),
    "stale_kris": pl.Int64(),
}
OUTCOME_POSTURE_COLUMNS = {
    "tenant_id": pl.String(),
    "outcome_id": pl.String(),
    "severity": pl.String(),
    "score": pl.Float64(),
    "risk_count": pl.Int64(),
}

# An accepted risk (docs/risk-acceptance.md): the posture row with the expiry of the acceptance
# in force, null when none. Only `approved` acceptances count.
ACCEPTANCE_COLUMNS = {
    "tenant_id": pl.String(),
    "risk_id": pl.String(),
    "status": pl.String(),
    "expires_at": pl.Date(),
}
ACCEPTANCE_STATUSES = ("pending", "approved", "rejected", "expired", "revoked")
ACCEPTED_RISK_POSTURE_COLUMNS = {**RISK_POSTURE_COLUMNS, "accepted_until": pl.Date()}

TENANT_POSTURE_COLUMNS = {
    "tenant_id": pl.String(),
    "kri_count": pl.Int64(),
    **{f"kris_{s}": pl.Int64() for s in KRI_STATUSES},
    "risk_count": pl.Int64(),
    **{f"risks_{s}": pl.Int64() for s in SEVERITY_ORDER},
    "top_risks": pl.List(pl.String()),
    "stale_share": pl.Float64(),
    "posture_score": pl.Float64(),
}

# Severity rank for "worst of": unassessed lowest, critical highest.
_WORST_RANK: dict[Severity, int] = {
    s: len(SEVERITY_ORDER) - 1 - i for i, s in enumerate(SEVERITY_ORDER)
}


def severity(score: pl.Expr) -> pl.Expr:
    """Severity of a score: the first threshold it reaches, else low; null score is unassessed."""
    expr: pl.Expr = pl.lit("low")
    for name, lowest in reversed(SEVERITY_THRESHOLDS):
        expr = pl.when(score >= lowest).then(pl.lit(name)).otherwise(expr)
    return pl.when(score.is_null()).then(pl.lit("unassessed")).otherwise(expr)


def risk_posture(
    kri_status: pl.DataFrame,
    kri_risk_links: pl.DataFrame,
    controls: pl.DataFrame,
    control_risk_links: pl.DataFrame,
    risks: pl.DataFrame,
) -> pl.DataFrame:
    """One row per risk of `risks`: its score (0–100, null when unassessed), severity and counts.

    Each linked KRI scores `KRI_POINTS` by colour (unknown to `kri_status`: no_data); each linked
    control a `CONTROL_GAP` by effectiveness. Then
    `score = 100 × (0.6 × max_points/2 + 0.25 × mean_points/2 + 0.15 × mean_gap)`, where a term
    with no linked items counts 0, and the severity is critical ≥ 75, high ≥ 50, medium ≥ 25,
    else low. A risk with neither a linked KRI nor a linked control is `unassessed` (null score).
    Columns: `RISK_POSTURE_COLUMNS`; `stale_kris` counts stale and no_data. Sorted by
    tenant_id, risk_id.
    """
    _require_vocabulary(kri_status, "status", KRI_STATUSES, "kri_status")
    _require_vocabulary(controls, "effectiveness", CONTROL_EFFECTIVENESSES, "controls")
    in_scope = risks.select("tenant_id", "risk_id")
    risk_ids = in_scope.select("risk_id")

    kri_links = (
        kri_risk_links.select("kri_id", "risk_id")
        .unique()
        .join(risk_ids, on="risk_id", how="semi")
        .join(kri_status.select("kri_id", "status"), on="kri_id", how="left")
        .with_columns(pl.col("status").fill_null("no_data"))
    )
    status = pl.col("status")
    points = status.replace_strict(KRI_POINTS, return_dtype=pl.Float64)
    per_risk_kris = kri_links.group_by("risk_id").agg(
        pl.len().cast(pl.Int64).alias("kri_count"),
        points.max().alias("max_points"),
        points.mean().alias("mean_points"),
        (status == "red").sum().cast(pl.Int64).alias("red_kris"),
        (status == "amber").sum().cast(pl.Int64).alias("amber_kris"),
        status.is_in(NOT_CURRENT).sum().cast(pl.Int64).alias("stale_kris"),
    )

    control_links = (
        control_risk_links.select("control_id", "risk_id")
        .unique()
        .join(risk_ids, on="risk_id", how="semi")
        .join(controls.select("control_id", "effectiveness"), on="control_id", how="left")
    )
    dangling = control_links.filter(pl.col("effectiveness").is_null())
    if dangling.height:
        pairs = ", ".join(
            f"{c} (risk {r})"
            for c, r in dangling.select("control_id", "risk_id").sort("control_id").rows()
        )
        raise ValueError(f"control_risk_links names controls missing from controls: {pairs}")
    gap = pl.col("effectiveness").replace_strict(CONTROL_GAP, return_dtype=pl.Float64)
    per_risk_controls = control_links.group_by("risk_id").agg(
        pl.len().cast(pl.Int64).alias("control_count"), gap.mean().alias("mean_gap")
    )

    counts = ["kri_count", "control_count", "red_kris", "amber_kris", "stale_kris"]
    assessed = (pl.col("kri_count") + pl.col("control_count")) > 0
    raw_score = SCORE_SCALE * (
        WORST_KRI_WEIGHT * pl.col("max_points").fill_null(0.0) / MAX_KRI_POINTS
        + MEAN_KRI_WEIGHT * pl.col("mean_points").fill_null(0.0) / MAX_KRI_POINTS
        + CONTROL_GAP_WEIGHT * pl.col("mean_gap").fill_null(0.0)
    )
    return (
        in_scope.join(per_risk_kris, on="risk_id", how="left")
        .join(per_risk_controls, on="risk_id", how="left")
        .with_columns(pl.col(counts).fill_null(0))
        .with_columns(pl.when(assessed).then(raw_score.round(SCORE_DECIMALS)).alias("score"))
        .with_columns(severity(pl.col("score")).alias("severity"))
        .select(list(RISK_POSTURE_COLUMNS))
        .cast(pl.Schema(RISK_POSTURE_COLUMNS))
        .sort("tenant_id", "risk_id")
    )


def utc_day(now: datetime) -> date:
    """The UTC calendar day of `now`, the day acceptances are judged on; a naive time raises
    (whose midnight would it be?)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"utc_day needs an aware datetime, got naive {now.isoformat()}")
    return now.astimezone(UTC).date()


def acceptances_in_force(acceptances: pl.DataFrame, today: date) -> pl.DataFrame:
    """The risks accepted on the UTC day `today`: tenant_id, risk_id, accepted_until.

    The posture rule of risk acceptance. An acceptance counts when it is `approved` and its
    `expires_at` is `today` or later: "accepted until D" stands through the whole UTC day D
    and lapses at 00:00 UTC on D + 1, whether or not the pipeline has marked it `expired` yet.
    Pending, rejected, expired and revoked acceptances never count. A risk has at most one
    approved acceptance (the database's partial unique index); were there several, the latest
    expiry would be kept. What acceptance changes is stated in `flag_accepted`.
    """
    _require_vocabulary(acceptances, "status", ACCEPTANCE_STATUSES, "acceptances")
    return (
        acceptances.filter((pl.col("status") == "approved") & (pl.col("expires_at") >= today))
        .group_by("tenant_id", "risk_id")
        .agg(pl.col("expires_at").max().alias("accepted_until"))
        .sort("tenant_id", "risk_id")
    )


def flag_accepted(risk_posture: pl.DataFrame, in_force: pl.DataFrame) -> pl.DataFrame:
    """`risk_posture` with `accepted_until` from `acceptances_in_force` (null: not accepted).

    Acceptance never hides a risk: the row, its computed score and severity stay exactly as
    `risk_posture` made them, so the risk still counts in `risks_<severity>`, in the tenant's
    `posture_score` with its full severity weight, and among `top_risks`. Acceptance records a
    decision about treating the exposure, not a change in it; every view that shows the severity
    shows the flag beside it. Columns: `ACCEPTED_RISK_POSTURE_COLUMNS`.
    """
    return (
        risk_posture.join(in_force.select("risk_id", "accepted_until"), on="risk_id", how="left")
        .select(list(ACCEPTED_RISK_POSTURE_COLUMNS))
        .cast(pl.Schema(ACCEPTED_RISK_POSTURE_COLUMNS))
    )


def outcome_posture(
    risk_posture: pl.DataFrame, risk_outcome_links: pl.DataFrame, outcomes: pl.DataFrame
) -> pl.DataFrame:
    """One row per outcome of `outcomes`: the worst severity and highest score of its risks.

    Severity is the worst among its linked risks in `SEVERITY_ORDER` (critical > high > medium >
    low > unassessed); an outcome without a linked risk is `unassessed`. Score is the highest
    linked risk score, null when no linked risk has one. Columns: tenant_id, outcome_id, severity,
    score, risk_count. A link between two tenants raises. Sorted by tenant_id, outcome_id.
    """
    _require_vocabulary(risk_posture, "severity", SEVERITY_ORDER, "risk_posture")
    links = (
        risk_outcome_links.select("risk_id", "outcome_id")
        .unique()
        .join(outcomes.select("tenant_id", "outcome_id"), on="outcome_id", how="inner")
        .join(
            risk_posture.select(
                pl.col("tenant_id").alias("risk_tenant_id"), "risk_id", "score", "severity"
            ),
            on="risk_id",
            how="inner",
        )
    )
    crossing = links.filter(pl.col("tenant_id") != pl.col("risk_tenant_id"))
    if crossing.height:
        pairs = ", ".join(
            f"risk {r} → outcome {o}"
            for r, o in crossing.select("risk_id", "outcome_id")
            .sort("outcome_id", "risk_id")
            .rows()
        )
        raise ValueError(f"risk_outcome_links cross tenants: {pairs}")
    rank = pl.col("severity").replace_strict(_WORST_RANK, return_dtype=pl.Int64)
    by_rank = {rank_: name for name, rank_ in _WORST_RANK.items()}
    per_outcome = links.group_by("outcome_id").agg(
        rank.max().alias("worst_rank"),
        pl.col("score").max().alias("score"),
        pl.len().cast(pl.Int64).alias("risk_count"),
    )
    return (
        outcomes.select("tenant_id", "outcome_id")
        .join(per_outcome, on="outcome_id", how="left")
        .with_columns(
            pl.col("worst_rank")
            .fill_null(_WORST_RANK["unassessed"])
            .replace_strict(by_rank, return_dtype=pl.String)
            .alias("severity"),
            pl.col("risk_count").fill_null(0),
        )
        .select(list(OUTCOME_POSTURE_COLUMNS))
        .cast(pl.Schema(OUTCOME_POSTURE_COLUMNS))
        .sort("tenant_id", "outcome_id")
    )


def tenant_posture(
    kri_status: pl.DataFrame, risk_posture: pl.DataFrame, tenant_id: str
) -> pl.DataFrame:
    """One row for the tenant: KRIs per colour, risks per severity, top risks, staleness, score.

    - `kris_<colour>` counts every KRI of `kri_status` (linked or not: the dashboard shows all).
    - `risks_<severity>` counts the risks of `risk_posture`.
    - `top_risks`: ids of the `TOP_RISKS` highest-scoring assessed risks, highest first, ties by
      risk id.
    - `stale_share = (stale + no_data) / all KRIs`, 0 when the tenant has no KRI.
    - `posture_score = Σ(score × weight) / Σ weight` over assessed risks, weight = severity rank
      (`SEVERITY_WEIGHT`: critical 4 ... low 1); null when no risk is assessed.
    A row of another tenant (in either frame, where it has a tenant_id column) raises.
    """
    _require_vocabulary(kri_status, "status", KRI_STATUSES, "kri_status")
    _require_vocabulary(risk_posture, "severity", SEVERITY_ORDER, "risk_posture")
    for name, frame in (("kri_status", kri_status), ("risk_posture", risk_posture)):
        if "tenant_id" in frame.columns:
            others = frame.filter(pl.col("tenant_id") != tenant_id)["tenant_id"].unique().sort()
            if others.len():
                raise ValueError(
                    f"tenant_posture for tenant {tenant_id}: {name} has rows of other tenants "
                    f"{', '.join(others.to_list())}"
                )

    kri_rows = kri_status.select("status").with_columns(pl.lit(tenant_id).alias("tenant_id"))
    risk_rows = risk_posture.select("risk_id", "score", "severity").with_columns(
        pl.lit(tenant_id).alias("tenant_id")
    )
    return tenant_postures(kri_rows, risk_rows, pl.DataFrame({"tenant_id": [tenant_id]}))


def tenant_postures(
    kri_status: pl.DataFrame, risk_posture: pl.DataFrame, tenants: pl.DataFrame
) -> pl.DataFrame:
    """`tenant_posture` for many tenants at once: one row per tenant of `tenants`.

    Same rules as `tenant_posture`, grouped by `tenant_id` (both frames must carry it); a tenant
    with no KRI or no risk gets zero counts, as a single-tenant call would. The pipeline rolls up
    a batch of tenant partitions at once through it; so does the rollup benchmark.
    """
    _require_vocabulary(kri_status, "status", KRI_STATUSES, "kri_status")
    _require_vocabulary(risk_posture, "severity", SEVERITY_ORDER, "risk_posture")
    status, sev, score = pl.col("status"), pl.col("severity"), pl.col("score")
    kri_counts = kri_status.group_by("tenant_id").agg(
        pl.len().alias("kri_count"),
        *[(status == s).sum().alias(f"kris_{s}") for s in KRI_STATUSES],
        status.is_in(NOT_CURRENT).sum().alias("not_current"),
    )
    weight = sev.replace_strict(SEVERITY_WEIGHT, default=None, return_dtype=pl.Float64)
    assessed = score.is_not_null()
    risk_counts = risk_posture.group_by("tenant_id").agg(
        pl.len().alias("risk_count"),
        *[(sev == s).sum().alias(f"risks_{s}") for s in SEVERITY_ORDER],
        (score * weight).filter(assessed).sum().alias("weighted"),
        weight.filter(assessed).sum().alias("weights"),
    )
    top = (
        risk_posture.filter(assessed)
        .sort(["tenant_id", "score", "risk_id"], descending=[False, True, False])
        .group_by("tenant_id", maintain_order=True)
        .agg(pl.col("risk_id").head(TOP_RISKS).alias("top_risks"))
    )
    counts = [c for c, t in TENANT_POSTURE_COLUMNS.items() if t == pl.Int64()]
    kri_count, weights = pl.col("kri_count"), pl.col("weights")
    return (
        tenants.select("tenant_id")
        .join(kri_counts, on="tenant_id", how="left")
        .join(risk_counts, on="tenant_id", how="left")
        .join(top, on="tenant_id", how="left")
        .with_columns(
            pl.col(counts).fill_null(0),
            pl.col("top_risks").fill_null(pl.lit([], dtype=pl.List(pl.String()))),
            pl.when(kri_count > 0)
            .then(pl.col("not_current") / kri_count)
            .otherwise(0.0)
            .alias("stale_share"),
            pl.when(weights > 0)
            .then((pl.col("weighted") / weights).round(SCORE_DECIMALS))
            .alias("posture_score"),
        )
        .select(list(TENANT_POSTURE_COLUMNS))
        .cast(pl.Schema(TENANT_POSTURE_COLUMNS))
    )


def _require_vocabulary(
    frame: pl.DataFrame, column: str, allowed: tuple[str, ...], what: str
) -> None:
    unknown = frame.filter(~pl.col(column).is_in(allowed) | pl.col(column).is_null())[column]
    if unknown.len():
        values = ", ".join(sorted({repr(v) for v in unknown.to_list()}))
        raise ValueError(f"{what}.{column} has {values}; expected one of {', '.join(allowed)}")
