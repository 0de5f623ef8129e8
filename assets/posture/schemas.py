"""Pandera models for the rollups: what `assets.posture.rules` reads and what it returns.

Input models are not strict (the rules ignore extra columns, e.g. a KRI's value); output models
are: they are the contracts of the tables the rollup assets write.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine

from assets.posture.rules import CONTROL_EFFECTIVENESSES, SEVERITY_ORDER, TOP_RISKS, severity
from draxis.kri import KRI_STATUSES


# Inputs -----------------------------------------------------------------------------------------
class KriColours(pa.DataFrameModel):
    """The KRI colours a rollup reads: one status per KRI (a `KriStatuses` frame qualifies)."""

    kri_id: str = pa.Field(nullable=False, unique=True)
    status: str = pa.Field(isin=list(KRI_STATUSES))


class KriRiskLinks(pa.DataFrameModel):
    """Which KRIs feed which risks."""

    kri_id: str = pa.Field(nullable=False)
    risk_id: str = pa.Field(nullable=False)

    class Config:
        unique = ["kri_id", "risk_id"]  # noqa: RUF012 (pandera reads it)


class Controls(pa.DataFrameModel):
    """The tenant's controls and how well each works."""

    control_id: str = pa.Field(nullable=False, unique=True)
    effectiveness: str = pa.Field(isin=list(CONTROL_EFFECTIVENESSES))


class ControlRiskLinks(pa.DataFrameModel):
    """Which controls mitigate which risks."""

    control_id: str = pa.Field(nullable=False)
    risk_id: str = pa.Field(nullable=False)

    class Config:
        unique = ["control_id", "risk_id"]  # noqa: RUF012 (pandera reads it)


class Risks(pa.DataFrameModel):
    """The risks to score, each once."""

    tenant_id: str = pa.Field(nullable=False)
    risk_id: str = pa.Field(nullable=False, unique=True)


class RiskOutcomeLinks(pa.DataFrameModel):
    """Which outcomes each risk threatens."""

    risk_id: str = pa.Field(nullable=False)
    outcome_id: str = pa.Field(nullable=False)

    class Config:
        unique = ["risk_id", "outcome_id"]  # noqa: RUF012 (pandera reads it)


class Outcomes(pa.DataFrameModel):
    """The business outcomes to roll up, each once."""

    tenant_id: str = pa.Field(nullable=False)
    outcome_id: str = pa.Field(nullable=False, unique=True)


# Outputs ----------------------------------------------------------------------------------------
class RiskPostures(pa.DataFrameModel):
    """What `risk_posture` returns: one score and severity per risk."""

    tenant_id: str = pa.Field(nullable=False)
    risk_id: str = pa.Field(nullable=False, unique=True)
    score: float = pa.Field(nullable=True, ge=0.0, le=100.0)
    severity: str = pa.Field(isin=list(SEVERITY_ORDER))
    kri_count: int = pa.Field(ge=0)
    control_count: int = pa.Field(ge=0)
    red_kris: int = pa.Field(ge=0)
    amber_kris: int = pa.Field(ge=0)
    stale_kris: int = pa.Field(ge=0)

    @pa.dataframe_check(name="severity_matches_score")
    @classmethod
    def severity_matches_score(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # Also: unassessed exactly when the score is null.
        return data.lazyframe.select(severity(pl.col("score")) == pl.col("severity"))

    @pa.dataframe_check(name="unassessed_without_links")
    @classmethod
    def unassessed_without_links(cls, data: pa.PolarsData) -> pl.LazyFrame:
        linked = (pl.col("kri_count") + pl.col("control_count")) > 0
        return data.lazyframe.select(linked == pl.col("score").is_not_null())

    @pa.dataframe_check(name="kri_colours_within_kri_count")
    @classmethod
    def colours_within_count(cls, data: pa.PolarsData) -> pl.LazyFrame:
        coloured = pl.col("red_kris") + pl.col("amber_kris") + pl.col("stale_kris")
        return data.lazyframe.select(coloured <= pl.col("kri_count"))

    class Config:
        strict = True


class OutcomePostures(pa.DataFrameModel):
    """What `outcome_posture` returns: the worst severity and highest score of each outcome."""

    tenant_id: str = pa.Field(nullable=False)
    outcome_id: str = pa.Field(nullable=False, unique=True)
    severity: str = pa.Field(isin=list(SEVERITY_ORDER))
    score: float = pa.Field(nullable=True, ge=0.0, le=100.0)
    risk_count: int = pa.Field(ge=0)

    @pa.dataframe_check(name="no_risk_is_unassessed")
    @classmethod
    def no_risk_is_unassessed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("risk_count") > 0)
            | ((pl.col("severity") == "unassessed") & pl.col("score").is_null())
        )

    class Config:
        strict = True


class TenantPostures(pa.DataFrameModel):
    """What `tenant_posture` returns: one row per tenant."""

    tenant_id: str = pa.Field(nullable=False, unique=True)
    kri_count: int = pa.Field(ge=0)
    kris_green: int = pa.Field(ge=0)
    kris_amber: int = pa.Field(ge=0)
    kris_red: int = pa.Field(ge=0)
    kris_stale: int = pa.Field(ge=0)
    kris_no_data: int = pa.Field(ge=0)
    risk_count: int = pa.Field(ge=0)
    risks_critical: int = pa.Field(ge=0)
    risks_high: int = pa.Field(ge=0)
    risks_medium: int = pa.Field(ge=0)
    risks_low: int = pa.Field(ge=0)
    risks_unassessed: int = pa.Field(ge=0)
    top_risks: polars_engine.List = pa.Field(nullable=False, dtype_kwargs={"inner": pl.String()})
    stale_share: float = pa.Field(ge=0.0, le=1.0)
    posture_score: float = pa.Field(nullable=True, ge=0.0, le=100.0)

    @pa.dataframe_check(name="kri_colours_add_up")
    @classmethod
    def kri_colours_add_up(cls, data: pa.PolarsData) -> pl.LazyFrame:
        colours = pl.sum_horizontal(f"kris_{s}" for s in KRI_STATUSES)
        return data.lazyframe.select(colours == pl.col("kri_count"))

    @pa.dataframe_check(name="risk_severities_add_up")
    @classmethod
    def risk_severities_add_up(cls, data: pa.PolarsData) -> pl.LazyFrame:
        severities = pl.sum_horizontal(f"risks_{s}" for s in SEVERITY_ORDER)
        return data.lazyframe.select(severities == pl.col("risk_count"))

    @pa.dataframe_check(name="at_most_five_top_risks")
    @classmethod
    def at_most_five_top_risks(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("top_risks").list.len() <= TOP_RISKS)

    class Config:
        strict = True
